"""Materialised unit paths ("310120.07.0031.012") and the subtree range that makes them fast.

A subtree is one range on an indexed column: every path under P sorts between P and P + "/", because
segments are letters and digits and "." (0x2E) is the only byte between them and "/" (0x2F). This is a
plain B-tree range scan on SQLite and on PostgreSQL (the column uses the "C" collation there), unlike
LIKE 'P%', which SQLite only optimises for case-insensitive columns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db.models import Q

SEPARATOR = "."
_AFTER_SEPARATOR = "/"
_SEGMENT = re.compile(r"^[0-9A-Za-z]+$")


def is_valid_segment(segment: str) -> bool:
    return bool(_SEGMENT.match(segment))


def join(parent_path: str, segment: str) -> str:
    if not is_valid_segment(segment):
        raise ValueError(f"path segment must be letters and digits: {segment!r}")
    return f"{parent_path}{SEPARATOR}{segment}" if parent_path else segment


def depth(path: str) -> int:
    return path.count(SEPARATOR)


def ancestors(path: str) -> list[str]:
    """The paths above this one, root first (not including the path itself)."""
    parts = path.split(SEPARATOR)
    return [SEPARATOR.join(parts[:i]) for i in range(1, len(parts))]


def is_within(path: str, root: str) -> bool:
    return path == root or path.startswith(root + SEPARATOR)


def subtree_q(field: str, root: str) -> Q:
    """Rows whose `field` is `root` or lies under it: one index range scan."""
    return Q(**{f"{field}__gte": root, f"{field}__lt": root + _AFTER_SEPARATOR})


def strict_subtree_q(field: str, root: str) -> Q:
    """Rows strictly under `root`."""
    return Q(**{f"{field}__gt": root + SEPARATOR, f"{field}__lt": root + _AFTER_SEPARATOR})


def any_subtree_q(field: str, roots: Iterable[str]) -> Q:
    """Rows under any of `roots`; matches nothing when there are none."""
    q = Q(pk__in=[])
    for root in collapse(roots):
        q |= subtree_q(field, root)
    return q


def covering_q(field: str, roots: Iterable[str]) -> Q:
    """One index range over the roots' nearest common ancestor when they have one, else a range per root.

    A superset of `any_subtree_q` for roots that share an ancestor: the caller buckets rows exactly
    afterwards. For a district's 300 communities, one range costs less than 300 OR'ed ones.
    """
    split = [root.split(SEPARATOR) for root in collapse(roots)]
    common: list[str] = []
    for segments in zip(*split, strict=False):
        if len(set(segments)) > 1:
            break
        common.append(segments[0])
    if split and common:
        return subtree_q(field, SEPARATOR.join(common))
    return any_subtree_q(field, roots)


def collapse(roots: Iterable[str]) -> list[str]:
    """Drops roots that lie under another root, so that ranges never overlap."""
    result: list[str] = []
    for root in sorted(set(roots)):
        if not any(is_within(root, kept) for kept in result):
            result.append(root)
    return result
