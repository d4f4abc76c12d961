"""The hot path over real HTTP: pages and the API of a production `linli serve`, driven by wrk, against a bare
signed-in page measured in the same run.

    .venv/bin/python bench/http.py [--seconds S] [--warmup W] [--db sqlite|postgres]

S defaults to 10 seconds per URL, W to 1 second of unmeasured load before each, --db to sqlite.

Set-up: a fresh database, `linli migrate` and `linli demo` (the Fengxian tree, its personas and about
30,000 residents), then `python -m linli serve` (gunicorn: 2 workers of 4 threads) on a free 127.0.0.1
port, in its own process group. The server runs with production settings: LINLI_DEBUG=0 (no query log,
Django's production error handling), a throwaway LINLI_SECRET_KEY and a random LINLI_DEMO_PASSWORD; and
with two exceptions, both said here:

  LINLI_2FA_REQUIRED=0     so that the station office persona signs in with its password alone (the
                           bench cannot type authenticator codes); the account gate still runs on every
                           request, it just finds nothing to ask for.
  LINLI_DB_CONN_MAX_AGE=600  persistent database connections (each worker thread keeps its own), as
                           the issue asks; the default is 60 s on PostgreSQL and none on SQLite.

SQLite lives under a temporary LINLI_VAR_DIR; --db postgres runs the same on a throwaway PostgreSQL
cluster (scripts/with-postgres, durability off) in a database of its own, dropped afterwards; it is
skipped, with a line saying so, when no initdb is installed.

The personas sign in over HTTP as a browser does (the login form with its CSRF token) for session
cookies, and grid-nq gets an API token from POST /api/v1/auth/token. Every URL is first asked once and
must answer 200 (a 302 to the login page would mean the bench measured the login page: the bench stops
instead). Then wrk (Debian package `wrk`; installed with apt-get when missing and running as root,
otherwise the bench says so and exits 0) drives each URL with 2 threads and 8 keep-alive connections,
the cookies or the bearer token as headers, for W seconds unmeasured, then S seconds measured:

  baseline          GET /bench/baseline as grid-nq: the smallest signed-in page (the session, the account
                    gate and every other middleware, one query for the user's own username, text/plain)
  home              GET / as grid-nq
  today             GET /care/ as grid-nq (今天要联系的人)
  station care      GET /care/units/310120.01/ as nanqiao (南桥派出所's care page)
  API worklist      GET /api/v1/worklists/contacts-due with grid-nq's bearer token
  request queue     GET /requests/ as nanqiao
  healthz           GET /healthz, no session, no database: for reference

Printed: requests/s, p50 and p99 latency, and requests/s as a ratio of the baseline's. Targets (issue
10): today, home and API worklist at least 0.5x the baseline, the station's care page at least 0.25x;
each printed as met or not met. The server, wrk and whatever else runs on the machine share its cores,
so absolute figures move from run to run; the ratios less so. Benchmarks are not tests: nothing fails
on a figure. The server is stopped by its process group, the temporary directory removed and the
PostgreSQL database dropped when the bench ends, also on Ctrl-C.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is bench/http.py: run as a script, its folder comes first on sys.path and would hide the
# standard library's `http` package, which urllib imports. Take the folder off before that happens.
if sys.path and Path(sys.path[0] or ".").resolve() == Path(__file__).resolve().parent:
    sys.path.remove(sys.path[0])

import argparse
import glob
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from dataclasses import dataclass
from typing import Any

REPO = Path(__file__).resolve().parents[1]
THREADS = 2
CONNECTIONS = 8
TIMEOUT = 30  # seconds before wrk gives up on an answer (its default, 2 s, drops slow pages from the figures)
SERVER_WORKERS = 2
CONN_MAX_AGE = 600
STATION = "310120.01"  # 南桥, the persona `nanqiao`


@dataclass(frozen=True)
class Target:
    label: str
    path: str
    persona: str | None  # signs in for a session cookie; None: no credentials
    api: bool = False  # a bearer token instead of the session
    target: float | None = None  # requests/s at least this times the baseline's


BASELINE = Target("baseline", "/bench/baseline", "grid-nq")
TARGETS = [
    BASELINE,
    Target("home", "/", "grid-nq", target=0.5),
    Target("today", "/care/", "grid-nq", target=0.5),
    Target("station care", f"/care/units/{STATION}/", "nanqiao", target=0.25),
    Target("API worklist", "/api/v1/worklists/contacts-due", "grid-nq", api=True, target=0.5),
    Target("request queue", "/requests/", "nanqiao"),
    Target("healthz", "/healthz", None),
]


class BenchError(RuntimeError):
    """The bench cannot measure what it set out to; the message says why."""


# ---------------------------------------------------------------- wrk


def ensure_wrk() -> str | None:
    """The path of wrk, installed with apt-get when missing and running as root; None when unavailable."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        print("http: skipped, wrk is missing (Debian: apt-get install wrk)")
        return None
    print("http: wrk is missing; installing it: apt-get update -qq && apt-get install -y -qq wrk", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    done = subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
    if done.returncode == 0:
        done = subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], env=env, check=False)
    found = shutil.which("wrk")
    if done.returncode != 0 or not found:
        print(f"http: skipped, wrk is missing and apt-get could not install it (exit {done.returncode})")
        return None
    return found


@dataclass(frozen=True)
class Result:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    bad: str  # non-2xx/3xx answers and socket errors, as wrk reports them; "" when none


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if not match:
        raise BenchError(f"cannot read wrk's latency {text!r}")
    return float(match[1]) * _UNITS_MS[match[2]]


def parse_wrk(output: str) -> Result:
    """Requests/s, the 50th and 99th percentile and any errors from the output of `wrk --latency`."""
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M)
    if not (rate and p50 and p99):
        raise BenchError(f"cannot read wrk's output:\n{output}")
    bad = []
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        bad.append(f"{non_2xx[1]} non-2xx/3xx")
    errors = re.search(r"Socket errors: (.*)", output)
    if errors:
        bad.append(f"socket errors: {errors[1].strip()}")
    return Result(float(rate[1]), _ms(p50[1]), _ms(p99[1]), "; ".join(bad))


def run_wrk(wrk: str, url: str, headers: dict[str, str], seconds: float) -> Result:
    command = [
        wrk, f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s", f"--timeout={TIMEOUT}s",
        "--latency",
    ]  # fmt: skip
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run([*command, url], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BenchError(f"wrk failed ({done.returncode}) on {url}:\n{done.stdout}{done.stderr}")
    return parse_wrk(done.stdout)


# ---------------------------------------------------------------- the server


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _linli(args: list[str], env: dict[str, str]) -> None:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "linli", *args], env=env, cwd=REPO, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BenchError(f"`linli {' '.join(args)}` failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    print(f"  linli {' '.join(args):<28} {time.perf_counter() - started:6.1f} s", flush=True)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop gunicorn and its workers: SIGTERM to the process group, SIGKILL if it lingers."""
    if proc.poll() is not None:
        return
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


@contextmanager
def serving(env: dict[str, str], log: Path, timeout: float = 60.0) -> Iterator[str]:
    """`python -m linli serve` in its own process group; yields the base URL once /healthz answers."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "linli", "serve"],
            env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    base = f"http://127.0.0.1:{env['LINLI_PORT']}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise BenchError(
                    f"`linli serve` exited with {proc.returncode}:\n{log.read_text(errors='replace')}"
                )
            with (
                suppress(urllib.error.URLError, ConnectionError, TimeoutError),
                urllib.request.urlopen(base + "/healthz", timeout=2) as response,  # noqa: S310
            ):
                if response.status == 200:
                    break
            if time.monotonic() > deadline:
                raise BenchError(f"`linli serve` did not answer within {timeout:.0f} s:\n{log.read_text()}")
            time.sleep(0.2)
        yield base
    finally:
        _stop(proc)


@contextmanager
def postgres_database(url: str) -> Iterator[str]:
    """A new database on the server of `url`, for this run only; yields its URL, drops it afterwards."""
    import psycopg
    from psycopg import sql

    name = f"linli_bench_{secrets.token_hex(4)}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path="/" + name))
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


# ---------------------------------------------------------------- signing in over HTTP


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _opener(jar: http.cookiejar.CookieJar | None = None) -> urllib.request.OpenerDirector:
    handlers: list[Any] = [_NoRedirect()]
    if jar is not None:
        handlers.append(urllib.request.HTTPCookieProcessor(jar))
    return urllib.request.build_opener(*handlers)


def _get(opener: urllib.request.OpenerDirector, url: str, headers: dict[str, str]) -> tuple[int, str, str]:
    """Status, Location and body of a GET, redirects not followed."""
    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, "", response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Location", ""), exc.read().decode("utf-8", "replace")


def session_cookies(base: str, username: str, password: str) -> str:
    """Sign in through the login form (CSRF token included); the Cookie header of the signed-in session."""
    jar = http.cookiejar.CookieJar()
    opener = _opener(jar)
    status, _, page = _get(opener, base + "/login/", {})
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if status != 200 or not token:
        raise BenchError(f"the login page answered {status} without a CSRF token")
    form = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token[1]}
    )
    request = urllib.request.Request(  # noqa: S310
        base + "/login/", data=form.encode(), headers={"Referer": base + "/login/"}, method="POST"
    )
    try:
        with opener.open(request, timeout=30) as response:
            status, location = response.status, ""
    except urllib.error.HTTPError as exc:
        status, location = exc.code, exc.headers.get("Location", "")
    cookies = {cookie.name: cookie.value for cookie in jar}
    if status != 302 or "sessionid" not in cookies:
        raise BenchError(f"{username} could not sign in: the login form answered {status} {location}")
    return "; ".join(f"{name}={value}" for name, value in sorted(cookies.items()))


def api_token(base: str, username: str, password: str) -> str:
    body = json.dumps({"username": username, "password": password, "label": "bench/http.py"}).encode()
    request = urllib.request.Request(  # noqa: S310
        base + "/api/v1/auth/token", data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with _opener().open(request, timeout=30) as response:
            return str(json.load(response)["token"])
    except urllib.error.HTTPError as exc:
        raise BenchError(f"{username} got no API token: {exc.code} {exc.read().decode()}") from None


# ---------------------------------------------------------------- the run


def _verdict(ratio: float, target: float | None) -> str:
    if target is None:
        return ""
    return f">= {target:.2f}x  {'met' if ratio >= target else 'not met'}"


def _label(target: Target) -> str:
    who = (target.persona + ("'s token" if target.api else "")) if target.persona else "anonymous"
    return f"{target.label}: {target.path} ({who})"


def measure(base: str, password: str, wrk: str, args: argparse.Namespace) -> None:
    headers: dict[str, dict[str, str]] = {}
    for target in TARGETS:
        if target.persona is None:
            headers[target.label] = {}
        elif target.api:
            headers[target.label] = {"Authorization": f"Bearer {api_token(base, target.persona, password)}"}
        else:
            headers[target.label] = {"Cookie": session_cookies(base, target.persona, password)}

    # Every URL answers 200 with these credentials, or the figures would be another page's.
    opener = _opener()
    for target in TARGETS:
        status, location, body = _get(opener, base + target.path, headers[target.label])
        if status != 200:
            raise BenchError(
                f"{target.path} as {target.persona or 'anonymous'} answered {status}"
                f"{' to ' + location if location else ''}, not 200: the bench would measure another page"
            )
        if target is BASELINE and body != target.persona:
            raise BenchError(f"{target.path} answered {body[:80]!r}, not the username {target.persona!r}")

    print(
        f"\n  wrk: {THREADS} threads, {CONNECTIONS} connections, {args.warmup:g} s warm-up and"
        f" {args.seconds:g} s per URL; server: {SERVER_WORKERS} gunicorn workers of 4 threads;"
        f" {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    labels = {target.label: _label(target) for target in TARGETS}
    width = max(len(label) for label in labels.values())
    print(
        f"\n  {'URL':<{width}} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>7}  target (x baseline)",
        flush=True,
    )
    baseline = 0.0
    for target in TARGETS:
        url = base + target.path
        if args.warmup > 0:
            run_wrk(wrk, url, headers[target.label], args.warmup)
        result = run_wrk(wrk, url, headers[target.label], args.seconds)
        if target is BASELINE:
            baseline = result.requests_per_s
        ratio = result.requests_per_s / baseline if baseline else 0.0
        label = labels[target.label]
        print(
            f"  {label:<{width}} {result.requests_per_s:>8.1f} {result.p50_ms:>8.2f} {result.p99_ms:>8.2f}"
            f" {ratio:>6.2f}x  {_verdict(ratio, target.target)}"
            f"{'  (' + result.bad + ')' if result.bad else ''}".rstrip(),
            flush=True,
        )


def run(args: argparse.Namespace, wrk: str) -> None:
    """One database: SQLite under the temporary directory, or with --db postgres a database of its own on
    the server of LINLI_DATABASE_URL (set by scripts/with-postgres)."""
    with tempfile.TemporaryDirectory(prefix="linli-bench-http-") as tmp:
        password = secrets.token_urlsafe(18)
        env = {
            **os.environ,
            "LINLI_DEBUG": "0",
            "LINLI_2FA_REQUIRED": "0",
            "LINLI_SECRET_KEY": secrets.token_urlsafe(48),
            "LINLI_DEMO_PASSWORD": password,
            "LINLI_VAR_DIR": tmp,
            "LINLI_HOST": "127.0.0.1",
            "LINLI_PORT": str(_free_port()),
            "LINLI_WORKERS": str(SERVER_WORKERS),
            "LINLI_DB_CONN_MAX_AGE": str(CONN_MAX_AGE),
            "LINLI_LOG_LEVEL": "WARNING",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        }
        url = env.pop("LINLI_DATABASE_URL", "")
        if args.db == "postgres" and not url.startswith("postgres"):
            raise BenchError("--db postgres --run needs LINLI_DATABASE_URL of a PostgreSQL server")
        database: AbstractContextManager[str | None] = (
            postgres_database(url) if args.db == "postgres" else nullcontext(None)
        )
        with database as database_url:
            if database_url:
                env["LINLI_DATABASE_URL"] = database_url
                print(f"\npostgres: database {urllib.parse.urlsplit(database_url).path[1:]}", flush=True)
            else:
                print(f"\nsqlite: {tmp}/linli.sqlite3", flush=True)
            _linli(["migrate", "--noinput", "-v", "0"], env)
            _linli(["demo"], env)
            with serving(env, Path(tmp) / "serve.log") as base:
                measure(base, password, wrk, args)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per URL")
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds per URL before that")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--run", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seconds < 1 or args.warmup < 0:
        parser.error("needs --seconds >= 1 and --warmup >= 0")
    # Ctrl-C and SIGTERM alike end the run through the clean-ups above (server, database, directory).
    signal.signal(signal.SIGTERM, signal.default_int_handler)

    if not args.run:
        print(f"http: the hot path over HTTP, {args.db}", flush=True)
    wrk = ensure_wrk()
    if wrk is None:
        return 0
    try:
        if args.db == "sqlite" or args.run:
            run(args, wrk)
            return 0
        if not (shutil.which("initdb") or glob.glob("/usr/lib/postgresql/*/bin/initdb")):
            print("\npostgres: skipped (no initdb on PATH or in /usr/lib/postgresql/*/bin)")
            return 0
        command = [
            str(REPO / "scripts" / "with-postgres"), sys.executable, str(Path(__file__).resolve()), "--run",
            "--db", "postgres", "--seconds", str(args.seconds), "--warmup", str(args.warmup),
        ]  # fmt: skip
        child = subprocess.Popen(command, cwd=REPO)
        # A Ctrl-C reaches the bench under with-postgres too (same process group): wait for both to clean
        # up instead of killing with-postgres, which would leave its cluster running.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, lambda _signum, _frame: child.send_signal(signal.SIGTERM))
        return child.wait()
    except BenchError as exc:
        print(f"\nhttp: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nhttp: interrupted; server stopped, temporary files removed", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
