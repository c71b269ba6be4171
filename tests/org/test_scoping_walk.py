"""Walk every web URL and every API route as users of two stations: none shows the other's records.

Each user of station a (collector, officer, chief) requests every route with station b's record ids
filled in (and the reverse). Reads must not contain any marker of the other station's records
(names, document numbers, phones, addresses); detail routes must answer 404; writes must change
nothing. A positive control proves each user does see their own station's records on the lists.
"""

from __future__ import annotations

import json
import re

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver

from ybss.api.main import iter_operations
from ybss.core.models import BusinessRecord
from ybss.registry.models import Employment, House, Person, Residence, Unit

pytestmark = pytest.mark.django_db

ROLES = ["collector", "officer", "chief"]


def _web_routes(patterns=None, prefix=""):
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            route = prefix + str(p.pattern)
            if route.startswith(("admin/", "api/")) or "i18n" in route:
                continue
            yield from _web_routes(p.url_patterns, route)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def _markers(station) -> list[str]:
    p, u = station.person, station.unit
    return [
        p.name,
        p.id_number,
        p.phone,
        p.pinyin,
        station.door.full_name,
        station.room.full_name,
        u.name,
        u.legal_rep_id_number,
    ]


class _Missing:
    pk = 999_999


class _ReportFile:
    pk = "export"  # jobs/<pk>/files/<name>: the file the other station's job does have


class _BulletinFile:
    pk = "pdf"  # supervision/bulletins/<pk>/files/<kind>


class _ListCode:
    pk = "no-such-list"  # lists/{code}: unknown is 404 (the lists are walked in test_standing_lists_*)


def _record_for(route: str, station, param: str):
    if "cleaning/items" in route:
        return station.cleaning_item
    if route.lstrip("/").startswith("tokens"):
        return _Missing  # the caller's own tokens: another user's token id behaves as missing
    if route.lstrip("/").startswith("notices"):
        return station.notice
    if route.lstrip("/").startswith("jobs"):
        return _ReportFile if param == "name" else station.job
    if route.lstrip("/").startswith("lists"):
        return _ListCode
    if param in ("residence_pk",):
        return station.residence
    if route.lstrip("/").startswith("appointments"):
        return station.appointment
    if route.lstrip("/").startswith(("review/photos", "collection/photos")):
        return station.photo
    if route.lstrip("/").startswith(("review", "collection/review")):
        return station.submission
    if route.lstrip("/").startswith("tasks"):
        return station.task
    if route.lstrip("/").startswith("quality"):
        return station.problem
    if route.lstrip("/").startswith(("supervision/targets", "supervision/assessment")):
        return station.target
    if route.lstrip("/").startswith("supervision/bulletins"):
        return _BulletinFile if param == "kind" else station.bulletin
    if route.lstrip("/").startswith("supervision/spot-checks"):
        return station.spot_item if "/items/" in route else station.spot_round
    if route.lstrip("/").startswith("casework/cases"):
        return station.case
    if route.lstrip("/").startswith("casework/leads"):
        return station.lead
    if route.lstrip("/").startswith(("casework/lists", "casework/watch-lists")):
        return station.watchlist
    for prefix, rec in (
        ("address", station.door),
        ("house", station.house),
        ("person", station.person),
        ("unit", station.unit),
    ):
        if route.lstrip("/").startswith(prefix) or f"/{prefix}" in route:
            return rec
    raise AssertionError(f"no record type for {route} {param}")


def _fill_web(route: str, station) -> str:
    def sub(m: re.Match[str]) -> str:
        return str(_record_for(route, station, m.group(2)).pk)

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: sub(m), route)


def _fill_api(path: str, station) -> str:
    return re.sub(
        r"\{(\w+)\}", lambda m: str(_record_for(path.removeprefix("/api/"), station, m.group(1)).pk), path
    )


@pytest.fixture(autouse=True)
def _cleaning_items(county):
    """A pending address-cleaning item in each station's queue, naming that station's door plate."""
    from ybss.transfer.models import AddressCleaningItem

    for station in (county.a, county.b):
        station.cleaning_item = AddressCleaningItem.objects.create(
            raw_text=f"{station.door.full_name}（旧）",
            normalised_text=f"{station.door.full_name}（旧）",
            police_unit=station.district,
            created_at=station.door.created_at,
        )


@pytest.fixture(autouse=True)
def _notices(county):
    """A notice addressed to each station, so the notice routes have something to leak."""
    from ybss.org.models import Notice

    for mine, other in ((county.a, county.b), (county.b, county.a)):
        mine.notice = Notice.objects.create(
            police_unit=mine.district,
            from_unit=other.district,
            kind="person_elsewhere",
            record_type="registry.person",
            record_id=mine.person.pk,
        )


@pytest.fixture(autouse=True)
def _jobs(county, settings):
    """A finished export job of each station's officer, whose file and result name that station's
    person: another user's job id must answer 404 on every job URL and leak none of it."""
    from ybss.jobs.models import Job

    for station in (county.a, county.b):
        folder = settings.YBSS_JOBS_DIR / f"walk-{station.key}"
        folder.mkdir(parents=True, exist_ok=True)
        p = station.person
        (folder / "export.csv").write_text(f"{p.name},{p.id_number},{p.phone}\n", encoding="utf-8")
        station.job = Job.objects.create(
            kind="export",
            actor=station.users["officer"],
            state="succeeded",
            params={"kind": "persons", "format": "csv"},
            result={"rows": 1, "issues": [{"row": 2, "value": p.id_number, "message": p.name}]},
            files={"export": {"path": f"walk-{station.key}/export.csv", "name": f"{p.name}.csv"}},
        )


@pytest.fixture(autouse=True)
def _appointments(county):
    """A slip left at each station's room address (nobody home), naming that station's address."""
    from tests.collection.appointment_helpers import issue

    for station in (county.a, county.b):
        station.appointment = issue(station)


@pytest.fixture(autouse=True)
def _collection(county, settings):
    """Per station: a task for its collector over its door plate, and a household submission
    from its collector (with a photo) naming that station's door plate, waiting for review."""
    import datetime as dt
    import uuid

    from tests.collection import payloads
    from ybss.collection import services, sync

    jpeg = b"\xff\xd8\xff" + b"0" * 64
    for station in (county.a, county.b):
        collector = station.users["collector"]
        station.task = services.task_create(
            actor=station.users["officer"],
            assignee=collector,
            name=f"{station.door.full_name}任务",
            deadline=dt.date.today() + dt.timedelta(days=7),
            door_ids=[station.door.pk],
        )
        station.photo = services.photo_store(actor=collector, client_id=uuid.uuid4(), content=jpeg)
        body = payloads.household_at_room(station, seq0=640 if station.key == "a" else 660)
        body["photos"] = [str(station.photo.client_id)]
        [res] = sync.sync_receive(actor=collector, submissions=[payloads.submission("household", body)])
        assert res["status"] == "accepted", res
        from ybss.collection.models import Submission

        station.submission = Submission.objects.get(pk=res["submission_id"])


@pytest.fixture(autouse=True)
def _problems(county):
    """A problem in each station's ledger about that station's person (found by a scan)."""
    from ybss.quality.models import Problem

    for station in (county.a, county.b):
        now = station.person.created_at
        station.problem = Problem.objects.create(
            fingerprint=f"walk-{station.key}",
            rule="person.phone_invalid",
            category="phone_invalid",
            severity="error",
            record_type="registry.person",
            record_id=station.person.pk,
            evidence={"name": station.person.name},
            summary="walk",
            first_seen=now,
            last_seen=now,
            division=station.village,
            police_unit=station.district,
            collector=station.users["collector"],
        )


@pytest.fixture(autouse=True)
def _targets(county):
    """A county target for each station's police district."""
    import datetime as dt

    from ybss.supervision.targets import target_set

    for station in (county.a, county.b):
        station.target = target_set(
            actor=county.users["supervisor"],
            police_unit_code=station.district.code,
            code="house_verified",
            value="90",
            deadline=dt.date(2026, 12, 31),
        )


@pytest.fixture(autouse=True)
def _spot_checks(county):
    """A spot-check round of each station (drawn by its chief), with the item on its door plate
    given to its officer."""
    from tests.supervision.spotcheck_helpers import station_round

    for station in (county.a, county.b):
        station.spot_round, station.spot_item = station_round(county, station)


@pytest.fixture(autouse=True)
def _bulletins(county):
    """A draft bulletin of the county (every station user of it may read it) and one of another
    county bureau, which no user here may see: the walk fills the bulletin routes with the latter."""
    from django.utils import timezone

    from tests.supervision.bulletin_util import make_other_county
    from ybss.supervision.bulletins import bulletin_draft

    ours = bulletin_draft(actor=county.users["supervisor"], as_of=timezone.localdate())
    other = make_other_county()
    theirs = bulletin_draft(actor=other.supervisor, as_of=timezone.localdate())
    for station in (county.a, county.b):
        station.bulletin, station.own_bulletin = theirs, ours


@pytest.fixture(autouse=True)
def _casework(county):
    """A watch list of each station (uploaded by its chief, approved by the county supervisor) whose
    comparison made a lead on that station's person."""
    import datetime as dt

    from django.utils import timezone

    from ybss.casework import services
    from ybss.casework.models import Lead

    for station in (county.a, county.b):
        content = f"身份证号,姓名\n{station.person.id_number},{station.person.name}\n".encode()
        wl = services.watchlist_upload(
            actor=station.users["chief"], name=f"{station.person.name}名单", kind="wanted", purpose="walk",
            expires_on=timezone.localdate() + dt.timedelta(days=30), file_name="l.csv", content=content,
        )  # fmt: skip
        station.watchlist = services.watchlist_approve(actor=county.users["supervisor"], pk=wl.pk)
        services.watchlist_run(actor=station.users["chief"], pk=wl.pk)
        station.lead = Lead.objects.get(person=station.person)
        station.case = services.case_create(
            actor=station.users["officer"], title=f"{station.person.name}案", opened_on=timezone.localdate(),
            lead_id=station.lead.pk,
        )  # fmt: skip


def _versions() -> dict:
    from ybss.org.models import Notice

    out = {
        m.__name__: sorted(m.objects.values_list("pk", "version", "status"))
        for m in (Person, House, Unit, Residence, Employment)
    }
    out["Notice"] = sorted(Notice.objects.values_list("pk", "read_at"))
    from ybss.addresses.models import StandardAddress
    from ybss.transfer.models import AddressCleaningItem

    out["StandardAddress"] = sorted(StandardAddress.objects.values_list("pk", "version", "status"))
    out["AddressCleaningItem"] = sorted(AddressCleaningItem.objects.values_list("pk", "version", "state"))
    from ybss.collection.models import Appointment

    out["Appointment"] = sorted(Appointment.objects.values_list("pk", "state", "window_start", "window_end"))
    from ybss.collection.models import CollectionTask, Submission

    out["Submission"] = sorted(Submission.objects.values_list("pk", "state", "station_accepted_at"))
    out["CollectionTask"] = sorted(CollectionTask.objects.values_list("pk", "state", "version"))
    from ybss.quality.models import Problem, RuleSetting

    out["Problem"] = sorted(Problem.objects.values_list("pk", "state", "note"))
    out["RuleSetting"] = sorted(RuleSetting.objects.values_list("code", "enabled"))
    from ybss.supervision.models import Target

    out["Target"] = sorted(Target.objects.values_list("pk", "active", "version"))
    from ybss.supervision.models import Bulletin, SpotCheckItem, SpotCheckRound

    out["Bulletin"] = sorted(Bulletin.objects.values_list("pk", "state", "version", "praise", "digest"))
    out["SpotCheckRound"] = sorted(SpotCheckRound.objects.values_list("pk", "state"))
    out["SpotCheckItem"] = sorted(
        SpotCheckItem.objects.values_list("pk", "result", "checker_id", "problem_id")
    )
    from ybss.casework.models import Lead, WatchList

    out["Lead"] = sorted(Lead.objects.values_list("pk", "state", "review_note"))
    out["WatchList"] = sorted(WatchList.objects.values_list("pk", "state"))
    from ybss.casework.models import Case

    out["Case"] = sorted(Case.objects.values_list("pk", "state", "solved_on"))
    return out


def _assert_clean(body: str, other, where: str) -> None:
    leaked = [m for m in _markers(other) if m and m in body]
    assert not leaked, f"{where} shows the other station's {leaked}"


def test_web_routes_exist_to_walk():
    routes = list(_web_routes())
    assert {"persons/", "persons/<int:pk>/", "units/export/", "jobs/<int:pk>/", "import/"} <= set(routes)


@pytest.mark.parametrize("role", ROLES)
def test_every_web_url_hides_the_other_station(county, client_for, role):
    for mine, other in ((county.a, county.b), (county.b, county.a)):
        client = client_for(mine.users[role])
        before = _versions()
        for route in _web_routes():
            if "<" in route and "pk" not in route:
                continue
            url = _fill_web(route, other)
            resp = client.get(url, {"q": other.person.name[:2]} if "<" not in route else {})
            assert resp.status_code < 500, url
            body = (
                resp.content.decode("utf-8", "replace")
                if not resp.streaming
                else b"".join(resp.streaming_content).decode("utf-8", "replace")
            )
            if "<" in route:
                assert resp.status_code in (403, 404, 405), f"{url} answered {resp.status_code}"
            _assert_clean(body, other, url)
            if "<" in route:
                post = client.post(url, {"status": "voided", "reason": "x", "version": 1})
                assert post.status_code in (400, 403, 404, 405), f"POST {url} answered {post.status_code}"
        assert _versions() == before


@pytest.mark.parametrize("role", ROLES)
def test_lists_show_own_station(county, client_for, role):
    """The positive control: the walk above would pass vacuously if lists were always empty."""
    for mine in (county.a, county.b):
        client = client_for(mine.users[role])
        for route, marker in (
            ("/persons/", mine.person.name),
            ("/units/", mine.unit.name),
            ("/addresses/", mine.door.full_name),
            ("/cleaning/", mine.cleaning_item.raw_text),
            ("/appointments/", mine.appointment.number),
            ("/review/", mine.submission.short_id),
            ("/tasks/", mine.task.name),
            ("/quality/", f"#{mine.problem.pk} "),
            ("/casework/", f"/casework/leads/{mine.lead.pk}/"),
        ):
            assert marker in client.get(route).content.decode(), route
        if role != "collector":  # collectors see no spot checks (jurisdiction docstring)
            assert mine.spot_round.name in client.get("/supervision/spot-checks/").content.decode()
        if role != "collector":  # collectors read no bulletins; chiefs and officers read the county's
            listing = client.get("/supervision/bulletins/").content.decode()
            assert f"/supervision/bulletins/{mine.own_bulletin.pk}/" in listing


def _xlsx_text(content: bytes) -> str:
    import io

    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(content)).active
    return repr(list(ws.iter_rows(values_only=True)))


@pytest.mark.parametrize("role", ROLES)
def test_standing_lists_hide_the_other_station(county, client_for, role):
    """Every standing list (page, API, export) with each station's records planted in all of them:
    a user sees their own station's rows and none of the other's."""
    from ybss.registry.standing import STANDING_LISTS

    for station in (county.a, county.b):
        House.objects.filter(pk=station.house.pk).update(use="rented", rental_filing_no="", rooms=1, area=2)
        Residence.objects.filter(pk=station.residence.pk).update(residence_type="floating", separated=True)
        Unit.objects.filter(pk=station.unit.pk).update(special_trade="hotel")
    for mine, other in ((county.a, county.b), (county.b, county.a)):
        client = client_for(mine.users[role])
        for code in STANDING_LISTS:
            page = client.get(f"/lists/{code}/")
            api = client.get(f"/api/lists/{code}")
            export = client.post(f"/lists/{code}/export/", {"purpose": "walk"})
            assert (page.status_code, api.status_code) == (200, 200), code
            _assert_clean(page.content.decode(), other, f"/lists/{code}/")
            _assert_clean(json.dumps(api.json(), ensure_ascii=False), other, f"/api/lists/{code}")
            if role == "collector":
                assert export.status_code == 403
            else:
                assert export.status_code == 200
                _assert_clean(_xlsx_text(export.content), other, f"/lists/{code}/export/")
        assert mine.person.name in client.get("/lists/inflow_rentals/").content.decode()
        units = client.get("/api/lists/special_units").json()
        assert mine.unit.name in json.dumps(units, ensure_ascii=False)
        assert mine.room.full_name in client.get("/lists/unfiled_rentals/").content.decode()
        assert mine.room.full_name in client.get("/lists/overcrowded/").content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_every_api_route_hides_the_other_station(county, client_for, role):
    ops = list(iter_operations())
    assert len([o for o in ops if o.scoped]) >= 20
    for mine, other in ((county.a, county.b), (county.b, county.a)):
        client = client_for(mine.users[role])
        before = _versions()
        for op in ops:
            if "{path" in op.path:
                continue
            url = _fill_api(op.path, other)
            if op.method == "GET":
                resp = client.get(
                    url, {"q": other.person.name[:2], "purpose": "核查"} if "{" not in op.path else {}
                )
                assert resp.status_code < 500, url
                if "{" in op.path:
                    assert resp.status_code == 404, f"GET {url} answered {resp.status_code}"
                _assert_clean(resp.content.decode(), other, url)
            else:
                body = json.dumps({"version": 1, "to": "voided", "reason": "x", "status": "voided"})
                resp = client.generic(op.method, url, body, content_type="application/json")
                # writes that name no record may succeed: a token of one's own, a duplicate check
                # (it stores ids; each user is shown only the groups inside their jurisdiction)
                done_ok = url.endswith(("/tokens", "/duplicates/check"))
                assert resp.status_code in (400, 401, 403, 404, 405, 409, 422) or done_ok, (
                    f"{op.method} {url} answered {resp.status_code}"
                )
                _assert_clean(resp.content.decode(), other, f"{op.method} {url}")
        assert _versions() == before


def test_every_api_route_declares_scope():
    unmarked = [o for o in iter_operations() if not o.scoped and not o.reason]
    assert unmarked == []


def test_admin_holds_no_business_records_and_refuses_station_users(county, client_for):
    assert not [m for m in admin.site._registry if issubclass(m, BusinessRecord)]
    resp = client_for(county.a.users["chief"]).get("/admin/")
    assert resp.status_code == 302 and "/admin/login/" in resp["Location"]


def test_job_routes_are_walked_and_answer_their_owner(county, client_for):
    """The positive control of the job routes: the walk fills them with a job that exists."""
    job_routes = [r for r in _web_routes() if r.startswith("jobs/<")]
    assert len(job_routes) >= 3
    owner = client_for(county.a.users["officer"])
    for route in job_routes:
        resp = owner.get(_fill_web(route, county.a))
        assert resp.status_code == 200, route
    body = b"".join(owner.get(_fill_web("jobs/<int:pk>/files/<slug:name>", county.a)).streaming_content)
    assert county.a.person.id_number in body.decode()


@pytest.mark.parametrize("role", ROLES)
def test_map_routes_hide_the_other_station(county, client_for, role):
    """The map API answers in JSON with escaped Chinese, so the walk above cannot see a leaked
    address name there: here the other station's door plate is looked for by id, with a box that
    covers both stations' points, and its mark route must answer 404 to a well-formed body."""
    from decimal import Decimal

    from ybss.addresses.models import StandardAddress

    for station, lng in ((county.a, "110.15"), (county.b, "110.16")):
        StandardAddress.objects.filter(pk=station.door.pk).update(
            lng=Decimal(lng), lat=Decimal("35.24"), mark_state="marked"
        )
    for mine, other in ((county.a, county.b), (county.b, county.a)):
        client = client_for(mine.users[role])
        box = {"bbox": "110.1,35.2,110.2,35.3"}
        found = {
            "doors": [i[0] for i in client.get("/api/map/doors", box).json()["items"]],
            "todo": [i["id"] for i in client.get("/api/map/todo", {"state": "all"}).json()["items"]],
            "one": [i["id"] for i in client.get("/api/map/todo", {"id": other.door.pk}).json()["items"]],
        }
        assert found == {"doors": [mine.door.pk], "todo": [mine.door.pk], "one": []}
        grid = client.get("/api/map/grid", {"bbox": "110.0,35.0,110.4,35.4", "cell": "0.5"}).json()["cells"]
        assert sum(c[2] for c in grid) == 1
        resp = client.post(
            f"/api/map/addresses/{other.door.pk}/mark",
            json.dumps({"lng": 110.2, "lat": 35.2, "version": 1}),
            content_type="application/json",
        )
        assert resp.status_code == 404
        assert StandardAddress.objects.get(pk=other.door.pk).version == 1


@pytest.mark.parametrize("role", ROLES)
def test_supervision_nodes_of_the_other_station_are_404(county, client_for, role):
    """The dashboard's node pages and the rates API name a node in the path or the query, which the
    walk above cannot fill: here every node of the other station answers 404 (the same as a
    missing one), and the map narrowed to the other station's prefix shows nothing."""
    from ybss.supervision import rates

    rates.rates_refresh()
    for mine, other in ((county.a, county.b), (county.b, county.a)):
        client = client_for(mine.users[role])
        assert client.get(f"/supervision/node/police/{mine.district.code}/").status_code == 200
        for tree, node in (
            ("police", other.station),
            ("police", other.district),
            ("division", other.town),
            ("division", other.village),
        ):
            page = client.get(f"/supervision/node/{tree}/{node.code}/")
            assert page.status_code == 404, (role, tree, node.code)
            _assert_clean(page.content.decode(), other, page.request["PATH_INFO"])
            for api in ("/api/supervision/rates", "/api/supervision/rates/history"):
                resp = client.get(api, {"tree": tree, "code": node.code})
                assert resp.status_code == 404, (role, api, node.code)
        body = client.get("/api/supervision/rates", {"children": "true"}).json()
        seen = {body["node"]["code"], *(c["node"]["code"] for c in body["children"])}
        assert not seen & {other.station.code, other.district.code, other.village.code}
        box = {"bbox": "105,30,115,40", "cell": "1", "progress": "true", "police_unit": other.district.prefix}
        assert client.get("/api/map/grid", box).json()["cells"] == []
