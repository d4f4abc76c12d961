"""Worklists and on-time rates at district scale, against a bare indexed SELECT measured in the same run.

    .venv/bin/python bench/worklist.py [--residents N] [--key-persons K] [--contacts C]
                                       [--db sqlite|postgres|both] [--repeat R] [--history-days D] [--explain]

N defaults to 1,200,000 residents, K to 50,000 key persons, C to 5,000,000 contacts, --db to both, R to 5
(each measurement's fastest run counts: the machine may be shared), D to 91 days of contact history.

For each database: `migrate` and the demo unit tree (`load_org_demo`: 27 stations of Fengxian, 294
communities, 2,465 grids, the personas), then synthetic rows written raw into the real tables (sqlite3
`executemany`, `COPY … FROM STDIN` on PostgreSQL), in the time each table took:

  residents     spread evenly over Fengxian's grids, with unique well-formed ID numbers;
  key persons   every (N/K)-th resident, paired with the grid's grid worker or squad leader (1% nobody),
                risk low/medium/high, cadence 3, 7 or 14 days, next contact due from 30 days ago to
                10 days ahead, one in 400 with an open emergency, 2% taken off the ledger at some time
                in the history;
  contacts      in time order over the last D days (as they would have been logged), each with a random
                key person, 90% reached;

then ANALYZE (VACUUM ANALYZE on PostgreSQL). Timed, best of R, each after one warm-up run:

  (1) worklists, first page, evaluated: `list(contacts_due(user=…, on=today)[:50])` for the station
      office `nanqiao` (310120.01), a grid worker's own list (`grid-nq`, mine=True), and the district
      admin's list of all of Fengxian (`admin`, unit=310120). Each against the bare indexed SELECT of its
      rows (`SELECT * FROM care_keyperson WHERE <unit_path range> AND is_active AND next_contact_due <=
      today [AND the member] ORDER BY next_contact_due LIMIT 50`), and the worklist's own SQL run raw
      (cursor.execute, fetchall). Target: the worklist's SQL within 3x the bare SELECT (the database
      does no more than an index range and a top-50 sort: emergencies first and the risk tie-break
      cost little), and the whole page of objects under 50 ms. The page/bare column is printed too: a
      bare SELECT of 50 rows takes 0.1-0.8 ms, while building 50 key persons with their residents and
      members (two lookups by primary key) costs 1.5-4 ms of Python whatever the database does, so
      that ratio cannot hold for small pages and is not the target.
  (2) the district's on-time-rate table over one month (the last four full weeks, the pages' default):
      `on_time_rates` over Fengxian's communities, as the unit pages compute it for a unit's children
      (and, for comparison, over its stations, the children the district's own page shows). Target
      for the communities: under 1 s. The bare SELECTs count the same rows through the same indexes
      (the district's key persons, and their reached contacts in the period), with no grouping by week
      and nothing sent to Python.

The user objects are loaded once, so their scope (two small queries per request) is not in the timings.
PostgreSQL runs under scripts/with-postgres (a throwaway cluster, durability off); it is skipped, with a
line saying so, when no initdb is installed. --explain prints every query timed with its plan (EXPLAIN
QUERY PLAN on SQLite, EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL, where it runs the query once more).
Benchmarks are not tests: the targets are printed as met or missed, nothing fails.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import os
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DISTRICT = "310120"  # 奉贤 (linli.demo.org)
STATION = "310120.01"  # 南桥, the persona `nanqiao`
PAGE = 50
CHUNK = 50_000
TARGET_RATIO = 3.0
TARGET_PAGE_MS = 50.0
TARGET_TABLE_MS = 1000.0

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红建国文辉鑫宇浩然子涵欣怡梓轩雨婷佳琪晨"
BIRTH_START = datetime.date(1935, 1, 1)
BIRTH_DAYS = 32_000  # to 2022
KINDS = ("visit", "phone", "wechat", "video")


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")
    import django

    django.setup()


# ---------------------------------------------------------------- synthetic rows


class Stamps:
    """Instants as the backend stores them: naive UTC text on SQLite, UTC with an offset for COPY."""

    def __init__(self, vendor: str) -> None:
        self.suffix = "" if vendor == "sqlite" else "+00"

    def __call__(self, epoch: float) -> str:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(epoch)) + self.suffix


def resident_rows(n: int, grids: Sequence[str], stamp: str) -> Iterator[tuple[Any, ...]]:
    """N residents with ids 1..N, in blocks of one grid each; ID numbers distinct by construction."""
    from linli.lib.idcard import make_id_number

    for i in range(n):
        grid = grids[i * len(grids) // n]
        # (birth date, order code) is a one-to-one image of i: 7919 is prime to BIRTH_DAYS.
        j, sequence = divmod(i, 1000)
        birth = BIRTH_START + datetime.timedelta(days=(j * 7919) % BIRTH_DAYS)
        sex = "M" if sequence % 2 else "F"
        phone = f"139{i:08d}"
        yield (
            i + 1, SURNAMES[i % len(SURNAMES)] + GIVEN[(i // 7) % len(GIVEN)], "id_card",
            make_id_number(DISTRICT, birth, sequence, sex), "", sex, birth.isoformat(), phone, phone[-4:],
            "registered", grid, "", f"H{i // 3:010d}", ("户主", "配偶", "子女")[i % 3], "present", 1, stamp,
            stamp,
        )  # fmt: skip


RESIDENT_COLUMNS = (
    "id", "name", "document_kind", "id_number", "other_document_number", "sex", "birth_date", "phone",
    "phone_last4", "residence_type", "unit_path", "reported_address", "household_number",
    "relation_to_head", "status", "is_complete", "created_at", "updated_at",
)  # fmt: skip


def key_person_rows(
    k: int,
    n: int,
    grids: Sequence[str],
    members: dict[str, list[int]],
    fallback_user: int,
    today: datetime.date,
    now: float,
    history_days: int,
    stamps: Stamps,
    recorders: list[int],
) -> Iterator[tuple[Any, ...]]:
    """K key persons, ids 1..K, the (N/K)-th residents; appends who records each one's contacts to
    `recorders` as it goes."""
    rnd = random.Random(20_260_401)
    day = 86_400
    for p in range(k):
        resident_id = p * n // k + 1
        grid = grids[(resident_id - 1) * len(grids) // n]
        ids = members.get(grid, [])
        roll = rnd.random()
        risk, cadence = ("high", 3) if roll < 0.15 else ("medium", 7) if roll < 0.5 else ("low", 7)
        if risk == "low" and rnd.random() < 0.2:
            cadence = 14
        responsible: int | None = None
        backup: int | None = None
        if ids and rnd.random() >= 0.01:
            responsible, backup = ids[0], (ids[1] if len(ids) > 1 else None)
            if backup is not None and rnd.random() < 1 / 3:
                responsible, backup = backup, responsible
        due = today + datetime.timedelta(days=rnd.randint(-30, 10))
        last = (
            datetime.datetime.combine(due - datetime.timedelta(days=cadence), datetime.time(2)) - _EPOCH
        ).total_seconds()  # 10:00 in Shanghai
        emergency = stamps(now - rnd.random() * 3 * day) if rnd.random() < 1 / 400 else None
        created = stamps(now - (history_days + 7 + rnd.randrange(120)) * day)
        active = 1 if rnd.random() >= 0.02 else 0
        # Those off the ledger left at some point of the history (their weeks before still count).
        left = None if active else stamps(now - rnd.random() * history_days * day)
        recorders.append(responsible or (ids[0] if ids else fallback_user))
        yield (
            p + 1, grid, risk, "", cadence, due.isoformat(), stamps(last), emergency, active, created,
            stamps(now), backup, resident_id, responsible, left, "" if active else "迁出本区",
        )  # fmt: skip


_EPOCH = datetime.datetime(1970, 1, 1)

KEY_PERSON_COLUMNS = (
    "id", "unit_path", "risk_level", "needs_note", "cadence_days", "next_contact_due", "last_contact_at",
    "emergency_at", "is_active", "created_at", "updated_at", "backup_id", "resident_id", "responsible_id",
    "left_at", "left_reason",
)  # fmt: skip


def contact_rows(
    c: int, recorders: list[int], now: float, history_days: int, stamps: Stamps
) -> Iterator[tuple[Any, ...]]:
    """C contacts, ids 1..C, in the order they were logged over the last `history_days` days."""
    rnd = random.Random(20_260_402)
    k = len(recorders)
    span = history_days * 86_400
    start = now - span
    step = span / c
    for j in range(c):
        at = stamps(start + (j + rnd.random()) * step)
        p = int(rnd.random() * k)
        yield (
            j + 1, at, KINDS[int(rnd.random() * 4)], "", 1 if rnd.random() < 0.9 else 0, "", "", "", 0, at,
            recorders[p], p + 1,
        )  # fmt: skip


CONTACT_COLUMNS = (
    "id", "occurred_at", "kind", "companions", "reached", "outcome", "needs_found", "hazards_found",
    "is_emergency", "created_at", "recorded_by_id", "key_person_id",
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


def _copy_text(chunk: list[tuple[Any, ...]]) -> bytes:
    """Rows as COPY's text format (the generated strings hold no tab, newline or backslash)."""
    return (
        "\n".join(["\t".join(["\\N" if v is None else str(v) for v in row]) for row in chunk]) + "\n"
    ).encode()


def write_rows(table: str, columns: Sequence[str], rows: Iterator[tuple[Any, ...]]) -> int:
    """Raw bulk insert into `table` in one transaction: executemany on SQLite, COPY on PostgreSQL."""
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection
    written = 0
    if connection.vendor == "sqlite":
        cursor = raw.cursor()
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        cursor.execute("BEGIN IMMEDIATE")
        for chunk in _chunks(rows, CHUNK):
            cursor.executemany(sql, chunk)
            written += len(chunk)
        cursor.execute("COMMIT")
        cursor.close()
    else:
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for chunk in _chunks(rows, CHUNK):
                copy.write(_copy_text(chunk))
                written += len(chunk)
        with connection.cursor() as cursor:
            # The ids were given: move the identity on, as if the rows had been inserted one by one.
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
    return written


def load(args: argparse.Namespace) -> None:
    """Migrate, the demo tree, the synthetic rows, ANALYZE: each step's time printed."""
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from linli.accounts.models import Membership, Role
    from linli.demo.org import load_org_demo
    from linli.org.models import Unit

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    load_org_demo()
    print(f"  migrate and demo unit tree {time.perf_counter() - started:8.1f} s", flush=True)

    grids = list(
        Unit.objects.filter(kind=Unit.Kind.GRID, path__startswith=DISTRICT + ".")
        .order_by("path")
        .values_list("path", flat=True)
    )
    members: dict[str, list[int]] = {}
    rows = (
        Membership.objects.filter(
            unit__path__in=grids, is_active=True, role__in=[Role.GRID_WORKER, Role.SQUAD_LEADER]
        )
        .order_by("unit__path", "-role", "user_id")  # the grid worker first ("squad_leader" > "grid_worker")
        .values_list("unit__path", "user_id")
    )
    for path, user_id in rows:
        members.setdefault(path, []).append(user_id)
    fallback = Membership.objects.filter(role=Role.DISTRICT_ADMIN).values_list("user_id", flat=True).first()
    assert fallback is not None

    stamps = Stamps(connection.vendor)
    now = time.time()
    today = timezone.localdate()
    recorders: list[int] = []
    steps: list[tuple[str, str, Sequence[str], Callable[[], Iterator[tuple[Any, ...]]]]] = [
        ("residents", "registry_resident", RESIDENT_COLUMNS,
         lambda: resident_rows(args.residents, grids, stamps(now))),
        ("key persons", "care_keyperson", KEY_PERSON_COLUMNS,
         lambda: key_person_rows(args.key_persons, args.residents, grids, members, fallback, today, now,
                                 args.history_days, stamps, recorders)),
        ("contacts", "care_contact", CONTACT_COLUMNS,
         lambda: contact_rows(args.contacts, recorders, now, args.history_days, stamps)),
    ]  # fmt: skip
    for label, table, columns, rows_of in steps:
        started = time.perf_counter()
        written = write_rows(table, columns, rows_of())
        elapsed = time.perf_counter() - started
        print(
            f"  {label:<26} {written:>10,} rows {elapsed:8.1f} s {written / elapsed:>10,.0f} rows/s"
            " (generation included)",
            flush=True,
        )

    started = time.perf_counter()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        what = "ANALYZE"
    else:
        raw = connection.connection
        autocommit = raw.autocommit
        raw.autocommit = True
        with raw.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
        raw.autocommit = autocommit
        what = "VACUUM (ANALYZE)"
    print(f"  {what:<26} {time.perf_counter() - started:8.1f} s", flush=True)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA page_count")
            pages = cursor.fetchone()[0]
            cursor.execute("PRAGMA page_size")
            size = pages * cursor.fetchone()[0]
        else:
            cursor.execute("SELECT pg_database_size(current_database())")
            size = cursor.fetchone()[0]
    print(f"  database size {size / 2**20:,.0f} MiB", flush=True)


# ---------------------------------------------------------------- measurements


def best_ms(functions: Mapping[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """The fastest of `repeat` runs of each function, in ms, taken in turn after one warm-up run each."""
    for function in functions.values():
        function()
    best = dict.fromkeys(functions, float("inf"))
    for _ in range(repeat):
        for name, function in functions.items():
            started = time.perf_counter()
            function()
            best[name] = min(best[name], (time.perf_counter() - started) * 1000)
    return best


def _fetch(sql: str, params: Sequence[Any]) -> Callable[[], list[Any]]:
    """A raw query through Django's connection, all rows fetched."""
    from django.db import connection

    def run() -> list[Any]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


def bare_worklist(root: str, today: datetime.date, member: int | None) -> tuple[str, list[Any]]:
    """The bare indexed SELECT of a worklist's first page: the same key-person rows with the same
    columns, ordered by due date alone (no emergencies first, no tie-breaks, no resident or member)."""
    sql = (
        "SELECT * FROM care_keyperson WHERE unit_path >= %s AND unit_path < %s AND is_active"
        " AND next_contact_due <= %s"
    )
    params: list[Any] = [root, root + "/", today]
    if member is not None:
        sql += " AND (responsible_id = %s OR backup_id = %s)"
        params += [member, member]
    return sql + f" ORDER BY next_contact_due LIMIT {PAGE}", params


def bare_table(root: str, begins: datetime.datetime, ends: datetime.datetime) -> list[tuple[str, list[Any]]]:
    """The bare indexed SELECTs of an on-time table's rows: its key persons and their reached contacts
    in the period, counted (no bucketing into weeks, no grouping, nothing sent to Python)."""
    from django.db import connection

    begins_value = connection.ops.adapt_datetimefield_value(begins)
    ends_value = connection.ops.adapt_datetimefield_value(ends)
    return [
        (
            "SELECT count(*) FROM care_keyperson WHERE unit_path >= %s AND unit_path < %s"
            " AND (is_active OR left_at >= %s) AND created_at < %s",
            [root, root + "/", begins_value, ends_value],
        ),
        (
            "SELECT count(*) FROM care_contact c JOIN care_keyperson k ON k.id = c.key_person_id"
            " WHERE k.unit_path >= %s AND k.unit_path < %s AND c.reached"
            " AND c.occurred_at >= %s AND c.occurred_at < %s",
            [root, root + "/", begins_value, ends_value],
        ),
    ]


def _explain(sql: str, params: Sequence[Any]) -> str:
    from django.db import connection

    # `iterator()` on PostgreSQL declares a server-side cursor: explained as such, since the planner then
    # favours plans that return the first rows fast (cursor_tuple_fraction).
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        rows = cursor.fetchall()
    if connection.vendor == "sqlite":
        return "\n".join(f"{row[0]}|{row[1]}|{row[3]}" for row in rows)
    return "\n".join(row[0] for row in rows)


def _print_plans(function: Callable[[], object], extra: Sequence[tuple[str, list[Any]]] = ()) -> None:
    """The SQL that `function` runs, each with its plan; then the plans of `extra` queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        function()
    blocks: list[tuple[str, str, Sequence[Any]]] = [
        (query["sql"], query["sql"], ()) for query in captured.captured_queries
    ]
    blocks += [
        (sql % tuple(p if isinstance(p, int) else repr(str(p)) for p in params), sql, params)
        for sql, params in extra
    ]
    for shown, sql, params in blocks:
        print("        " + shown)
        for line in _explain(sql, params).splitlines():
            print("          " + line)
    print()


def _verdict(met: bool) -> str:
    return "PASS" if met else "MISS"


def measure(args: argparse.Namespace) -> None:
    from django.utils import timezone

    from linli.accounts.models import User
    from linli.accounts.selectors.scope import scope_for
    from linli.care.selectors.indicators import last_full_weeks, on_time_rates
    from linli.care.selectors.worklists import contacts_due
    from linli.org.models import Unit

    today = timezone.localdate()
    users = {u.username: u for u in User.objects.filter(username__in=["nanqiao", "grid-nq", "admin"])}
    for user in users.values():
        scope_for(user)  # cached on the object, as once per request
    district = Unit.objects.get(path=DISTRICT)
    grid = scope_for(users["grid-nq"]).full_roots[0]
    worklists = [
        # label, queryset, unit path and member of the bare query
        ("station nanqiao (310120.01)", contacts_due(user=users["nanqiao"], on=today), STATION, None),
        (
            f"grid-nq, own people ({grid})",
            contacts_due(user=users["grid-nq"], on=today, mine=True),
            grid,
            users["grid-nq"].pk,
        ),
        (
            "district admin, unit=310120",
            contacts_due(user=users["admin"], on=today, unit=district),
            DISTRICT,
            None,
        ),
    ]

    print(f"\n  (1) worklists, first page ({PAGE} rows), due by {today}; best of {args.repeat}, in ms")
    print(
        f"      {'':<38} {'list(qs[:50])':>13} {'its SQL raw':>11} {'bare SELECT':>11} {'SQL/bare':>8}"
        f" {'page/bare':>9}  target: SQL/bare <= {TARGET_RATIO:.0f}x, page < {TARGET_PAGE_MS:.0f} ms"
    )
    for label, queryset, root, member in worklists:
        page = queryset[:PAGE]
        bare_sql, bare_params = bare_worklist(root, today, member)
        worklist: Callable[[], list[Any]] = functools.partial(lambda page: list(page.all()), page)
        functions = {
            "orm": worklist,
            "sql": _fetch(*page.query.sql_with_params()),
            "bare": _fetch(bare_sql, bare_params),
        }
        ms = best_ms(functions, args.repeat)
        ratio = ms["sql"] / ms["bare"]
        met = ratio <= TARGET_RATIO and ms["orm"] < TARGET_PAGE_MS
        rows, bare_rows = len(worklist()), len(functions["bare"]())
        print(
            f"      {label:<38} {ms['orm']:>13.2f} {ms['sql']:>11.2f} {ms['bare']:>11.2f} {ratio:>7.1f}x"
            f" {ms['orm'] / ms['bare']:>8.1f}x  {_verdict(met)}"
            f"  ({rows} rows, bare {bare_rows})",
            flush=True,
        )
        if args.explain:
            _print_plans(worklist, [(bare_sql, bare_params)])

    period = last_full_weeks(today)
    zone = timezone.get_default_timezone()
    begins = datetime.datetime.combine(period.start, datetime.time(), tzinfo=zone)
    ends = datetime.datetime.combine(period.end + datetime.timedelta(days=1), datetime.time(), tzinfo=zone)
    units = Unit.objects.filter(path__startswith=DISTRICT + ".", is_active=True).order_by("path")
    tables = [
        (f"{DISTRICT}'s communities", list(units.filter(kind=Unit.Kind.COMMUNITY)), True),
        (f"{DISTRICT}'s stations", list(units.filter(kind=Unit.Kind.STATION)), False),
    ]
    print(
        f"\n  (2) on-time rates, {period.start} to {period.end} (the last 4 full weeks);"
        f" best of {args.repeat}, in ms; target < {TARGET_TABLE_MS:.0f} ms"
    )
    print(f"      {'':<38} {'on_time_rates':>13} {'bare SELECTs':>12} {'ratio':>6}")
    bare = bare_table(DISTRICT, begins, ends)

    def bare_counts() -> list[int]:
        return [_fetch(sql, params)()[0][0] for sql, params in bare]

    for label, table_units, target in tables:
        table: Callable[[], list[Any]] = functools.partial(on_time_rates, units=table_units, period=period)
        ms = best_ms({"table": table, "bare": bare_counts}, args.repeat)
        result = table()
        weeks = sum(r.person_weeks for r in result)
        rate = sum(r.on_time for r in result) / weeks if weeks else 0.0
        counts = bare_counts()
        print(
            f"      {f'{len(result)} rows: {label}':<38} {ms['table']:>13.2f} {ms['bare']:>12.2f}"
            f" {ms['table'] / ms['bare']:>5.1f}x"
            f"  {_verdict(ms['table'] < TARGET_TABLE_MS) if target else '    '}"
            f"  ({weeks:,} person-weeks, {rate:.1%} on time; {counts[0]:,} people, {counts[1]:,} contacts)",
            flush=True,
        )
        if args.explain and target:
            _print_plans(table, bare)


def run(args: argparse.Namespace) -> None:
    """One database (of LINLI_DATABASE_URL): load, then measure."""
    _django()
    from django.db import connection

    connection.ensure_connection()
    if connection.vendor == "sqlite":
        print(
            f"\nsqlite {connection.connection.execute('select sqlite_version()').fetchone()[0]}", flush=True
        )
    else:
        print(f"\npostgres {connection.connection.info.parameter_status('server_version')}", flush=True)
    load(args)
    measure(args)


# ---------------------------------------------------------------- the two databases


def postgres_bin() -> bool:
    import glob

    return bool(shutil.which("initdb") or glob.glob("/usr/lib/postgresql/*/bin/initdb"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=1_200_000)
    parser.add_argument("--key-persons", type=int, default=50_000)
    parser.add_argument("--contacts", type=int, default=5_000_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--repeat", type=int, default=5, help="run every measurement this often, keep the fastest"
    )
    parser.add_argument("--history-days", type=int, default=91, help="days the contacts are spread over")
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    parser.add_argument("--run", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not 0 < args.key_persons <= args.residents or args.contacts < 1 or args.repeat < 1:
        parser.error("needs 0 < --key-persons <= --residents, --contacts >= 1 and --repeat >= 1")

    if args.run:
        run(args)
        return

    print(
        f"worklist: {args.residents:,} residents, {args.key_persons:,} key persons,"
        f" {args.contacts:,} contacts over {args.history_days} days",
        flush=True,
    )
    forwarded = [
        "--run", "--residents", str(args.residents), "--key-persons", str(args.key_persons),
        "--contacts", str(args.contacts), "--repeat", str(args.repeat),
        "--history-days", str(args.history_days),
        *(["--explain"] if args.explain else []),
    ]  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="linli-bench-") as tmp:
        work = Path(tmp)
        env = {
            **os.environ,
            # Not in debug mode: no query log in the timings.
            "LINLI_DEBUG": "0",
            "LINLI_SECRET_KEY": secrets.token_urlsafe(40),
            "LINLI_VAR_DIR": str(work / "var"),
            "LINLI_LOG_LEVEL": "WARNING",
        }
        env.pop("LINLI_DATABASE_URL", None)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
        command = [sys.executable, str(Path(__file__).resolve()), *forwarded]

        if args.db in ("sqlite", "both"):
            sqlite_env = {**env, "LINLI_DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}"}
            subprocess.run(command, env=sqlite_env, cwd=REPO, check=True)
            for suffix in ("", "-wal", "-shm"):
                (work / f"bench.sqlite3{suffix}").unlink(missing_ok=True)
        if args.db in ("postgres", "both"):
            if not postgres_bin():
                print("\npostgres: skipped (no initdb on PATH or in /usr/lib/postgresql/*/bin)")
                return
            subprocess.run([str(REPO / "scripts" / "with-postgres"), *command], env=env, cwd=REPO, check=True)


if __name__ == "__main__":
    main()
