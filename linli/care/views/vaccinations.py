"""Pages for the vaccination follow-up list (C7): the list and its export."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from linli.audit.services.reads import audit_read
from linli.care.selectors.vaccinations import vaccination_followup, vaccination_followup_xlsx
from linli.core.spreadsheet import XLSX_CONTENT_TYPE, download_response
from linli.core.users import signed_in
from linli.org.selectors.units import get_area_for_user


@login_required
@never_cache
def vaccination_list(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in(request.user)
    unit = get_area_for_user(user, code)
    rows = vaccination_followup(user=user, unit=unit)
    audit_read(user=user, action="vaccination.list", unit_path=unit.path, detail={"rows": len(rows)})
    return render(request, "care/vaccination_list.html", {"unit": unit, "rows": rows})


@login_required
@never_cache
def vaccination_export(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in(request.user)
    unit = get_area_for_user(user, code)
    data = vaccination_followup_xlsx(user=user, unit=unit)
    filename = f"{unit.name}疫苗接种随访-{unit.code}-{timezone.localdate():%Y%m%d}.xlsx"
    return download_response(data, filename=filename, content_type=XLSX_CONTENT_TYPE)
