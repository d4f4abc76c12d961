"""Every action code written anywhere in the code has a Chinese label."""

from __future__ import annotations

from linli.audit.selectors.labels import ACTION_LABELS


def test_every_action_code_in_the_code_has_a_label():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    codes: set[str] = set()
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        codes.update(re.findall(r'action="([a-z_]+\.[a-z_]+)"', text))
        codes.update(re.findall(r'action="[a-z_.]+" if \w+ else "([a-z_]+\.[a-z_]+)"', text))
    assert codes, "no audit_record calls found"
    assert {"resident.view", "love_card.issue", "auth.login"} <= codes
    assert sorted(codes - set(ACTION_LABELS)) == []
