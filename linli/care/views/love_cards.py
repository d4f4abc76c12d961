"""Pages for love contact cards: the finder's page (no login) and the staff's issue, revoke and print."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from linli.accounts.models import Capability
from linli.accounts.selectors.scope import scope_for
from linli.audit.services.events import audit_record
from linli.care.models import KeyPerson, LoveCard
from linli.care.selectors.key_persons import HEALTH_WITHHELD, can_view_health, get_key_person_for_user
from linli.care.selectors.love_cards import love_cards_for_unit
from linli.care.services.love_cards import (
    given_name,
    love_card_issue,
    love_card_revoke,
    love_card_scan,
    love_card_url,
)
from linli.core.errors import ServiceError
from linli.core.qr import qr_svg
from linli.core.users import signed_in
from linli.org.models import Unit
from linli.org.selectors.units import ReadOnlyAccess, get_unit_for_user


@never_cache
@require_http_methods(["GET", "POST"])
def finder_page(request: HttpRequest, token: str) -> HttpResponse:
    """What a passer-by sees after scanning a card: only what helps bring the person home."""
    location = request.POST.get("location", "")[:200] if request.method == "POST" else ""
    view = love_card_scan(
        token=token,
        client_address=request.META.get("REMOTE_ADDR", ""),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        location=location,
    )
    response = render(request, "care/lovecard_finder.html", {"card": view, "sent": bool(location.strip())})
    # The token is in the URL: never send it to another site (same-origin, not no-referrer: with no
    # referrer at all Chromium posts the form with "Origin: null", which the CSRF check refuses).
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _manage_key_person(request: HttpRequest, key_person_id: int) -> KeyPerson:
    user = signed_in(request.user)
    key_person = get_key_person_for_user(user, key_person_id)
    if not scope_for(user).can(Capability.MANAGE_CARE, key_person.unit_path):
        raise ReadOnlyAccess
    return key_person


@login_required
@never_cache
def card_page(request: HttpRequest, key_person_id: int) -> HttpResponse:
    user = signed_in(request.user)
    key_person = get_key_person_for_user(user, key_person_id)
    can_manage = scope_for(user).can(Capability.MANAGE_CARE, key_person.unit_path)
    # A card is issued for a wandering risk (dementia): whether one exists is a health detail.
    if not can_view_health(user, key_person.unit_path):
        return render(
            request, "care/lovecard_manage.html", {"key_person": key_person, "withheld": HEALTH_WITHHELD}
        )
    card = LoveCard.objects.filter(key_person=key_person, revoked_at__isnull=True).first()
    context: dict[str, object] = {
        "key_person": key_person,
        "card": card,
        "can_manage": can_manage,
        "scans": [],
    }
    if card is not None and can_manage:
        url = love_card_url(card, base_url=request.build_absolute_uri("/"))
        context.update({"url": url, "qr": mark_safe(qr_svg(url)), "scans": card.scans.all()[:20]})  # noqa: S308
    return render(request, "care/lovecard_manage.html", context)


@login_required
@require_POST
def card_issue(request: HttpRequest, key_person_id: int) -> HttpResponse:
    user = signed_in(request.user)
    key_person = _manage_key_person(request, key_person_id)
    try:
        love_card_issue(actor=user, key_person=key_person)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已发放新卡，旧卡链接已失效")
    return redirect("love-card", key_person_id=key_person.pk)


@login_required
@require_POST
def card_revoke(request: HttpRequest, key_person_id: int) -> HttpResponse:
    user = signed_in(request.user)
    key_person = _manage_key_person(request, key_person_id)
    card = LoveCard.objects.filter(key_person=key_person, revoked_at__isnull=True).first()
    if card is not None:
        try:
            love_card_revoke(actor=user, card=card, reason=request.POST.get("reason", ""))
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已作废，扫码将不再显示任何信息")
    return redirect("love-card", key_person_id=key_person.pk)


@login_required
@never_cache
def card_sheet(request: HttpRequest, code: str) -> HttpResponse:
    """An A4 sheet of the live cards under a unit, printed with the browser's print."""
    user = signed_in(request.user)
    unit = get_unit_for_user(user, code)
    if not scope_for(user).can(Capability.MANAGE_CARE, unit.path):
        raise ReadOnlyAccess
    base = request.build_absolute_uri("/")
    cards = []
    live = love_cards_for_unit(user=user, unit=unit)
    station_paths = {".".join(c.key_person.unit_path.split(".")[:2]) for c in live}
    stations = {u.path: u for u in Unit.objects.filter(path__in=station_paths)}
    for card in live:
        station = stations.get(".".join(card.key_person.unit_path.split(".")[:2]))
        url = love_card_url(card, base_url=base)
        name = given_name(card.key_person.resident.name)
        cards.append(
            {
                "card": card,
                "given_name": name,
                "station": station,
                "qr": mark_safe(qr_svg(url)),  # noqa: S308  (segno's own SVG)
            }
        )
    audit_record(
        actor=user,
        action="love_card.print",
        object_type="org.unit",
        object_id=unit.code,
        unit_path=unit.path,
        detail={"cards": len(cards)},
    )
    return render(request, "care/lovecard_sheet.html", {"unit": unit, "cards": cards})
