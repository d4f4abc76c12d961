"""Where an import may write: the target unit's subtree, and for a user only within their full scope.

An import creates rows and updates rows that already lie there. A row whose key (ID number, address,
credit code) is held by a row outside is that row's error, and nothing about the holder is changed or
shown; the holder's units learn of the attempt through an audit event, with counts only.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from linli.audit.services.events import audit_record
from linli.core import paths
from linli.org.models import Unit
from linli.registry.services.imports.report import ImportFileError


def import_roots(*, actor: Any, unit: Unit) -> list[str]:
    """The subtrees an import into `unit` by `actor` may touch (`actor=None`: an operator's command)."""
    if actor is None:
        return [unit.path]
    from linli.accounts.selectors.scope import scope_for

    scope = scope_for(actor)
    if scope.covers(unit.path):
        return [unit.path]
    roots = [root for root in scope.full_roots if paths.is_within(root, unit.path)]
    if not roots:
        # A right to import without the residents' scope (a department's role): nothing to write into.
        raise ImportFileError("您在该单位没有可导入的辖区")
    return roots


def is_within_any(path: str, roots: list[str]) -> bool:
    return any(paths.is_within(path, root) for root in roots)


def audit_import(
    *, actor: Any, action: str, object_type: str, unit: Unit, touched: dict[str, dict[str, int]]
) -> None:
    """One event per unit whose rows the import wrote, each with that unit's counts (never a value)."""
    for unit_path, counts in sorted(touched.items()):
        audit_record(
            actor=actor,
            action=action,
            object_type=object_type,
            unit_path=unit_path,
            detail=counts if unit_path == unit.path else {**counts, "target_unit": unit.path},
        )


def audit_refused(*, actor: Any, action: str, object_type: str, unit: Unit, holders: Counter[str]) -> None:
    """Tell each unit holding keys an import was refused (outside its scope) how many there were."""
    for unit_path, count in sorted(holders.items()):
        audit_record(
            actor=actor,
            action=action,
            object_type=object_type,
            unit_path=unit_path,
            detail={"refused": count, "target_unit": unit.path},
        )
