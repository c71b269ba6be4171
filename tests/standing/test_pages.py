"""Standing-list pages, their export and API, and the household card."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.standing import plant
from ybss.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _cells(content: bytes) -> list[list[str]]:
    ws = load_workbook(io.BytesIO(content)).active
    return [[str(c) if c is not None else "" for c in row] for row in ws.iter_rows(values_only=True)]


def test_index_counts_each_list(county, client_for):
    a = county.a
    plant.house(a, use="rented")
    resp = client_for(a.users["officer"]).get("/lists/")
    assert resp.status_code == 200
    assert 'data-list="unfiled_rentals">1<' in resp.content.decode()


def test_list_page_shows_planted_rows(county, client_for):
    a = county.a
    h = plant.house(a, use="rented")
    p = plant.resident(a, h, "floating")
    body = client_for(a.users["officer"]).get("/lists/inflow_rentals/").content.decode()
    assert p.name in body and f"/persons/{p.pk}/" in body


def test_unknown_list_page_is_404(county, client_for):
    assert client_for(county.a.users["officer"]).get("/lists/nope/").status_code == 404


def test_bad_visa_days_on_the_page_is_a_field_error(county, client_for):
    resp = client_for(county.a.users["officer"]).get("/lists/visa_expiring/", {"days": "999"})
    assert resp.status_code == 400
    assert 'class="field-error"' in resp.content.decode()


def test_bad_visa_days_on_the_api_is_a_field_error(county, client_for):
    resp = client_for(county.a.users["officer"]).get("/api/lists/visa_expiring", {"days": "0"})
    assert resp.status_code == 400
    assert resp.json()["code"] == "invalid_parameter"
    assert "days" in resp.json()["fields"]


def test_chief_cannot_see_other_station_rows(county, client_for):
    a, b = county.a, county.b
    hb = plant.house(b, use="rented")
    pb = plant.resident(b, hb, "floating", separated=True)
    client = client_for(a.users["chief"])
    for code in ("inflow_rentals", "separated", "unfiled_rentals"):
        page = client.get(f"/lists/{code}/").content.decode()
        assert pb.name not in page and hb.address.full_name not in page, code
        api = client.get(f"/api/lists/{code}")
        assert api.json()["count"] == 0, code
        export = client.post(f"/lists/{code}/export/", {"purpose": "核查"})
        assert export.status_code == 200
        text = repr(_cells(export.content))
        assert pb.name not in text and hb.address.full_name not in text, code


def test_chief_filtering_by_other_station_prefix_sees_nothing(county, client_for):
    b = county.b
    plant.house(b, use="rented")
    resp = client_for(county.a.users["chief"]).get("/api/lists/unfiled_rentals", {"police_unit": "610524503"})
    assert resp.status_code == 200 and resp.json()["count"] == 0


def test_api_lists_counts_and_rows(county, client_for):
    a = county.a
    h = plant.house(a, use="rented")
    client = client_for(a.users["officer"])
    lists = {x["code"]: x["count"] for x in client.get("/api/lists").json()}
    assert lists["unfiled_rentals"] == 1
    rows = client.get("/api/lists/unfiled_rentals").json()
    assert [r["record_id"] for r in rows["items"]] == [h.pk]


def test_export_requires_a_purpose(county, client_for):
    before = AuditEvent.objects.filter(action="export").count()
    resp = client_for(county.a.users["officer"]).post("/lists/separated/export/", {"purpose": "  "})
    assert resp.status_code == 400
    assert 'class="field-error"' in resp.content.decode()
    assert AuditEvent.objects.filter(action="export").count() == before


def test_export_writes_an_audit_row_with_its_purpose(county, client_for):
    a = county.a
    h = plant.house(a)
    plant.resident(a, h, "lodging", separated=True)
    resp = client_for(a.users["officer"]).post("/lists/separated/export/", {"purpose": "人户分离清理"})
    assert resp.status_code == 200
    ev = AuditEvent.objects.filter(action="export").order_by("-id").first()
    assert (ev.object_type, ev.purpose, ev.result_count) == ("standing.separated", "人户分离清理", 1)


def test_export_masks_identifiers_for_a_role_without_full_identifiers(county, client_for):
    a = county.a
    h = plant.house(a)
    p = plant.resident(a, h, "lodging", separated=True)
    resp = client_for(county.users["supervisor"]).post("/lists/separated/export/", {"purpose": "督查"})
    text = repr(_cells(resp.content))
    assert p.name in text
    assert p.id_number not in text and p.phone not in text


def test_export_is_forbidden_to_a_collector(county, client_for):
    resp = client_for(county.a.users["collector"]).post("/lists/separated/export/", {"purpose": "x"})
    assert resp.status_code == 403


def test_list_page_query_count_is_bounded(county, client_for, django_assert_max_num_queries):
    a = county.a
    for _i in range(15):
        u = plant.unit(a, special_trade="hotel")
        for _ in range(2):
            plant.employ(a, u, plant.person(a))
    client = client_for(a.users["officer"])
    with django_assert_max_num_queries(25):
        resp = client.get("/lists/special_units/")
    assert resp.status_code == 200
    h = plant.house(a, use="rented")
    for _ in range(15):
        plant.resident(a, h, "floating")
    with django_assert_max_num_queries(25):
        assert client.get("/lists/inflow_rentals/").status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get("/lists/").status_code == 200


def test_household_card_shows_residents_and_audits_each(county, client_for):
    a = county.a
    h = plant.house(a)
    now = plant.resident(a, h, "lodging")
    past = plant.resident(a, h, "floating", active=False)
    resp = client_for(a.users["officer"]).get(f"/houses/{h.pk}/card/")
    body = resp.content.decode()
    assert resp.status_code == 200
    assert now.name in body and past.name in body and h.address.full_name in body
    read = set(
        AuditEvent.objects.filter(action="read", object_type="registry.person").values_list(
            "object_id", flat=True
        )
    )
    assert {str(now.pk), str(past.pk)} <= read


def test_household_card_masks_identifiers_by_role(county, client_for):
    a = county.a
    h = plant.house(a)
    p = plant.resident(a, h, "lodging")
    body = client_for(county.users["supervisor"]).get(f"/houses/{h.pk}/card/").content.decode()
    assert p.name in body and p.id_number not in body


def test_household_card_of_another_station_is_404(county, client_for):
    resp = client_for(county.a.users["chief"]).get(f"/houses/{county.b.house.pk}/card/")
    assert resp.status_code == 404


def test_household_card_pdf_is_a_pdf_and_audited(county, client_for):
    a = county.a
    h = plant.house(a)
    p = plant.resident(a, h, "lodging")
    resp = client_for(a.users["officer"]).get(f"/houses/{h.pk}/card.pdf")
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    assert resp.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="read", object_id=str(p.pk)).exists()


def test_household_card_pdf_of_another_station_is_404(county, client_for):
    resp = client_for(county.a.users["chief"]).get(f"/houses/{county.b.house.pk}/card.pdf")
    assert resp.status_code == 404


def test_export_holds_only_rows_of_the_users_jurisdiction(county, client_for):
    a, b = county.a, county.b
    mine = plant.resident(a, plant.house(a), "lodging", separated=True)
    theirs = plant.resident(b, plant.house(b), "lodging", separated=True)
    resp = client_for(a.users["officer"]).post("/lists/separated/export/", {"purpose": "人户分离清理"})
    text = repr(_cells(resp.content))
    assert mine.name in text and theirs.name not in text
    ev = AuditEvent.objects.filter(action="export").order_by("-id").first()
    assert ev.result_count == 1
