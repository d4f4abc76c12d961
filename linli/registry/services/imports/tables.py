"""Reading the spreadsheets offices keep: the rows of an xlsx/xls (calamine) or a csv (UTF-8, GBK, UTF-16).

An upload is hostile until read, so this process never parses one: `read_table` starts
linli/registry/services/imports/sandbox.py as a child process with its own memory, CPU, output and file limits
and a wall-clock timeout kept from here, and reads back the rows it writes as JSON lines to a private
temporary file, while it writes them. A file the child refuses, a child killed by a limit or by the
timeout, a crash or any other exit without its end line becomes an ImportFileError with a Chinese
reason, at whatever row the caller has reached: the import's one transaction then writes nothing.
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from itertools import chain
from pathlib import Path

from django.conf import settings

from linli.registry.services.imports import sandbox
from linli.registry.services.imports.report import ImportFileError

logger = logging.getLogger(__name__)

SANDBOX_SCRIPT = Path(sandbox.__file__).resolve()
# The child's output: at most this much on disk, and no line (one batch) longer than this.
MAX_OUTPUT_BYTES = 4 * 1024 * 1024 * 1024
MAX_LINE_BYTES = 32 * 1024 * 1024
# A cell of calamine's sheet costs some tens of bytes; the area a sheet may span follows the memory limit.
BYTES_PER_CELL = 64

MSG_TIMEOUT = "解析文件超过 {seconds} 秒仍未完成，已终止；未写入任何数据，请拆分文件后重新导入"
MSG_TOO_BIG = "文件内容展开后过大，已拒绝导入；未写入任何数据"
MSG_CRASHED = "无法解析该文件（文件可能已损坏或被构造成异常格式），已拒绝导入；未写入任何数据"


_time_limit: ContextVar[float | None] = ContextVar("import_time_limit", default=None)


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Within this block, a child gets at most `seconds` (a web request must end well before the
    server's own worker timeout, which would kill the worker the child protects)."""
    token = _time_limit.set(seconds)
    try:
        yield
    finally:
        _time_limit.reset(token)


def sandbox_seconds() -> float:
    """Wall-clock seconds a child may run: LINLI_IMPORT_SECONDS, or less inside `time_limit`."""
    seconds = float(settings.LINLI_IMPORT_SECONDS)
    limit = _time_limit.get()
    return seconds if limit is None else min(seconds, limit)


def sandbox_limits() -> dict[str, int]:
    """The child's limits, from the settings (docs/security.md, "Hostile files")."""
    memory = int(settings.LINLI_IMPORT_MEMORY_MB) * 1024 * 1024
    seconds = sandbox_seconds()
    return {
        "max_rows": int(settings.LINLI_IMPORT_MAX_ROWS),
        "max_columns": int(settings.LINLI_IMPORT_MAX_COLUMNS),
        "max_cell_chars": int(settings.LINLI_IMPORT_MAX_CELL_CHARS),
        "max_cells": memory // BYTES_PER_CELL,
        "memory_bytes": memory,
        "cpu_seconds": max(1, int(seconds)),
        "output_bytes": MAX_OUTPUT_BYTES,
    }


def sandbox_command(path: Path, out: Path, limits: Mapping[str, int]) -> list[str]:
    """The child's command line: isolated mode (no environment, no user site, no script directory)."""
    return [sys.executable, "-I", str(SANDBOX_SCRIPT), str(path), str(out), json.dumps(dict(limits))]


def _exit_message(returncode: int, *, timed_out: bool, seconds: float) -> str:
    if timed_out or returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        return MSG_TIMEOUT.format(seconds=f"{seconds:g}")
    if returncode == -signal.SIGXFSZ:
        return MSG_TOO_BIG
    if returncode in (-signal.SIGABRT, -signal.SIGSEGV, -signal.SIGBUS, 3):
        return sandbox.MSG_MEMORY
    return MSG_CRASHED


def _batch(line: bytes) -> list[list[str]] | dict[str, object]:
    """One line of the child's output, checked for shape: a list of rows of str, or a final object."""
    try:
        item = json.loads(line)
    except ValueError:
        raise ImportFileError(MSG_CRASHED) from None
    if isinstance(item, dict):
        return item
    # Set-of-types checks run at C speed: this is per cell of a million-row import.
    if (
        isinstance(item, list)
        and set(map(type, item)) <= {list}
        and set(map(type, chain.from_iterable(item))) <= {str}
    ):
        return item
    raise ImportFileError(MSG_CRASHED)


def _sandboxed_rows(path: Path) -> Iterator[list[str]]:
    limits = sandbox_limits()
    seconds = sandbox_seconds()
    folder = Path(settings.VAR_DIR) / "imports" / "sandbox"
    folder.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(dir=folder))
    out = workdir / "rows.jsonl"
    out.touch(mode=0o600)
    process = subprocess.Popen(  # noqa: S603 - our own script; the file's path is an argument
        sandbox_command(path.resolve(), out, limits),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=workdir,
        env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        close_fds=True,
    )
    timed_out = threading.Event()

    def stop() -> None:
        timed_out.set()
        process.kill()

    timer = threading.Timer(seconds, stop)
    timer.daemon = True
    timer.start()
    try:
        with out.open("rb") as handle:
            pending = b""
            while True:
                data = handle.read(1 << 20)
                if not data:
                    if process.poll() is None:
                        with contextlib.suppress(subprocess.TimeoutExpired):
                            process.wait(timeout=0.01)
                        continue
                    data = handle.read()  # whatever it wrote before it exited
                    if not data:
                        logger.warning(
                            "import sandbox for %s ended with status %s", path.name, process.returncode
                        )
                        raise ImportFileError(
                            _exit_message(process.returncode, timed_out=timed_out.is_set(), seconds=seconds)
                        )
                pending += data
                *lines, pending = pending.split(b"\n")
                if len(pending) > MAX_LINE_BYTES:
                    raise ImportFileError(MSG_CRASHED)
                for line in lines:
                    item = _batch(line)
                    if isinstance(item, list):
                        yield from item
                    elif "error" in item:
                        raise ImportFileError(str(item["error"])[:300])
                    else:
                        return
    finally:
        timer.cancel()
        if process.poll() is None:
            process.kill()
        process.wait()
        shutil.rmtree(workdir, ignore_errors=True)


def read_table(path: Path) -> Iterator[list[str]]:
    """The rows of the first sheet of an xlsx/xls, or of a csv, whatever the file's name says.

    The file is parsed by a sandboxed child process (see the module docstring); errors about the file
    are raised as ImportFileError when the caller reaches them.
    """
    if not path.exists() or not path.is_file():
        raise ImportFileError("找不到文件")
    if path.stat().st_size == 0:
        raise ImportFileError("文件是空的")
    return _sandboxed_rows(path)


def map_columns(
    header: Sequence[str], columns: Mapping[str, tuple[str, tuple[str, ...]]], required: Sequence[str]
) -> dict[str, int]:
    """Column key → index, from the headers as offices write them (`columns`: key → (label, synonyms))."""
    by_text = {text.replace(" ", "").replace("\u3000", ""): i for i, text in enumerate(header) if text}
    found: dict[str, int] = {}
    for key, (_label, synonyms) in columns.items():
        for synonym in synonyms:
            if synonym in by_text:
                found[key] = by_text[synonym]
                break
    missing = [columns[k][0] for k in required if k not in found]
    if missing:
        raise ImportFileError(f"缺少必需的列：{'、'.join(missing)}（第 1 行应为表头）")
    return found
