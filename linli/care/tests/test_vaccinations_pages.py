"""The vaccination follow-up page and export, and the consolation visit form, per persona."""

from __future__ import annotations

import datetime
import io

import pytest
from django.utils import timezone
from python_calamine import CalamineWorkbook

from linli.care.models import ConsolationVisit
from linli.care.services.key_persons import CategoryInput, key_person_enrol
from linli.conftest import NQ_GRID
from linli.registry.models import Resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def elder(persona):
    today = timezone.localdate()
    resident = Resident.objects.create(
        name="孙大爷", document_kind="none", birth_date=today.replace(year=today.year - 82),
        residence_type="registered", unit_path=NQ_GRID,
    )  # fmt: skip
    return key_person_enrol(
        actor=persona("nanqiao"), resident=resident, categories=[CategoryInput("living_alone")]
    )


def test_vaccination_page_and_export(client_for, elder):
    page = client_for("grid-nq").get(f"/care/units/{NQ_GRID}/vaccination/")
    assert "孙大爷" in page.content.decode()
    export = client_for("grid-nq").get(f"/care/units/{NQ_GRID}/vaccination.xlsx")
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(export.content)).get_sheet_by_index(0).to_python()
    assert sheet[2][0] == "孙大爷"
    assert client_for("grid-tq").get(f"/care/units/{NQ_GRID}/vaccination/").status_code == 404
    assert client_for("zhian").get(f"/care/units/{NQ_GRID}/vaccination.xlsx").status_code == 404


def test_consolation_visit_form(client_for, elder):
    url = f"/care/key-persons/{elder.pk}/consolation-visits/new/"
    data = {
        "visited_on": timezone.localdate().isoformat(),
        "occasion": "重阳慰问",
        "goods": "牛奶",
        "fund": "慈善捐赠",
    }
    assert client_for("auditor").post(url, data).status_code == 403
    assert client_for("grid-tq").post(url, data).status_code == 404
    response = client_for("grid-nq").post(url, data, follow=True)
    assert "已登记走访慰问" in response.content.decode()
    assert "重阳慰问" in response.content.decode()
    assert ConsolationVisit.objects.get().fund == "慈善捐赠"
    bad = client_for("grid-nq").post(url, {**data, "amount": "很多"}, follow=True).content.decode()
    assert "慰问金应为金额" in bad
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    assert (
        "晚于今天"
        in client_for("grid-nq").post(url, {**data, "visited_on": future}, follow=True).content.decode()
    )
