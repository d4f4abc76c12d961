"""What keeps the public grid intake page (/g/<grid>/ask) usable by residents and useless to scripts.

Three checks, none needing an account: a honeypot field people never see, a small sum to work out whose
answer travels signed with the time it was asked (not older than 30 minutes, not answered within three
seconds, each question answered once), and at most a few filings an hour from one address.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from django.core import signing
from django.core.cache import cache
from django.utils.crypto import constant_time_compare, salted_hmac

SALT = "linli.needs.public-intake"
MAX_AGE_SECONDS = 30 * 60
MIN_SECONDS = 3
FILINGS_PER_HOUR = 5
_WINDOW_SECONDS = 3600


class IntakeRefused(Exception):
    """A check failed; `message` is the Chinese text shown on the form."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Challenge:
    question: str
    token: str


def _digest(nonce: str, answer: int) -> str:
    return salted_hmac(SALT, f"{nonce}:{answer}").hexdigest()[:24]


def challenge_new(*, now: float | None = None) -> Challenge:
    """A fresh sum; the token carries a keyed digest of the answer, never the answer itself."""
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    nonce = secrets.token_urlsafe(12)
    issued = int(now if now is not None else time.time())
    token = signing.dumps({"n": nonce, "h": _digest(nonce, a + b), "t": issued}, salt=SALT)
    return Challenge(question=f"{a} 加 {b} 等于多少？", token=token)


def challenge_check(*, token: str, answer: int | None, now: float | None = None) -> str:
    """The question's nonce if `answer` is right and in time; IntakeRefused otherwise."""
    now = now if now is not None else time.time()
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.SignatureExpired:
        raise IntakeRefused("验证问题已超过30分钟，请回答新的问题", field="answer") from None
    except signing.BadSignature:
        raise IntakeRefused("验证问题无效，请回答新的问题", field="answer") from None
    if not isinstance(data, dict) or not {"n", "h", "t"} <= data.keys():
        raise IntakeRefused("验证问题无效，请回答新的问题", field="answer")
    if now - float(data["t"]) > MAX_AGE_SECONDS:
        raise IntakeRefused("验证问题已超过30分钟，请回答新的问题", field="answer")
    if now - float(data["t"]) < MIN_SECONDS:
        raise IntakeRefused("提交太快了，请核对内容后再提交", field="answer")
    if answer is None or not constant_time_compare(_digest(str(data["n"]), answer), str(data["h"])):
        raise IntakeRefused("验证问题回答错误，请重新计算", field="answer")
    return str(data["n"])


def challenge_spend(nonce: str) -> None:
    """Mark the question answered; a second filing with the same answer is refused."""
    if not cache.add(f"linli:needs:intake:used:{nonce}", 1, MAX_AGE_SECONDS + 60):
        raise IntakeRefused("该验证问题已使用，请回答新的问题", field="answer")


def challenge_unspend(nonce: str) -> None:
    cache.delete(f"linli:needs:intake:used:{nonce}")


def _rate_key(address: str) -> str:
    return f"linli:needs:intake:rate:{address or 'unknown'}"


def rate_check(address: str) -> None:
    if int(cache.get(_rate_key(address), 0)) >= FILINGS_PER_HOUR:
        raise IntakeRefused(
            f"同一网络每小时最多提交{FILINGS_PER_HOUR}条诉求，请稍后再试；紧急情况请直接拨打110"
        )


def rate_count(address: str) -> None:
    """Count one filing; the window starts at the first filing and lasts an hour."""
    key = _rate_key(address)
    if not cache.add(key, 1, _WINDOW_SECONDS):
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, _WINDOW_SECONDS)
