"""The cadence rules a new deployment starts with: weekly for everyone, more often where risk is higher (C4)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

DEFAULT_RULES = [
    ("", "", 7),
    ("", "high", 3),
    ("dementia_wandering", "", 3),
    ("critically_ill", "", 2),
    ("pregnant", "high", 2),
]


def add_rules(apps: Any, schema_editor: Any) -> None:
    rule = apps.get_model("care", "CadenceRule")
    for category, risk_level, days in DEFAULT_RULES:
        rule.objects.get_or_create(category=category, risk_level=risk_level, defaults={"interval_days": days})


class Migration(migrations.Migration):
    dependencies = [("care", "0001_initial")]

    operations = [migrations.RunPython(add_rules, migrations.RunPython.noop)]
