"""Watch lists: upload, approval, comparison, leads in the right district, audit."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.casework.conftest import csv_bytes
from tests.factories import PersonFactory, make_id
from ybss.audit.models import AuditEvent
from ybss.casework import services
from ybss.casework.models import Lead, LeadState, WatchList, WatchListState
from ybss.core.errors import Conflict, Forbidden, InvalidInput, NotFound

pytestmark = pytest.mark.django_db


def _zhang_wei(station):
    return PersonFactory(
        id_number=make_id(birth="19850505", seq=77),
        name="张伟",
        pinyin="zhangwei",
        birth_date=dt.date(1985, 5, 5),
        division=station.village,
        police_unit=station.district,
    )


def test_exact_id_hit_creates_a_lead_in_the_persons_district(county, upload):
    wl = upload([(county.b.person.id_number, "", "", "")])
    run = services.watchlist_run(actor=county.users["investigator"], pk=wl.pk)
    lead = Lead.objects.get(person=county.b.person)
    assert (run.hits, run.new_leads) == (1, 1)
    assert lead.police_unit_id == county.b.district.pk
    assert lead.division_id == county.b.village.pk
    assert lead.score == 1.0 and lead.reasons == ["id_same"]
    assert lead.state == LeadState.NEW


def test_fuzzy_name_and_birth_date_hit_creates_a_lead(county, upload):
    person = _zhang_wei(county.a)
    wl = upload([("", "张玮", "1985-05-05", "")])
    services.watchlist_run(actor=county.users["investigator"], pk=wl.pk)
    lead = Lead.objects.get()
    assert lead.person_id == person.pk
    assert lead.police_unit_id == county.a.district.pk
    assert "name_homophone" in lead.reasons and "birth_date" in lead.reasons
    assert 0.7 <= lead.score < 1.0


def test_other_names_on_the_same_birth_date_are_not_hits(county, upload):
    _zhang_wei(county.a)
    wl = upload([("", "李娜", "1985-05-05", "")])
    run = services.watchlist_run(actor=county.users["investigator"], pk=wl.pk)
    assert run.hits == 0 and not Lead.objects.exists()


def test_dismissed_lead_is_not_recreated_by_a_rerun(county, upload):
    wl = upload([(county.a.person.id_number, "", "", "")])
    services.watchlist_run(actor=county.users["investigator"], pk=wl.pk)
    lead = Lead.objects.get()
    services.lead_review(actor=county.a.users["officer"], pk=lead.pk, decision="dismissed", note="同号不同人")
    run = services.watchlist_run(actor=county.users["investigator"], pk=wl.pk)
    assert run.hits == 1 and run.new_leads == 0
    assert list(Lead.objects.values_list("state", flat=True)) == ["dismissed"]


def test_expired_list_is_not_compared(county, upload):
    wl = upload([(county.a.person.id_number, "", "", "")])
    WatchList.objects.filter(pk=wl.pk).update(expires_on=dt.date(2020, 1, 1))
    with pytest.raises(Conflict) as err:
        services.watchlist_run(actor=county.users["investigator"], pk=wl.pk)
    assert err.value.code == "list_inactive"
    assert WatchList.objects.get(pk=wl.pk).state == WatchListState.EXPIRED
    assert not Lead.objects.exists()


def test_withdrawn_list_is_not_compared(county, upload):
    wl = upload([(county.a.person.id_number, "", "", "")])
    services.watchlist_withdraw(actor=county.users["investigator"], pk=wl.pk)
    with pytest.raises(Conflict):
        services.watchlist_run(actor=county.users["investigator"], pk=wl.pk)


def test_unapproved_list_is_not_compared(county, upload):
    wl = upload([(county.a.person.id_number, "", "", "")], approve=False)
    with pytest.raises(Conflict):
        services.watchlist_run(actor=county.users["investigator"], pk=wl.pk)


def test_uploader_cannot_approve(county, upload):
    wl = upload([(county.a.person.id_number, "", "", "")], approve=False)
    with pytest.raises(Forbidden) as err:
        services.watchlist_approve(actor=county.users["investigator"], pk=wl.pk)
    assert err.value.code == "forbidden"
    wl.uploaded_by = county.users["admin"]
    wl.save()
    with pytest.raises(Forbidden) as err:
        services.watchlist_approve(actor=county.users["admin"], pk=wl.pk)
    assert err.value.code == "own_list"


def test_officer_cannot_upload(county):
    with pytest.raises(Forbidden):
        services.watchlist_upload(
            actor=county.a.users["officer"], name="x", kind="wanted", purpose="p",
            expires_on=dt.date.today() + dt.timedelta(days=3), file_name="a.csv", content=b"",
        )  # fmt: skip


def test_bad_rows_save_nothing_and_name_each_row(county):
    content = csv_bytes([("610524198001011230", "张三", "1980-01-01", ""), ("", "", "not a date", "12")])
    with pytest.raises(InvalidInput) as err:
        services.watchlist_upload(
            actor=county.users["investigator"], name="x", kind="wanted", purpose="p",
            expires_on=dt.date.today() + dt.timedelta(days=3), file_name="a.csv", content=content,
        )  # fmt: skip
    messages = [str(m) for m in err.value.fields["file"]]
    assert len(messages) == 4  # bad ID on row 2; no ID or name, bad date, bad region on row 3
    assert not WatchList.objects.exists()


def test_xlsx_upload_reads_rows(county):
    import io

    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["身份证号", "姓名", "出生日期"])
    wb.active.append([county.a.person.id_number, "王a明", dt.date(1980, 1, 1)])
    buf = io.BytesIO()
    wb.save(buf)
    wl = services.watchlist_upload(
        actor=county.users["investigator"], name="x", kind="missing", purpose="寻人",
        expires_on=dt.date.today() + dt.timedelta(days=3), file_name="a.xlsx", content=buf.getvalue(),
    )  # fmt: skip
    entry = wl.entries.get()
    assert entry.birth_date == dt.date(1980, 1, 1) and entry.name == "王a明"


def test_every_run_writes_an_audit_entry_with_the_purpose(county, upload):
    wl = upload([(county.a.person.id_number, "", "", "")], purpose="追逃比对2026")
    run = services.watchlist_run(actor=county.users["investigator"], pk=wl.pk)
    ev = AuditEvent.objects.get(object_type="casework.watchrun", object_id=str(run.pk))
    assert ev.purpose == "追逃比对2026" and ev.result_count == 1
    assert county.a.person.id_number not in str(ev.detail)


def test_officer_of_another_station_cannot_see_or_review_the_lead(county, upload):
    from ybss.casework.selectors import lead_get, lead_list

    wl = upload([(county.a.person.id_number, "", "", "")])
    services.watchlist_run(actor=county.users["investigator"], pk=wl.pk)
    lead = Lead.objects.get()
    other = county.b.users["officer"]
    assert not lead_list(actor=other).exists()
    with pytest.raises(NotFound):
        lead_get(actor=other, pk=lead.pk)
    with pytest.raises(NotFound):
        services.lead_review(actor=other, pk=lead.pk, decision="confirmed", note="x")
    assert lead_get(actor=county.a.users["officer"], pk=lead.pk).pk == lead.pk


def test_new_person_matching_an_active_list_creates_a_lead(
    county, upload, django_capture_on_commit_callbacks
):
    from ybss.audit.records import record_create
    from ybss.registry.models import Person

    number = make_id(birth="19900303", seq=55)
    upload([(number, "", "", "")])
    with django_capture_on_commit_callbacks(execute=True):
        person = record_create(
            actor=county.a.users["officer"], model=Person,
            fields={"id_number": number, "name": "赵六", "sex": "1", "birth_date": dt.date(1990, 3, 3)},
            division_id=county.b.village.pk, police_unit_id=county.b.district.pk,
        )  # fmt: skip
    lead = Lead.objects.get()
    assert lead.person_id == person.pk and lead.police_unit_id == county.b.district.pk
    assert AuditEvent.objects.filter(object_type="casework.watchrun", purpose="追逃比对").exists()
