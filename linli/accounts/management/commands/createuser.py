from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from linli.accounts.models import Role
from linli.accounts.services.users import membership_grant, user_create
from linli.core.errors import ServiceError
from linli.org.models import Unit


class Command(BaseCommand):
    help = "新建账号并授予某单位的角色。口令从终端输入，或用 --password-stdin 从标准输入读取。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="姓名")
        parser.add_argument("--unit", required=True, help="单位编码，如 310120.01")
        parser.add_argument("--role", required=True, choices=[r.value for r in Role])
        parser.add_argument("--phone", default="")
        parser.add_argument("--title", default="", help="职务，如 兼任居委副书记")
        parser.add_argument("--password-stdin", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        unit = Unit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(f"找不到单位 {options['unit']}")
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("口令：")
            if getpass.getpass("再次输入口令：") != password:
                raise CommandError("两次输入的口令不一致")
        try:
            with transaction.atomic():
                user = user_create(
                    actor=None,
                    username=options["username"],
                    display_name=options["name"],
                    password=password,
                    phone=options["phone"],
                )
                membership_grant(
                    actor=None, user=user, unit=unit, role=options["role"], title=options["title"]
                )
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"已创建账号 {user.username}：{unit.name} · {Role(options['role']).label}")
