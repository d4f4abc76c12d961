"""Resident import at scale: the full pipeline against the raw database write, measured in one run.

    .venv/bin/python bench/import_residents.py [--rows N] [--db sqlite|postgres|both] [--xlsx-rows M]
                                               [--repeat K]

N defaults to 1,000,000, M to 100,000, --db to both, K to 1 (with K > 1, each step's fastest run counts:
the machine may be shared, and a slow outlier says more about the neighbours than about the import).

Generates N synthetic residents (deterministic: valid ID numbers of real region codes, mobiles and some
landlines, residence types, addresses, households) as csv, and the first --xlsx-rows of them as xlsx
(openpyxl needs minutes to write a million-row workbook, so xlsx is measured at the smaller size). Then,
for each database, every step in a fresh database with the migrated schema and the demo unit tree:

  (a) baseline: the same already-valid rows, prepared in memory beforehand, written raw into the empty
      registry_resident table with all its indexes: sqlite3 `executemany` of a plain INSERT (SQLite),
      `COPY … FROM STDIN` of ready-made text (PostgreSQL); only the database calls and the commit are timed;
  (b) `import_residents` from the csv into the empty table: reading, validation, upsert, audit, commit;
  (c) the same file again: every row unchanged;
  (d) `import_residents` from csv and from xlsx at --xlsx-rows, into empty tables.

Each step runs in a process of its own; peak memory is that process's ru_maxrss (from os.wait4), which
includes Python, Django and the database driver. PostgreSQL runs under scripts/with-postgres (a throwaway
cluster, durability off); it is skipped, with a line saying so, when no initdb is installed.
Benchmarks are not tests: the target in the issue is printed as met or not, nothing fails.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
GRID = "310120.01.001.01"  # 南桥 station, first community, first grid (linli.demo.org)
CHUNK = 20_000
TARGET_RATIO = 0.35
TARGET_RSS_MIB = 1024

HEADER = ["姓名", "公民身份号码", "联系电话", "人口类型", "现住址", "户号", "与户主关系"]
# Fengxian and other Shanghai districts, then places people move in from; distinct, see residents().
REGIONS = ["310120", "310115", "310104", "310112", "310117", "320506", "340104", "410105", "510107", "420102"]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红建国文辉鑫宇浩然子涵欣怡梓轩雨婷佳琪晨"
TYPES = ["户籍"] * 6 + ["常住"] * 2 + ["流动", "来沪", "临时"]
ROADS = ["育秀路", "南桥路", "解放东路", "环城东路", "江海路", "金海公路", "百齐路", "运河北路", "古华路"]
RELATIONS = ["户主", "配偶", "子", "女", "父亲", "母亲", "孙子", "孙女"]
BIRTH_START = datetime.date(1935, 1, 1)
BIRTH_DAYS = 32_000  # to 2022


# ---------------------------------------------------------------- synthetic residents


def residents(n: int, seed: int = 20_260_101) -> Iterator[list[str]]:
    """N distinct residents as a sheet's cells, the same for the same n and seed."""
    from linli.lib.idcard import make_id_number

    rnd = random.Random(seed)
    mobile_prefixes = ["13", "15", "17", "18", "19", "16", "14"]
    for i in range(n):
        # Distinct ID numbers: (region, birth date, order code) is a one-to-one image of i.
        sequence = i % 1000
        j = i // 1000
        region = REGIONS[j % len(REGIONS)]
        birth = BIRTH_START + datetime.timedelta(days=(j // len(REGIONS) * 7919) % BIRTH_DAYS)
        id_number = make_id_number(region, birth, sequence, "M" if sequence % 2 else "F")
        given = rnd.choice(GIVEN) + (rnd.choice(GIVEN) if rnd.random() < 0.7 else "")
        roll = rnd.random()
        if roll < 0.88:
            phone = f"{rnd.choice(mobile_prefixes)}{rnd.randrange(10**9):09d}"
        elif roll < 0.95:
            phone = f"021-57{rnd.randrange(10**6):06d}"
        else:
            phone = ""
        lane, number, room = rnd.randrange(1, 400), rnd.randrange(1, 80), rnd.randrange(101, 1802)
        yield [
            rnd.choice(SURNAMES) + given,
            id_number,
            phone,
            rnd.choice(TYPES),
            f"{rnd.choice(ROADS)}{lane}弄{number}号{room}室" if rnd.random() < 0.97 else "",
            f"31012{j:07d}",
            rnd.choice(RELATIONS),
        ]


def write_csv(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(residents(n))


def write_xlsx(path: Path, n: int) -> None:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("实有人口")
    sheet.append(HEADER)
    for row in residents(n):
        sheet.append(row)
    workbook.save(path)


# ---------------------------------------------------------------- steps, each in a process of its own


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")
    import django

    django.setup()


def step_setup() -> dict[str, Any]:
    """Migrate and load the demo unit tree into the database of LINLI_DATABASE_URL."""
    _django()
    from django.core.management import call_command
    from django.db import connection

    from linli.demo.org import load_org_demo

    call_command("migrate", verbosity=0, interactive=False)
    load_org_demo()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return {}


def _valid_rows(path: Path) -> Iterator[tuple[Any, ...]]:
    """The rows of the csv as registry_resident takes them, like the pipeline writes them.

    The generator writes values already in normal form, so no validation is needed here.
    """
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle)
        next(rows)
        types = {"户籍": "registered", "常住": "permanent", "流动": "floating", "来沪": "floating"}
        for name, id_number, phone, kind, address, household, relation in rows:
            digits = phone.replace("-", "")
            yield (
                name, id_number, "M" if id_number[16] in "13579" else "F",
                f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}",
                phone, digits[-4:], types.get(kind, "temporary"), address, household, relation,
                1 if phone and address else 0,
            )  # fmt: skip


def _chunks(rows: Iterator[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


_COLUMNS = (
    "name", "id_number", "sex", "birth_date", "phone", "phone_last4", "residence_type", "reported_address",
    "household_number", "relation_to_head", "is_complete", "unit_path", "created_at", "updated_at",
    "document_kind", "other_document_number", "status",
)  # fmt: skip


def step_baseline(path: Path) -> dict[str, Any]:
    """(a): the raw write of the same rows, with everything but the database calls done beforehand."""
    _django()
    from django.db import connection
    from django.utils import timezone

    connection.ensure_connection()
    now = timezone.now()
    columns = ", ".join(_COLUMNS)
    rows = 0
    elapsed = 0.0
    if connection.vendor == "sqlite":
        stamp = connection.ops.adapt_datetimefield_value(now)
        tail = (GRID, stamp, stamp, "id_card", "", "present")
        raw = connection.connection
        cursor = raw.cursor()
        sql = f"INSERT INTO registry_resident ({columns}) VALUES ({', '.join('?' * len(_COLUMNS))})"
        started = time.perf_counter()
        cursor.execute("BEGIN IMMEDIATE")
        elapsed += time.perf_counter() - started
        for chunk in _chunks(_valid_rows(path), CHUNK):
            prepared = [row + tail for row in chunk]
            started = time.perf_counter()
            cursor.executemany(sql, prepared)
            elapsed += time.perf_counter() - started
            rows += len(prepared)
        started = time.perf_counter()
        cursor.execute("COMMIT")
        elapsed += time.perf_counter() - started
    else:
        tail = f"\t{GRID}\t{now.isoformat()}\t{now.isoformat()}\tid_card\t\tpresent"
        line = "\t".join(["%s"] * 11) + tail
        raw = connection.connection
        raw.autocommit = False
        with raw.cursor() as cursor:
            for chunk in _chunks(_valid_rows(path), CHUNK):
                data = ("\n".join([line % row for row in chunk]) + "\n").encode()
                started = time.perf_counter()
                with cursor.copy(f"COPY registry_resident ({columns}) FROM STDIN") as copy:
                    copy.write(data)
                elapsed += time.perf_counter() - started
                rows += len(chunk)
        started = time.perf_counter()
        raw.commit()
        elapsed += time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM registry_resident")
        assert cursor.fetchone()[0] == rows
    return {"rows": rows, "seconds": elapsed}


def step_pipeline(path: Path) -> dict[str, Any]:
    """(b), (c), (d): `import_residents` as the `linli import` command calls it."""
    _django()
    from linli.org.models import Unit
    from linli.registry.services.imports.residents import import_residents

    unit = Unit.objects.get(code=GRID)
    started = time.perf_counter()
    report = import_residents(actor=None, path=path, unit=unit)
    elapsed = time.perf_counter() - started
    assert report.written and not report.errors, report.summary()
    return {
        "rows": report.total_rows,
        "seconds": elapsed,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
    }


STEPS = {"setup": step_setup, "baseline": step_baseline, "pipeline": step_pipeline}  # the file's steps


def run_step(step: str, env: dict[str, str], path: Path | None = None) -> dict[str, Any]:
    """Run a step in a fresh process; its result, with the process's peak RSS in MiB."""
    command = [sys.executable, str(Path(__file__).resolve()), "--step", step]
    if path is not None:
        command += ["--file", str(path)]
    with tempfile.TemporaryFile("w+") as out:
        process = subprocess.Popen(command, env=env, cwd=REPO, stdout=out)
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read()
    if process.returncode != 0:
        raise SystemExit(f"step {step} failed with exit code {process.returncode}")
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    result["rss_mib"] = usage.ru_maxrss / 1024  # kilobytes on Linux
    return result


# ---------------------------------------------------------------- one database


class Databases:
    """Fresh databases holding the migrated schema and the demo tree, copied from one set up once."""

    def __init__(self, vendor: str, work: Path, base_env: dict[str, str]) -> None:
        self.vendor = vendor
        self.work = work
        self.base_env = base_env
        self.made: list[str] = []
        if vendor == "sqlite":
            self.template = work / "template.sqlite3"
            run_step("setup", self._env(f"sqlite:///{self.template}"))
        else:
            self.url = base_env["LINLI_DATABASE_URL"]
            run_step("setup", self._env(self.url))

    def _env(self, url: str) -> dict[str, str]:
        return {**self.base_env, "LINLI_DATABASE_URL": url}

    def _maintenance(self) -> Any:
        import urllib.parse

        import psycopg

        # Connected to the maintenance database: a template may have no other session while it is copied.
        parts = urllib.parse.urlsplit(self.url)
        return psycopg.connect(urllib.parse.urlunsplit(parts._replace(path="/postgres")), autocommit=True)

    def fresh(self) -> dict[str, str]:
        """The environment of a step that runs in a new copy of the template database."""
        name = f"bench_{len(self.made) + 1}"
        self.made.append(name)
        if self.vendor == "sqlite":
            path = self.work / f"{name}.sqlite3"
            shutil.copyfile(self.template, path)
            return self._env(f"sqlite:///{path}")
        import urllib.parse

        parts = urllib.parse.urlsplit(self.url)
        with self._maintenance() as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{parts.path.lstrip("/")}"')
        return self._env(urllib.parse.urlunsplit(parts._replace(path="/" + name)))

    def drop(self) -> None:
        """Remove the copies made so far (a million residents take a few hundred MiB each)."""
        for name in self.made:
            if self.vendor == "sqlite":
                for suffix in ("", "-wal", "-shm"):
                    (self.work / f"{name}.sqlite3{suffix}").unlink(missing_ok=True)
            else:
                with self._maintenance() as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        self.made.clear()


def measure(vendor: str, files: dict[str, Path], env: dict[str, str], repeat: int) -> list[dict[str, Any]]:
    """Every step, `repeat` times in turn; for each step the fastest run, and the largest peak RSS."""
    best: dict[str, dict[str, Any]] = {}

    def keep(step: str, result: dict[str, Any]) -> None:
        kept = best.setdefault(step, {"step": step, **result})
        if result["seconds"] < kept["seconds"]:
            best[step] = {"step": step, **result, "rss_mib": max(result["rss_mib"], kept["rss_mib"])}
        else:
            kept["rss_mib"] = max(result["rss_mib"], kept["rss_mib"])

    with tempfile.TemporaryDirectory(prefix="linli-bench-db-") as tmp:
        databases = Databases(vendor, Path(tmp), env)
        for _ in range(repeat):
            keep("a", run_step("baseline", databases.fresh(), files["csv"]))
            pipeline_env = databases.fresh()
            keep("b", run_step("pipeline", pipeline_env, files["csv"]))
            keep("c", run_step("pipeline", pipeline_env, files["csv"]))
            if "small_csv" in files:
                keep("d-csv", run_step("pipeline", databases.fresh(), files["small_csv"]))
                keep("d-xlsx", run_step("pipeline", databases.fresh(), files["xlsx"]))
            databases.drop()
    return list(best.values())


# ---------------------------------------------------------------- report


LABELS = {
    "a": "(a) baseline: raw {raw}",
    "b": "(b) import_residents from csv",
    "c": "(c) re-import, all unchanged",
    "d-csv": "(d) import_residents from csv",
    "d-xlsx": "(d) import_residents from xlsx",
}


def print_results(vendor: str, results: list[dict[str, Any]]) -> None:
    raw = "executemany (sqlite3)" if vendor == "sqlite" else "COPY (psycopg)"
    by_step = {r["step"]: r for r in results}
    print(f"\n{vendor}")
    for step in ("a", "b", "c", "d-csv", "d-xlsx"):
        if step not in by_step:
            continue
        r = by_step[step]
        rate = r["rows"] / r["seconds"]
        counts = ""
        if "created" in r:
            counts = f"  created {r['created']:,} updated {r['updated']:,} unchanged {r['unchanged']:,}"
        print(
            f"  {LABELS[step].format(raw=raw):<44} {r['rows']:>9,} rows {r['seconds']:8.2f} s "
            f"{rate:>10,.0f} rows/s  peak RSS {r['rss_mib']:6.0f} MiB{counts}"
        )
    a, b, c = by_step["a"], by_step["b"], by_step["c"]
    ratio = (b["rows"] / b["seconds"]) / (a["rows"] / a["seconds"])
    reimport = (c["rows"] / c["seconds"]) / (a["rows"] / a["seconds"])
    met = "met" if ratio >= TARGET_RATIO and b["rss_mib"] < TARGET_RSS_MIB else "NOT met"
    if a["rows"] < 1_000_000:
        met += f" (measured at {a['rows']:,} rows)"
    print(f"  ratio (b)/(a) = {ratio:.2f}   (c)/(a) = {reimport:.2f}")
    print(f"  target at 1,000,000 rows: (b)/(a) >= {TARGET_RATIO} and peak RSS < {TARGET_RSS_MIB} MiB: {met}")
    if "d-csv" in by_step and "d-xlsx" in by_step:
        d_csv, d_xlsx = by_step["d-csv"], by_step["d-xlsx"]
        print(
            f"  xlsx at {d_xlsx['rows']:,} rows: {d_xlsx['seconds'] / d_csv['seconds']:.2f}x the time of the"
            " same rows from csv (calamine reads the whole sheet into memory first)"
        )


def postgres_bin() -> bool:
    import glob

    return bool(shutil.which("initdb") or glob.glob("/usr/lib/postgresql/*/bin/initdb"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--xlsx-rows", type=int, default=100_000, help="rows of the xlsx file (0: none)")
    parser.add_argument("--repeat", type=int, default=1, help="run every step this often, keep the fastest")
    parser.add_argument("--step", choices=sorted(STEPS), help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--results", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.step:
        result = step_setup() if args.step == "setup" else STEPS[args.step](args.file)
        print(json.dumps(result))
        return
    if args.results:
        # Re-run of this script under scripts/with-postgres: measure PostgreSQL, hand the results back.
        files = json.loads((args.work / "files.json").read_text())
        results = measure("postgres", {k: Path(v) for k, v in files.items()}, dict(os.environ), args.repeat)
        args.results.write_text(json.dumps(results))
        return

    with tempfile.TemporaryDirectory(prefix="linli-bench-") as tmp:
        work = Path(tmp)
        env = {
            **os.environ,
            "LINLI_DEBUG": "1",
            "LINLI_VAR_DIR": str(work / "var"),
            "LINLI_LOG_LEVEL": "WARNING",
        }
        env.pop("LINLI_DATABASE_URL", None)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
        os.environ.update(env)

        files = {"csv": work / "residents.csv"}
        started = time.perf_counter()
        write_csv(files["csv"], args.rows)
        size = files["csv"].stat().st_size / 2**20
        print(f"import_residents: {args.rows:,} synthetic residents, csv {size:.0f} MiB", end="")
        print(f" (generated in {time.perf_counter() - started:.1f} s)")
        xlsx_rows = min(args.xlsx_rows, args.rows)
        if xlsx_rows:
            files["small_csv"] = work / "residents-small.csv"
            files["xlsx"] = work / "residents-small.xlsx"
            started = time.perf_counter()
            write_csv(files["small_csv"], xlsx_rows)
            write_xlsx(files["xlsx"], xlsx_rows)
            print(
                f"xlsx measured at {xlsx_rows:,} rows, the first of the csv's residents (openpyxl wrote it in"
                f" {time.perf_counter() - started:.1f} s; a million-row workbook takes it minutes)"
            )
        (work / "files.json").write_text(json.dumps({k: str(v) for k, v in files.items()}))
        if args.repeat > 1:
            print(f"every step run {args.repeat} times in turn: its fastest run and largest peak RSS shown")

        if args.db in ("sqlite", "both"):
            print_results("sqlite", measure("sqlite", files, env, args.repeat))
        if args.db in ("postgres", "both"):
            if not postgres_bin():
                print("\npostgres: skipped (no initdb on PATH or in /usr/lib/postgresql/*/bin)")
                return
            results_path = work / "postgres.json"
            command = [
                str(REPO / "scripts" / "with-postgres"), sys.executable, str(Path(__file__).resolve()),
                "--work", str(work), "--results", str(results_path), "--repeat", str(args.repeat),
            ]  # fmt: skip
            subprocess.run(command, env=env, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
            print_results("postgres", json.loads(results_path.read_text()))


if __name__ == "__main__":
    main()
