"""The `linli` console command (also `python -m linli`).

linli serve       start the production server (gunicorn) on 127.0.0.1:$LINLI_PORT
linli migrate     apply database migrations
linli demo        load the demo data set (idempotent)
linli worker      run background tasks
linli createuser  create an account and give it a role on a unit
linli <any Django management command>
"""

from __future__ import annotations

import os
import sys


def _port() -> int:
    raw = os.environ.get("LINLI_PORT", "8000")
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        sys.stderr.write(f"LINLI_PORT 必须是 1–65535 之间的端口号，而不是 {raw!r}\n")
        raise SystemExit(2)
    return int(raw)


def _serve(args: list[str]) -> None:
    import django
    from django.core.management import call_command

    django.setup()
    # Refuse to serve a database with unapplied migrations; the operator runs `linli migrate` first.
    call_command("check", "--database", "default", verbosity=0)
    call_command("migrate", "--check", verbosity=0)
    bind = f"{os.environ.get('LINLI_HOST', '127.0.0.1')}:{_port()}"
    workers = os.environ.get("LINLI_WORKERS", "2")
    command = [
        sys.executable, "-m", "gunicorn", "linli.wsgi:application",
        "--bind", bind, "--workers", workers, "--threads", "4",
        "--access-logfile", "-", "--access-logformat", '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms',
        "--graceful-timeout", "10", *args,
    ]  # fmt: skip
    print(f"邻里已启动：http://{bind}/  （Ctrl-C 停止）", flush=True)
    # exec: gunicorn becomes this process, so Ctrl-C and SIGTERM reach it directly.
    os.execv(sys.executable, command)  # noqa: S606


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "serve":
        _serve(argv[1:])
        return
    if argv and argv[0] == "worker":
        argv = ["db_worker", *argv[1:]]
    from django.core.management import execute_from_command_line

    execute_from_command_line(["linli", *argv])


if __name__ == "__main__":
    main()
