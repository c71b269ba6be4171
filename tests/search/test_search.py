"""One-box search: near spellings, traditional, pinyin, initials, partial and masked IDs, phones;
jurisdiction, purpose and audit."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import PersonFactory, make_id
from ybss.audit.models import AuditEvent
from ybss.core import events
from ybss.core.errors import InvalidInput
from ybss.registry.models import Person
from ybss.search.models import PersonKey
from ybss.search.selectors import search
from ybss.search.services import search_index_rebuild

pytestmark = pytest.mark.django_db

ZW_ID = make_id(birth="19850317", seq=412)


@pytest.fixture
def zw(county):
    a = county.a
    p = PersonFactory(
        id_number=ZW_ID,
        name="张伟",
        pinyin="zhangwei",
        phone="13712345678",
        birth_date=dt.date(1985, 3, 17),
        division=a.person.division,
        police_unit=a.person.police_unit,
    )
    PersonFactory(
        name="周文",
        birth_date=dt.date(1990, 1, 1),
        id_number=make_id(birth="19900101", seq=88),
        division=a.person.division,
        police_unit=a.person.police_unit,
    )
    search_index_rebuild()
    return p


def _pks(actor, text, **kw):
    res = search(actor=actor, text=text, purpose=kw.pop("purpose", "case"), **kw)
    return [h.pk for g in res.groups for h in g.hits], res


def _reasons(res):
    return [r for g in res.groups for h in g.hits for r in h.reasons]


def test_homophone_finds_near_spelling(county, zw):
    pks, res = _pks(county.a.users["officer"], "张玮")
    assert pks == [zw.pk]
    assert "name_homophone" in _reasons(res)


def test_traditional_characters_find_simplified_name(county, zw):
    pks, res = _pks(county.a.users["officer"], "張偉")
    assert pks == [zw.pk]
    assert "name_variant" in _reasons(res)


def test_exact_name_ranks_first_with_its_reason(county, zw):
    pks, res = _pks(county.a.users["officer"], "张伟")
    assert pks[0] == zw.pk
    assert res.groups[0].hits[0].reasons == ("name_exact",)


def test_pinyin_finds_name(county, zw):
    pks, res = _pks(county.a.users["officer"], "zhangwei")
    assert pks == [zw.pk]
    assert "pinyin" in _reasons(res)


def test_initials_and_birth_year_narrow(county, zw):
    officer = county.a.users["officer"]
    both, _ = _pks(officer, "zw")
    assert zw.pk in both and len(both) == 2  # 张伟 and 周文
    pks, res = _pks(officer, "zw 1985")
    assert pks == [zw.pk]
    assert {"initials", "birth_year"} <= set(_reasons(res))


def test_masked_id_finds_person(county, zw):
    masked = ZW_ID[:6] + "********" + ZW_ID[-4:]
    pks, res = _pks(county.a.users["officer"], masked)
    assert pks == [zw.pk]
    assert _reasons(res) == ["id_masked"]


def test_id_prefix_and_suffix_find_person(county, zw):
    officer = county.a.users["officer"]
    assert _pks(officer, ZW_ID[:10])[0] == [zw.pk]
    assert _pks(officer, ZW_ID[-6:])[0] == [zw.pk]
    assert _pks(officer, ZW_ID)[1].groups[0].hits[0].reasons == ("id_exact",)


def test_phone_last4_finds_person(county, zw):
    pks, res = _pks(county.a.users["officer"], "5678")
    assert zw.pk in pks
    assert "phone_last4" in _reasons(res)


def test_full_phone_finds_person(county, zw):
    assert _pks(county.a.users["officer"], "13712345678")[0] == [zw.pk]


def test_other_station_cannot_find_person(county, zw):
    for role in ("collector", "officer", "chief"):
        user = county.b.users[role]
        assert _pks(user, "张伟")[0] == []
        assert _pks(user, ZW_ID)[0] == []
        assert _pks(user, county.a.person.name)[0] == []


def test_person_living_in_jurisdiction_is_found_by_other_station(county, zw):
    b = county.b
    from tests.factories import ResidenceFactory

    ResidenceFactory(person=zw, house=b.house, division=b.house.division, police_unit=b.house.police_unit)
    assert _pks(b.users["officer"], "张伟")[0] == [zw.pk]


def test_search_without_purpose_is_refused(county, zw):
    with pytest.raises(InvalidInput) as exc:
        search(actor=county.a.users["officer"], text="张伟", purpose="")
    assert "purpose" in exc.value.fields
    assert not AuditEvent.objects.filter(action="search").exists()


def test_other_purpose_needs_a_note(county, zw):
    with pytest.raises(InvalidInput) as exc:
        search(actor=county.a.users["officer"], text="张伟", purpose="other")
    assert "purpose_note" in exc.value.fields


def test_empty_query_is_refused(county, zw):
    with pytest.raises(InvalidInput) as exc:
        search(actor=county.a.users["officer"], text=" ,, ", purpose="case")
    assert "q" in exc.value.fields


def test_every_search_is_audited_without_raw_id(county, zw):
    officer = county.a.users["officer"]
    search(actor=officer, text=f"{ZW_ID} 13712345678", purpose="other", purpose_note="协查通报")
    ev = AuditEvent.objects.filter(action="search").latest("id")
    assert "协查通报" in ev.purpose
    text = f"{ev.detail} {ev.purpose}"
    assert ZW_ID not in text and "13712345678" not in text
    assert ev.actor_id == officer.pk


def test_collector_sees_masked_id(county, zw):
    res = search(actor=county.a.users["collector"], text="张伟", purpose="collection")
    hit = res.groups[0].hits[0]
    assert hit.id_number != ZW_ID and hit.id_number.endswith(ZW_ID[-4:])


def test_index_follows_record_change(county, zw):
    officer = county.a.users["officer"]
    Person.objects.filter(pk=zw.pk).update(name="李娜", phone="13900001111")
    events.record_changed("registry.person", zw.pk)
    assert _pks(officer, "lina")[0] == [zw.pk]
    assert _pks(officer, "张伟")[0] == []
    assert _pks(officer, "13900001111")[0] == [zw.pk]


def test_rebuild_writes_keys_for_every_person(county, zw):
    assert PersonKey.objects.values("person_id").distinct().count() == Person.objects.count()


def test_reindex_command_rebuilds_the_index(county, zw):
    from io import StringIO

    from django.core.management import call_command

    PersonKey.objects.all().delete()
    out = StringIO()
    call_command("search", "reindex", "--quiet", stdout=out)
    assert "keys for" in out.getvalue()
    assert _pks(county.a.users["officer"], "zhangwei")[0] == [zw.pk]
