"""Schemathesis against /api/v1/openapi.json: every operation, called in-process through the WSGI app as
a signed-in persona, gives no server error and answers as its schema says.

Bounded and repeatable: at most EXAMPLES generated cases per operation, derandomized (the same cases on
every run), no example database, explicit and generated phases only (no shrinking). Everything it
writes happens inside the test's transaction and is rolled back.
"""

from __future__ import annotations

from typing import Any

import pytest

EXAMPLES = 10


def _check(operation: Any, headers: dict[str, str]) -> None:
    """Call the operation with EXAMPLES generated cases; raises on the first failing check."""
    from hypothesis import HealthCheck, Phase, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import response_schema_conformance

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def call(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=[not_a_server_error, response_schema_conformance])

    call()


@pytest.mark.django_db
def test_the_api_answers_as_its_schema_says_and_never_fails(persona):
    import schemathesis
    from django.core.signals import request_finished, request_started
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    nanqiao = persona("nanqiao")
    # As Django's test client does: the requests must not close the test's connection (and transaction).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        _run_all(nanqiao, schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application()))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _run_all(user: Any, schema: Any) -> None:
    from linli.accounts.services.api_tokens import api_token_issue

    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        # A token of its own for each operation: signing out or revoking a token ends only that one.
        headers = {"Authorization": f"Bearer {api_token_issue(user=user)}"}
        try:
            _check(operation, headers)
        except Exception as exc:
            text = str(exc).strip()
            failures.append(
                f"{operation.method.upper()} {operation.path}: {text[:400] or type(exc).__name__}"
            )
    assert operations >= 20, operations
    assert failures == [], "\n\n".join(failures)
