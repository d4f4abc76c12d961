"""API tokens: listed and revoked by their owner, by a security administrator, and at sign-out of the device
that made them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from linli.accounts.models import ApiToken, User
from linli.accounts.services.api_tokens import api_token_issue, api_tokens_revoke_all
from linli.audit.models import AuditEvent
from linli.conftest import DEMO_PASSWORD
from linli.core.errors import ServiceError

pytestmark = pytest.mark.django_db


def test_the_token_endpoint_gives_a_short_lived_token():
    response = Client().post(
        "/api/v1/auth/token",
        {"username": "grid-nq", "password": DEMO_PASSWORD, "label": "巡逻终端 3"},
        content_type="application/json",
    )
    assert response.json()["expires_in_days"] == 7
    token = ApiToken.objects.get(user__username="grid-nq", label="巡逻终端 3")
    assert abs(token.expires_at - token.created_at - timedelta(days=7)) < timedelta(minutes=1)


def test_owners_list_and_revoke_their_tokens_over_the_api(api_for):
    client = api_for("grid-nq")
    api_for("grid-tq")
    other = ApiToken.objects.filter(user__username="grid-tq").latest("id")
    listed = client.get("/api/v1/auth/tokens").json()
    assert [t["id"] for t in listed] == list(
        ApiToken.objects.filter(user__username="grid-nq")
        .order_by("-created_at", "-id")
        .values_list("id", flat=True)
    )
    assert client.delete(f"/api/v1/auth/tokens/{other.pk}").status_code == 404
    own = listed[0]["id"]
    assert client.delete(f"/api/v1/auth/tokens/{own}").status_code == 204
    assert client.get("/api/v1/me").status_code == 401
    assert AuditEvent.objects.filter(action="api_token.revoke", object_id=str(own)).exists()


def test_api_sign_out_revokes_the_token_of_that_device(api_for):
    client = api_for("squad-nq")
    assert client.post("/api/v1/auth/logout").status_code == 204
    assert client.get("/api/v1/me").status_code == 401


def test_a_token_made_in_a_web_session_is_revoked_when_that_session_signs_out(client_for):
    web = client_for("officer-nq")
    page = web.post("/account/tokens/", {"label": "值班室电脑"}).content.decode()
    raw = page.split('<code class="token">')[1].split("</code>")[0]
    bearer = Client(headers={"authorization": f"Bearer {raw}"})
    assert bearer.get("/api/v1/me").status_code == 200
    assert "值班室电脑" in web.get("/account/tokens/").content.decode()
    assert "共 1 条令牌记录" in web.get("/account/").content.decode()
    web.post("/logout/")
    assert bearer.get("/api/v1/me").status_code == 401
    assert ApiToken.objects.get(label="值班室电脑").revoked_at is not None


def test_owners_revoke_on_the_tokens_page_and_nobody_else_can(client_for, api_for):
    api_for("nanqiao")
    token = ApiToken.objects.filter(user__username="nanqiao").latest("id")
    assert client_for("touqiao").post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    assert client_for("nanqiao").post(f"/account/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_security_admin_revokes_every_token_of_an_account_in_the_district(client_for, api_for):
    bearer = api_for("grid-nq")
    security = client_for("secadmin")
    page = security.get("/account/security/?q=grid-nq").content.decode()
    assert "grid-nq" in page
    response = security.post("/account/security/grid-nq/", {"action": "revoke_tokens", "reason": "终端丢失"})
    assert response.status_code == 302
    assert bearer.get("/api/v1/me").status_code == 401
    assert AuditEvent.objects.filter(action="api_token.revoke_all", actor_username="secadmin").exists()
    # Outside the district, and for other roles, the same 404 as an unknown account.
    assert security.post("/account/security/grid-as/", {"action": "unlock", "reason": "x"}).status_code == 404
    assert client_for("admin").get("/account/security/").status_code == 404
    assert (
        client_for("sysadmin")
        .post("/account/security/grid-nq/", {"action": "unlock", "reason": "x"})
        .status_code
        == 404
    )


def test_a_device_label_too_long_is_refused_in_the_same_words_everywhere(client_for):
    # One limit (ApiToken.label's max_length), one message, and no label cut short.
    label = "终" * 51
    api = Client().post(
        "/api/v1/auth/token",
        {"username": "grid-nq", "password": DEMO_PASSWORD, "label": label},
        content_type="application/json",
    )
    assert api.status_code == 422
    assert api.json()["errors"][0]["msg"] == "最多 50 字"
    page = client_for("grid-nq").post("/account/tokens/", {"label": label}).content.decode()
    assert "最多 50 字" in page
    with pytest.raises(ServiceError, match="最多 50 字"):
        api_token_issue(user=User.objects.get(username="grid-nq"), label=label)
    assert not ApiToken.objects.filter(user__username="grid-nq").exists()


def test_an_administrators_reason_too_long_is_refused_in_the_same_words_by_page_and_service(client_for):
    security = client_for("secadmin")
    reason = "丢" * 201
    data = {"action": "revoke_tokens", "reason": reason}
    response = security.post("/account/security/grid-nq/", data, follow=True)
    assert "最多 200 字" in response.content.decode()
    with pytest.raises(ServiceError, match="最多 200 字"):
        api_tokens_revoke_all(
            actor=User.objects.get(username="secadmin"),
            user=User.objects.get(username="grid-nq"),
            reason=reason,
        )
    assert not AuditEvent.objects.filter(action="api_token.revoke_all").exists()
