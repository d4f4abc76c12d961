"""A real linli server and Debian's Chromium, for the browser tests and `scripts/screenshots`.

The server runs as `python -m linli serve` (gunicorn) in its own process group, on a fresh database:
SQLite under a temporary LINLI_VAR_DIR, or, when LINLI_DATABASE_URL points at PostgreSQL, a new
database `linli_browser_<random>` on that server, dropped again afterwards. The test database of
pytest-django is never used (the audit table refuses DELETE, so it cannot be flushed).

The server runs with LINLI_DEBUG off (and a throwaway LINLI_SECRET_KEY): with DEBUG on, Django
answers a 404 with its technical page instead of linli's own 未找到 page.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_PASSWORD = "linli-demo-2026"
REPO_ROOT = Path(__file__).resolve().parents[3]


class ServerError(RuntimeError):
    """The server could not be prepared or did not come up; the message carries its output."""


def chromium_missing_reason() -> str | None:
    """None when Chromium can be used, else why not."""
    if not os.access(CHROMIUM, os.X_OK):
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium fonts-wqy-microhei)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed"
    return None


def launch_chromium(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _with_database(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


@contextmanager
def _postgres_database(url: str) -> Iterator[str]:
    """A fresh database on the server of `url`; yields its URL and drops it afterwards."""
    import psycopg
    from psycopg import sql

    name = f"linli_browser_{secrets.token_hex(4)}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield _with_database(url, name)
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _run(args: list[str], env: dict[str, str], timeout: float) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "linli", *args],
        env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise ServerError(
            f"`linli {' '.join(args)}` failed ({result.returncode}):\n{result.stdout}{result.stderr}"
        )


def _stop(proc: subprocess.Popen[bytes]) -> None:
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


def _wait_healthy(base_url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServerError(
                f"`linli serve` exited with {proc.returncode}:\n{log.read_text(errors='replace')}"
            )
        try:
            with urllib.request.urlopen(base_url + "/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise ServerError(
        f"`linli serve` did not answer /healthz within {timeout:.0f} s:\n{log.read_text(errors='replace')}"
    )


@contextmanager
def linli_server(*, startup_timeout: float = 30.0) -> Iterator[str]:
    """Migrate, load the demo and serve on a free port; yields the base URL, stops everything after."""
    with tempfile.TemporaryDirectory(prefix="linli-browser-") as tmp, _database() as database_url:
        port = _free_port()
        env = {
            **os.environ,
            "LINLI_DEBUG": "0",
            # The journeys sign in with a password only; two-factor login has its own tests
            # (linli/accounts/tests/test_two_factor.py), as has the session gate.
            "LINLI_2FA_REQUIRED": "0",
            "LINLI_SECRET_KEY": secrets.token_urlsafe(48),
            "LINLI_VAR_DIR": tmp,
            "LINLI_PORT": str(port),
            "LINLI_HOST": "127.0.0.1",
            "LINLI_DEMO_PASSWORD": DEMO_PASSWORD,
            "LINLI_WORKERS": "2",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
        }
        env.pop("LINLI_DATABASE_URL", None)
        if database_url:
            env["LINLI_DATABASE_URL"] = database_url
        # Generous: on a loaded machine the demo alone has taken three minutes.
        _run(["migrate", "--noinput", "-v", "0"], env, timeout=600)
        _run(["demo"], env, timeout=600)
        log = Path(tmp) / "serve.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "linli", "serve"],
                env=env, cwd=REPO_ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        base_url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(base_url, proc, log, startup_timeout)
            yield base_url
        finally:
            _stop(proc)


@contextmanager
def _database() -> Iterator[str | None]:
    url = os.environ.get("LINLI_DATABASE_URL", "")
    if url.startswith("postgres"):
        with _postgres_database(url) as child_url:
            yield child_url
    else:
        yield None


def login(page: Any, base_url: str, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the login form, as a person would."""
    page.goto(base_url + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def chinese_font_available() -> bool:
    """True when fontconfig knows a font with Chinese glyphs (else pages render tofu boxes)."""
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return True  # cannot tell
    out = subprocess.run([fc_list, ":lang=zh"], capture_output=True, text=True, check=False).stdout
    return bool(out.strip())


def screenshot_dir() -> Path | None:
    """Where journeys save screenshots when LINLI_SCREENSHOTS is set ("1": var/screenshots)."""
    value = os.environ.get("LINLI_SCREENSHOTS", "")
    if not value:
        return None
    folder = REPO_ROOT / "var" / "screenshots" if value == "1" else Path(value)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
