"""Shared test fixtures: the demo data set, loaded once per test database, and its personas.

Personas (STYLE 13) and what each may do, all from `linli demo`:
- admin       district business admin of 奉贤 (310120): sees and works everything in Fengxian; since 三员分立
              neither grants accounts nor reads the audit log.
- sysadmin    system admin of 奉贤: units and accounts; sees the unit structure, no personal data, no audit.
- secadmin    security admin of 奉贤: unlocks accounts, resets two-factor devices, forces password changes,
              revokes tokens; no personal data, no audit.
- auditor     auditor of 奉贤: sees everything in Fengxian (masked), reads the audit log, changes nothing.
- nanqiao     南桥派出所 office (310120.01): sees and manages 南桥's communities and grids.
- touqiao     头桥派出所 office (310120.09): the outsider for anything under 南桥.
- zhian       治安支队 (310120.B01): sees its department and the structure of 南桥、江海、奉浦、西渡、金海.
- jingzhen    经侦支队 (310120.B02): the same for 头桥 and the eleven other stations it liaises with.
- zhengzhi    政治处 (310120.B..): marks solved requests as typical cases; sees no personal data.
- officer-nq  community officer of 南桥's first two committees (310120.01.001, .002): manages them.
- squad-nq    squad leader of 310120.01.001.01: sees that grid, changes no units.
- grid-nq     grid worker of 310120.01.001.01: sees only that grid, changes no units.
- grid-tq     grid worker of 310120.09.001.01: the outsider for 南桥.
- angsu       昂素镇 office (150623.01), in the second district with the Angsu level labels.
- grid-as     grid worker of 150623.01.001.01.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core.cache import cache
from django.test import Client

NANQIAO = "310120.01"
TOUQIAO = "310120.09"
NQ_COMMUNITY = "310120.01.001"
NQ_COMMUNITY_2 = "310120.01.002"
NQ_COMMUNITY_3 = "310120.01.003"
NQ_GRID = "310120.01.001.01"
NQ_GRID_2 = "310120.01.001.02"
TQ_GRID = "310120.09.001.01"
ANGSU_TOWN = "150623.01"
ZHIAN = "310120.B01"
JINGZHEN = "310120.B02"
DEMO_PASSWORD = "linli-demo-2026"


class CheapArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2 at its lowest cost, for the test run only.

    A real hash costs about a quarter of a second and 100 MB, by design; the sign-in and lockout tests
    make hundreds. The algorithm and the stored format stay argon2's (a hash records its own costs, so
    hashes made at the full cost still verify), and `linli serve` in the browser tests keeps the real one.
    """

    time_cost = 1
    memory_cost = 64
    parallelism = 1


def pytest_configure(config: Any) -> None:
    from django.conf import settings
    from django.test.signals import setting_changed

    hashers = ["linli.conftest.CheapArgon2PasswordHasher", *settings.PASSWORD_HASHERS]
    settings.PASSWORD_HASHERS = hashers
    # Django's own receiver of this signal empties its cache of hasher instances.
    setting_changed.send(sender=type(settings), setting="PASSWORD_HASHERS", value=hashers, enter=True)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """The test database starts with the demo tree and personas; each test rolls back its changes."""
    from linli.demo.org import load_org_demo

    with django_db_blocker.unblock():
        load_org_demo(password=DEMO_PASSWORD)


@pytest.fixture(autouse=True)
def _isolate(settings: Any) -> Iterator[None]:
    cache.clear()
    yield


@pytest.fixture
def persona(db: None) -> Callable[[str], Any]:
    from linli.accounts.models import User

    def get(username: str) -> Any:
        return User.objects.get(username=username)

    return get


@pytest.fixture
def client_for(db: None) -> Callable[[str], Client]:
    """A browser-like client signed in as a persona (session login, CSRF checks on)."""
    from linli.accounts.models import User

    def make(username: str) -> Client:
        client = Client(enforce_csrf_checks=False)
        client.force_login(User.objects.get(username=username))
        return client

    return make


@pytest.fixture
def api_for(db: None) -> Callable[[str], Client]:
    """An API client holding a bearer token for a persona."""
    from linli.accounts.models import User
    from linli.accounts.services.api_tokens import api_token_issue

    def make(username: str) -> Client:
        token = api_token_issue(user=User.objects.get(username=username))
        return Client(headers={"authorization": f"Bearer {token}"})

    return make


@pytest.fixture(scope="session")
def scratch_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The environment of a scratch database with committed data, migrated and holding the demo tree and
    personas, shared by the tests that need other processes to see their data (races, a killed import);
    see linli/core/tests/scratch_db.py."""
    from linli.core.tests.scratch_db import prepare, scratch_database

    with scratch_database(tmp_path_factory.mktemp("scratch") / "var") as env:
        prepare(env)
        yield env


@pytest.fixture(scope="session")
def _chromium_ready() -> None:
    """Skip the browser tests without Debian's Chromium; on CI (CI=true) its absence is a failure."""
    import os

    from linli.core.tests.browser_support import chromium_missing_reason

    reason = chromium_missing_reason()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests cannot run on CI: {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="module")
def browser(_chromium_ready: None) -> Iterator[Any]:
    """Debian's Chromium through Playwright, one per test module."""
    from playwright.sync_api import sync_playwright

    from linli.core.tests.browser_support import launch_chromium

    with sync_playwright() as p:
        chromium = launch_chromium(p)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def base_url(_chromium_ready: None) -> Iterator[str]:
    """One real `linli serve` with the demo loaded, shared by every browser test module of the run.

    Starting a server costs about 20 s (migrate and the demo); the journeys use different people and
    places, and each asserts on what it changed itself, so one server serves them all.
    """
    from linli.core.tests.browser_support import linli_server

    with linli_server() as url:
        yield url
