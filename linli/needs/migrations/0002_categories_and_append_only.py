"""The categories of S2 with their default urgency, deadline and outside body; and a timeline that the
database keeps append-only (UPDATE and DELETE on request events are refused, as for audit events)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

from linli.core.append_only import append_only

# code, name, default urgency, hours per level (None: by urgency), outside competent body, description
CATEGORIES = [
    ("supply_delivery", "物资配送", "normal", None, "", "生活物资专线配送"),
    ("green_channel", "绿色通道/就医转运", "urgent", 2, "区卫生健康委", "危重病人就医、转运"),
    ("medicine_purchase", "暖心买手/代购药品", "high", None, "", "代购药品、母婴用品"),
    ("temporary_housing", "安心安置", "high", None, "", "临时安置住所"),
    ("errands", "代购代办", "normal", None, "", "代购生活用品、代办事项"),
    ("medical_visit", "送医送药", "high", None, "", "上门诊疗、送药上门"),
    ("hospital_registration", "网上挂号缴费", "normal", None, "", "代为网上挂号、缴费"),
    ("utility_hazard", "水电气暖隐患", "high", None, "", "水、电、燃气、供暖故障或隐患"),
    ("dispute", "矛盾纠纷", "high", None, "", "邻里、家庭、物业等纠纷"),
    ("price_gouging", "哄抬物价", "normal", None, "区市场监督管理局", "哄抬物价等市场违法行为"),
    ("escort", "跨区护送", "high", None, "刑侦支队、交警支队", "跨区护送人员或物资"),
    ("other", "其他", "normal", None, "", "其他诉求"),
]

def add_categories(apps: Any, schema_editor: Any) -> None:
    category = apps.get_model("needs", "RequestCategory")
    for order, (code, name, urgency, hours, body, description) in enumerate(CATEGORIES, start=1):
        category.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "default_urgency": urgency,
                "deadline_hours": hours,
                "handoff_body": body,
                "description": description,
                "sort_order": order * 10,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("needs", "0001_initial")]

    operations = [
        migrations.RunPython(add_categories, migrations.RunPython.noop),
        append_only("needs_requestevent", "needs_event", "request events are append-only"),
    ]
