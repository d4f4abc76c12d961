"""What keeps the public grid intake page (/g/<grid>/ask) usable by residents and useless to scripts.

Three checks, none needing an account: a honeypot field people never see, a small sum to work out whose
answer travels signed with the time it was asked (not older than 30 minutes, not answered within three
seconds, each question answered once), and at most a few filings an hour from one address.

The counters and the answered questions live in the database (IntakeFilingCount, IntakeAnsweredQuestion),
claimed with a conditional UPDATE and an INSERT under a unique constraint in the filing's own
transaction: concurrent filings cannot pass the limit or reuse an answer, a filing that fails gives its
slot and its question back, and every server process sees the same counts. `linli tick` deletes
expired rows (intake_guard_purge).
"""

from __future__ import annotations

import datetime
import ipaddress
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from linli.needs.models import IntakeAnsweredQuestion, IntakeFilingCount

SALT = "linli.needs.public-intake"
MAX_AGE_SECONDS = 30 * 60
MIN_SECONDS = 3
FILINGS_PER_HOUR = 5


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


def filer_address(address: str) -> str:
    """The address a filing is counted against: IPv4 as is, IPv6 by its /64 (one household's network)."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def _hour(now: datetime.datetime) -> datetime.datetime:
    return now.replace(minute=0, second=0, microsecond=0)


def rate_claim(address: str, *, now: datetime.datetime | None = None) -> None:
    """Count one filing from `address` in this clock hour, or refuse if it already has the limit.

    Call inside the filing's transaction: the conditional UPDATE holds the row until it commits, so
    concurrent filings queue and each sees the count the others left.
    """
    key = {"address": filer_address(address), "hour": _hour(now or timezone.now())}
    below_limit = IntakeFilingCount.objects.filter(**key, count__lt=FILINGS_PER_HOUR)
    if below_limit.update(count=F("count") + 1):
        return
    if not IntakeFilingCount.objects.filter(**key).exists():
        try:
            with transaction.atomic():
                IntakeFilingCount.objects.create(**key, count=1)
            return
        except IntegrityError:
            # Another filing created the row first: count on it like everyone else.
            if below_limit.update(count=F("count") + 1):
                return
    raise IntakeRefused(f"同一网络每小时最多提交{FILINGS_PER_HOUR}条诉求，请稍后再试；紧急情况请直接拨打110")


def challenge_spend(nonce: str, *, now: datetime.datetime | None = None) -> None:
    """Mark the question answered; a second filing with the same answer is refused."""
    expires_at = (now or timezone.now()) + datetime.timedelta(seconds=MAX_AGE_SECONDS + 60)
    try:
        with transaction.atomic():
            IntakeAnsweredQuestion.objects.create(nonce=nonce, expires_at=expires_at)
    except IntegrityError:
        raise IntakeRefused("该验证问题已使用，请回答新的问题", field="answer") from None


@contextmanager
def filing_admitted(*, address: str, nonce: str) -> Iterator[None]:
    """Claim a slot of the hourly limit and spend the question, then run the filing inside the same
    transaction: if the filing fails, both are given back; IntakeRefused if either is refused."""
    with transaction.atomic():
        rate_claim(address)
        challenge_spend(nonce)
        yield


def intake_guard_purge() -> int:
    """Delete the counts of past hours and the answered questions no token can carry any more."""
    now = timezone.now()
    counts, _ = IntakeFilingCount.objects.filter(hour__lt=_hour(now)).delete()
    answered, _ = IntakeAnsweredQuestion.objects.filter(expires_at__lt=now).delete()
    return counts + answered
