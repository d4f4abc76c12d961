"""Password rules, in Chinese: long enough, and not only digits or only letters."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


class LengthValidator:
    def __init__(self, min_length: int = 10) -> None:
        self.min_length = min_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(f"口令至少 {self.min_length} 个字符", code="password_too_short")

    def get_help_text(self) -> str:
        return f"至少 {self.min_length} 个字符"


class MixedCharactersValidator:
    """Digits only (a birthday, a phone number) or letters only (a word) are refused."""

    def validate(self, password: str, user: Any = None) -> None:
        if password.isdigit():
            raise ValidationError("口令不能全是数字", code="password_entirely_numeric")
        if password.isalpha():
            raise ValidationError("口令不能全是字母", code="password_entirely_alphabetic")

    def get_help_text(self) -> str:
        return "不能全是数字或全是字母"
