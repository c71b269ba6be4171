"""Known errors for measuring the quality checks (issue 6): ``inject_errors(seed=..., per_category=...)``.

Writes into the CURRENT database — a copy of the demo county, never a real base — ``per_category``
errors of every category in ``findings.CATEGORIES``, made the way a careless or dishonest collector
makes them (several variants per category, not one template), and returns the answer key:

    {"answers": [{"category", "record_type", "record_id", "related": [[type, id], ...], "variant"}],
     "decoys": [{"kind", "record_type", "record_id"}], "seed", "per_category", "counts", ...}

``related`` names the other records the same error lives on: for duplicates the original the copy
duplicates; for signs of fabrication the registry records a fabricated submission changed (its
``SubmissionEffect`` rows) or the members of a household with identical birth dates. Where an
error unavoidably breaks a second rule (an ID typo in a duplicate that also fails the check digit,
a household whose birth dates were overwritten and so disagree with the ID numbers) the key carries
an extra answer in that category, marked ``"overlap": true``.

Besides the errors it writes honest look-alikes, the ``decoys`` (twins, families sharing one phone,
branch shops), and a background of honest field work (household submissions at a human pace in the
daytime and the 错时 evening, GPS at the door plate within its accuracy, stock notes such as "信息无
变化", one photo per household, quick "nobody home" calls, phones synced late at night), so that
precision is measured against realistic data rather than against an empty collection table.

Everything is written directly (bulk ORM writes: it is a generator), stamped with the division and
police unit of the address concerned and with a collector of that police district, at demo-clock
times. Deterministic for a seed on the same database (the same rows, the same answers).
``match`` scores findings against the key; ``bench/quality_eval.py`` runs the whole evaluation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import random
import uuid
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from ybss.addresses.models import AddressElement, StandardAddress
from ybss.collection.models import Photo, Submission, SubmissionEffect, SubmissionEvent, Visit
from ybss.core.data import regions
from ybss.core.identifiers import (
    CREDIT_CODE_ALPHABET,
    birth_date_from_id,
    check_credit_code,
    check_id_number,
    check_phone,
    credit_check_char,
    id_check_char,
)
from ybss.demo.identity import Names, pinyin
from ybss.org.models import AdminDivision, Role, User
from ybss.registry.models import House, Person, Residence, Unit
from ybss.registry.rules import is_household_separated

from .findings import CATEGORIES, Finding

PERSON = "registry.person"
HOUSE = "registry.house"
RESIDENCE = "registry.residence"
UNIT = "registry.unit"
ADDRESS = "addresses.standardaddress"
SUBMISSION = "collection.submission"

DUPLICATE_CATEGORIES = frozenset(c for c, (_label, group) in CATEGORIES.items() if group == "duplicate")
#: The evaluation's targets: precision and recall per category (issue 6).
TARGETS: dict[str, float] = {c: 0.97 if c == "duplicate_person" else 0.95 for c in CATEGORIES}

BEIJING = dt.timezone(dt.timedelta(hours=8))

PLACEHOLDER_NAMES = (
    "测试", "测试一", "测试人员", "张三", "李四", "王五", "赵六", "无", "不详", "未知", "某某",
    "无名氏", "张某", "李某某", "王某", "xxx", "test", "姓名", "暂无", "1",
)  # fmt: skip
#: Real names that only look like placeholders (decoys).
PLACEHOLDER_LOOKALIKES = ("张三丰", "李四海", "王五一", "赵六顺", "刘某英", "张山", "王武")

#: Given-name characters and a character that sounds the same (张伟 / 张玮).
HOMOPHONES = {
    "国": "帼", "建": "健", "志": "智", "德": "得", "明": "铭", "文": "雯", "华": "桦", "振": "震",
    "学": "雪", "福": "富", "庆": "清", "永": "勇", "生": "升", "俊": "峻", "忠": "中", "宝": "保",
    "祥": "翔", "有": "友", "林": "琳", "荣": "蓉", "发": "法", "保": "宝", "兴": "星", "民": "敏",
    "军": "君", "金": "锦", "平": "萍", "成": "诚", "春": "纯", "贵": "桂", "山": "珊", "秀": "绣",
    "英": "瑛", "兰": "岚", "桂": "贵", "芳": "方", "玉": "钰", "珍": "真", "凤": "风", "梅": "玫",
    "琴": "芹", "花": "华", "淑": "舒", "云": "芸", "翠": "萃", "霞": "侠", "莲": "涟", "爱": "艾",
    "香": "湘", "彩": "采", "粉": "芬", "芝": "枝", "玲": "铃", "伟": "玮", "强": "蔷", "磊": "蕾",
    "勇": "永", "杰": "洁", "涛": "韬", "斌": "彬", "超": "潮", "刚": "钢", "辉": "晖", "鹏": "朋",
    "飞": "菲", "波": "博", "宁": "凝", "峰": "锋", "亮": "靓", "红": "宏", "健": "建", "东": "冬",
    "龙": "隆", "锋": "峰", "利": "莉", "宏": "鸿", "卫": "伟", "新": "鑫", "敏": "闵", "静": "婧",
    "丽": "莉", "艳": "燕", "娟": "鹃", "燕": "艳", "婷": "亭", "琳": "霖", "慧": "惠", "萍": "苹",
    "莉": "丽", "晶": "菁", "颖": "莹", "倩": "茜", "蓉": "容", "洁": "杰", "佳": "嘉", "丹": "单",
    "小": "晓", "浩": "昊", "宇": "雨", "轩": "萱", "子": "梓", "涵": "晗", "泽": "择", "博": "波",
    "一": "依", "睿": "瑞", "皓": "浩", "宸": "晨", "晨": "辰", "阳": "洋", "鑫": "欣", "铭": "明",
    "航": "杭", "辰": "晨", "瑞": "睿", "恒": "衡", "旭": "煦", "昊": "浩", "然": "冉", "欣": "馨",
    "怡": "宜", "梓": "子", "诗": "施", "语": "雨", "嘉": "佳", "萱": "轩", "雨": "语", "彤": "桐",
    "可": "珂", "馨": "欣", "悦": "月", "思": "斯", "婉": "琬", "琪": "琦", "雅": "亚", "清": "青",
    "妍": "颜", "梦": "孟", "瑶": "遥", "紫": "梓", "依": "怡", "菲": "飞", "娜": "那",
}  # fmt: skip

#: What a collector writes in the note when there is nothing to say (everyone reuses these).
STOCK_NOTES = (
    "无", "正常", "已核实", "信息无变化", "核对无误", "信息已更新", "户主配合", "已登记",
    "家中无人，已留预约单", "由家属代为提供信息", "租户信息已核对", "人员无变动",
)  # fmt: skip
_NOTE_DETAILS = (
    "户主在{place}务工，由其{rel}提供信息", "{rel}{age}岁，行动不便，入户登记", "新出生一名婴儿，待落户",
    "租户{n}人，均在{place}上班", "房屋为{year}年自建，{floors}层", "家中{n}口人，{rel}在外地上学",
    "户主{age}岁独居，子女在{place}", "门牌掉落，已报{place}补装", "经营{shop}，营业执照已核对",
    "{rel}于{year}年迁入，户籍未变", "院内另有{n}间出租屋，暂无人居住",
)  # fmt: skip
_PLACES = ("西安", "渭南", "韩城", "县城", "坊镇", "山西运城", "深圳", "北京", "工业园", "村委会")
_RELS = ("妻子", "丈夫", "儿子", "女儿", "母亲", "父亲", "儿媳", "孙子")
_SHOPS = ("小卖部", "理发店", "五金店", "面馆", "农资店", "快递点", "修车铺")
#: Long remarks a dishonest collector pastes into many households (templates; each group fills in
#: its own words, so two groups never share a text by chance).
_REUSED_NOTES = (
    "经入户核实，该户{n}口人信息与户籍登记一致，户主{s}某在{place}务工，家中由{rel}照看，无异常情况。",
    "已入户走访，{rel}在家配合采集，人员、房屋信息均已核对，联系方式已更新，门牌完好。",
    "该户常住人员均在家，已逐一核对身份证件，房屋为{year}年自建砖混结构，无出租情况。",
    "户主{s}某配合登记，家庭成员{n}人，均在{place}，已告知如有变动及时到派出所申报。",
    "入户时{rel}在家，出示户口簿核对无误，房屋用途为自住，周边无安全隐患，已宣传防诈骗知识。",
)
_DEVICES = (
    "Android 12; Redmi Note 11", "Android 13; HUAWEI nova 9", "Android 11; OPPO A57",
    "Android 14; vivo Y78", "HarmonyOS 4; HUAWEI Mate 40", "Android 13; Honor X40",
)  # fmt: skip
_MOBILE_BLOCKS = ("139", "138", "137", "136", "135", "150", "151", "152", "158", "159", "182", "183",
                  "187", "188", "130", "131", "132", "155", "156", "185", "186", "133", "153", "177",
                  "180", "181", "189", "199", "198", "166", "176", "173")  # fmt: skip
_OUTSIDE_REGIONS = ("610581", "610526", "610527", "610528", "610522", "610523", "610502", "610112",
                    "140802", "140881", "140882", "141081", "410329", "411282", "620521", "622921",
                    "511603", "610925")  # fmt: skip
_VILLAGE_WORDS = ("东关村", "西街村", "李家村", "王庄村", "新庄村", "南街村", "张堡村", "河东村")
_OCCUPATIONS = ("务农", "个体经营", "建筑工人", "司机", "厨师", "快递员", "教师", "退休", "学生", "无业")
_SHOP_KINDS = ("五金店", "便利店", "理发店", "农资店", "面馆", "超市", "药店", "修车铺", "烟酒店")
_SHOP_WORDS = ("鸿运", "兴盛", "顺达", "福源", "恒通", "金鑫", "永安", "利民", "康乐", "和顺", "宏达")


# --------------------------------------------------------------------------------------------
# Rows loaded once


@dataclass(slots=True)
class _P:
    pk: int
    id_type: str
    id_number: str
    name: str
    sex: str
    birth: dt.date | None
    phone: str
    phone2: str
    hukou: str
    status: str
    by: int | None
    division: str
    pu: str


@dataclass(slots=True)
class _R:
    pk: int
    person: int
    house: int
    rtype: str
    relation: str
    landlord: int | None
    tenant: bool
    status: str


@dataclass(slots=True)
class _H:
    pk: int
    address: int
    house_type: str
    use: str
    area: Decimal | None
    landlord: int | None
    status: str
    division: str
    pu: str
    by: int | None


@dataclass(slots=True)
class _A:
    pk: int
    level: str
    parent: int | None
    road: int | None
    compound: int | None
    door_prefix: str
    door_number: str
    door_suffix: str
    sub_number: str
    building: str
    common_name: str
    full_name: str
    lat: Decimal | None
    lng: Decimal | None
    status: str
    clean_state: str
    division: str
    pu: str
    code: str
    by: int | None


@dataclass(slots=True)
class _U:
    pk: int
    name: str
    credit: str
    category: str
    rep_name: str
    rep_id: str
    rep_phone: str
    lead_id: str
    phone: str
    address: int
    house: int | None
    status: str
    division: str
    pu: str
    by: int | None


@dataclass
class _Sub:
    """A submission to write: a household collection (``house``) or a call (``visit_address``)."""

    collector: int
    door: _A
    started: dt.datetime
    finished: dt.datetime
    received: dt.datetime
    house: _H | None = None
    visit_address: _A | None = None
    outcome: str = "collected"
    gps: tuple[float, float, int] | None = None
    note: str = ""
    visit_note: str = ""
    photos: list[str] = field(default_factory=list)
    state: str = "passed"
    replaces: _Sub | None = None
    changes: list[tuple[int, str]] = field(default_factory=list)  # (person, new occupation)
    #: New people the household form adds: (unsaved person, relation, residence type).
    newcomers: list[tuple[Person, str, str]] = field(default_factory=list)
    category: tuple[str, str] | None = None  # (category, variant) of an injected error
    obj: Submission | None = None
    photo_ids: list[uuid.UUID] = field(default_factory=list)
    effects: list[tuple[str, int]] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Small pure helpers


def _local(day: dt.date, second: float) -> dt.datetime:
    """``second`` seconds after local (Beijing) midnight of ``day``, as an aware UTC time."""
    base = dt.datetime.combine(day, dt.time(), tzinfo=BEIJING)
    return (base + dt.timedelta(seconds=round(second))).astimezone(dt.UTC)


def _age(birth: dt.date | None, on: dt.date) -> int:
    if birth is None:
        return -1
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _with_check(body17: str) -> str:
    return body17 + id_check_char(body17)


def _offset(lat: float, lng: float, metres: float, bearing: float) -> tuple[float, float]:
    dlat = metres * math.cos(bearing) / 111_320
    dlng = metres * math.sin(bearing) / (111_320 * math.cos(math.radians(lat)))
    return lat + dlat, lng + dlng


def _distance(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Metres between two WGS-84 points (equirectangular: fine within a county)."""
    x = math.radians(lng2 - lng1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 6_371_000 * math.hypot(x, y)


def _plan(rng: random.Random, n: int, weights: Sequence[tuple[str, float]]) -> list[str]:
    """``n`` variant names in proportion to ``weights`` (largest remainder), shuffled."""
    total = sum(w for _v, w in weights)
    exact = [n * w / total for _v, w in weights]
    parts = [int(x) for x in exact]
    for i in sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))[: n - sum(parts)]:
        parts[i] += 1
    out = [v for (v, _w), k in zip(weights, parts, strict=True) for _ in range(k)]
    rng.shuffle(out)
    return out


def _d7(x: float) -> Decimal:
    return Decimal(f"{x:.7f}")


def _group_sizes(rng: random.Random, n: int, lo: int, hi: int) -> list[int]:
    """Group sizes in [lo, hi] that add up to ``n`` (a smaller ``n`` is one group)."""
    out: list[int] = []
    left = n
    while left > 0:
        size = rng.randint(lo, hi)
        if left - size < lo:
            size = left if left <= hi else left - lo
        out.append(size)
        left -= size
    return out


# --------------------------------------------------------------------------------------------
# The injector


class _Injector:
    def __init__(
        self,
        *,
        seed: int,
        per_category: int,
        avoid: Collection[tuple[str, int]],
        decoys: bool,
        background: bool,
        today: dt.date,
    ) -> None:
        self.seed = seed
        self.n = per_category
        self.avoid = {(t, int(i)) for t, i in avoid}
        self.with_decoys = decoys
        self.with_background = background
        self.today = today
        self.answers: list[dict[str, Any]] = []
        self.decoys: list[dict[str, Any]] = []
        self.shortfall: dict[str, int] = {}
        self.used: set[tuple[str, int]] = set()
        self.touched_houses: set[int] = set()
        self.subs: list[_Sub] = []
        self._photo_no = 0
        self._notes_taken: set[str] = set()
        self.busy: set[tuple[int, dt.date]] = set()  # (collector, day) with field work already
        self.planned: Counter[int] = Counter()  # people household forms will add, per house
        self._edit_rng = random.Random(f"ybss-inject:{seed}:edits")

    # --- randomness --------------------------------------------------------------------------

    def rng(self, name: str) -> random.Random:
        return random.Random(f"ybss-inject:{self.seed}:{name}")

    # --- loading -----------------------------------------------------------------------------

    def load(self) -> None:
        self.county = settings.YBSS_COUNTY_CODE
        self.persons: dict[int, _P] = {}
        for prow in (
            Person.objects.order_by("pk")
            .values_list(
                "pk",
                "id_type",
                "id_number",
                "name",
                "sex",
                "birth_date",
                "phone",
                "phone2",
                "hukou_division_code",
                "status",
                "created_by_id",
                "division_id",
                "police_unit_id",
            )
            .iterator(chunk_size=10_000)
        ):
            self.persons[prow[0]] = _P(*prow)
        self.residences: dict[int, _R] = {}
        self.res_by_person: dict[int, list[_R]] = defaultdict(list)
        self.res_by_house: dict[int, list[_R]] = defaultdict(list)
        for rrow in (
            Residence.objects.filter(active=True)
            .exclude(status="voided")
            .order_by("pk")
            .values_list(
                "pk",
                "person_id",
                "house_id",
                "residence_type",
                "relation",
                "landlord_id",
                "is_tenant",
                "status",
            )
            .iterator(chunk_size=10_000)
        ):
            r = _R(*rrow)
            self.residences[r.pk] = r
            self.res_by_person[r.person].append(r)
            self.res_by_house[r.house].append(r)
        self.houses: dict[int, _H] = {}
        self.house_by_address: dict[int, int] = {}
        for hrow in (
            House.objects.order_by("pk")
            .values_list(
                "pk",
                "address_id",
                "house_type",
                "use",
                "area",
                "landlord_id",
                "status",
                "division_id",
                "police_unit_id",
                "created_by_id",
            )
            .iterator(chunk_size=10_000)
        ):
            h = _H(*hrow)
            self.houses[h.pk] = h
            self.house_by_address.setdefault(h.address, h.pk)
        self.addresses: dict[int, _A] = {}
        self.rooms_by_door: dict[int, list[int]] = defaultdict(list)
        for arow in (
            StandardAddress.objects.order_by("pk")
            .values_list(
                "pk",
                "level",
                "parent_id",
                "road_id",
                "compound_id",
                "door_prefix",
                "door_number",
                "door_suffix",
                "sub_number",
                "building",
                "common_name",
                "full_name",
                "lat",
                "lng",
                "status",
                "clean_state",
                "division_id",
                "police_unit_id",
                "code",
                "created_by_id",
            )
            .iterator(chunk_size=10_000)
        ):
            a = _A(*arow)
            self.addresses[a.pk] = a
            if a.parent is not None:
                self.rooms_by_door[a.parent].append(a.pk)
        self.units: dict[int, _U] = {}
        self.units_by_address: dict[int, list[int]] = defaultdict(list)
        for urow in Unit.objects.order_by("pk").values_list(
            "pk",
            "name",
            "credit_code",
            "category",
            "legal_rep_name",
            "legal_rep_id_number",
            "legal_rep_phone",
            "security_lead_id_number",
            "phone",
            "address_id",
            "house_id",
            "status",
            "division_id",
            "police_unit_id",
            "created_by_id",
        ):
            u = _U(*urow)
            self.units[u.pk] = u
            self.units_by_address[u.address].append(u.pk)
        self.elements = {
            pk: (kind, name, division)
            for pk, kind, name, division in AddressElement.objects.order_by("pk").values_list(
                "pk", "kind", "name", "division_id"
            )
        }
        self.element_names = {(d, k, n) for k, n, d in self.elements.values()}
        self.division_names = dict(AdminDivision.objects.values_list("code", "full_name"))
        users = list(
            User.objects.filter(is_active=True)
            .order_by("pk")
            .values_list("pk", "role", "police_unit_id", "phone")
        )
        self.collectors: dict[str, list[int]] = defaultdict(list)
        self.officers: dict[str, list[int]] = defaultdict(list)
        self.user_phone: dict[int, str] = {}
        for pk, role, unit, phone in users:
            self.user_phone[pk] = phone or ""
            if unit and role == Role.COLLECTOR:
                self.collectors[unit].append(pk)
            elif unit and role == Role.OFFICER:
                self.officers[unit].append(pk)
        self.any_staff: list[int] = [
            pk for pk, role, _u, _p in users if role in (Role.COLLECTOR, Role.OFFICER)
        ]
        if not self.any_staff and users:
            self.any_staff = [users[0][0]]
        # Who holds a role somewhere: landlords (houses and residences), unit representatives.
        self.landlords = {h.landlord for h in self.houses.values() if h.landlord} | {
            r.landlord for r in self.residences.values() if r.landlord
        }
        self.rep_ids = {u.rep_id for u in self.units.values() if u.rep_id} | {
            u.lead_id for u in self.units.values() if u.lead_id
        }
        self.ids_taken = {p.id_number.strip().upper() for p in self.persons.values()}
        self.phones_taken = (
            {p.phone for p in self.persons.values() if p.phone}
            | {p.phone2 for p in self.persons.values() if p.phone2}
            | {u.phone for u in self.units.values() if u.phone}
            | {u.rep_phone for u in self.units.values() if u.rep_phone}
            | {ph for ph in self.user_phone.values() if ph}
        )
        self.credit_taken = {u.credit for u in self.units.values() if u.credit}
        self.address_codes = {a.code for a in self.addresses.values()}
        latest = Person.objects.aggregate(m=Max("created_at"))["m"]
        last = min(self.today, latest.astimezone(BEIJING).date()) if latest else self.today
        self.days = [last - dt.timedelta(days=d) for d in range(13, -1, -1)]
        self.region_names = regions()
        # Houses with people, by police district (where collectors work).
        self.lived_by_pu: dict[str, list[int]] = defaultdict(list)
        for hid in sorted(self.res_by_house):
            lived = self.houses.get(hid)
            if lived is not None and lived.status == "accepted":
                self.lived_by_pu[lived.pu].append(hid)
        sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
        for a in self.addresses.values():
            if a.lat is not None and a.lng is not None:
                acc = sums[a.division]
                acc[0] += float(a.lat)
                acc[1] += float(a.lng)
                acc[2] += 1
        self.centroids = {d: (v[0] / v[2], v[1] / v[2]) for d, v in sums.items() if v[2]}
        self.person_order = sorted(self.persons)
        self.house_order = sorted(self.houses)
        self.unit_order = sorted(self.units)

    # --- bookkeeping -------------------------------------------------------------------------

    def free(self, rtype: str, pk: int) -> bool:
        return (rtype, pk) not in self.used and (rtype, pk) not in self.avoid

    def take(self, rtype: str, pk: int) -> None:
        self.used.add((rtype, pk))

    def answer(
        self,
        category: str,
        rtype: str,
        pk: int,
        related: Iterable[tuple[str, int]] = (),
        *,
        variant: str,
        overlap: bool = False,
    ) -> None:
        item: dict[str, Any] = {
            "category": category,
            "record_type": rtype,
            "record_id": int(pk),
            "related": [[t, int(i)] for t, i in related],
            "variant": variant,
        }
        if overlap:
            item["overlap"] = True
        self.answers.append(item)

    def decoy(self, kind: str, rtype: str, pk: int) -> None:
        self.decoys.append({"kind": kind, "record_type": rtype, "record_id": int(pk)})

    def edit(self, model: Any, pk: int, **fields: Any) -> None:
        """Change a stored record as its own collector would, later: the fields, a new version,
        the time and the editor (``by=`` names another editor)."""
        by = fields.pop("by", None)
        rng = self._edit_rng
        fields.setdefault("updated_at", self.work_time(rng))
        model.objects.filter(pk=pk).update(
            version=F("version") + 1, updated_by_id=by if by is not None else F("created_by_id"), **fields
        )

    def short(self, category: str, wanted: int, got: int) -> None:
        if got < wanted:
            self.shortfall[category] = self.shortfall.get(category, 0) + wanted - got

    # --- clocks and stamps -------------------------------------------------------------------

    def work_time(self, rng: random.Random, day: dt.date | None = None) -> dt.datetime:
        day = day or rng.choice(self.days)
        return _local(day, rng.randrange(8 * 3600 + 1800, 18 * 3600))

    def collector_of(self, rng: random.Random, pu: str) -> int | None:
        staff = self.collectors.get(pu) or self.officers.get(pu)
        if staff:
            return rng.choice(staff)
        return rng.choice(self.any_staff) if self.any_staff else None

    def stamps(
        self, *, by: int | None, at: dt.datetime, division: str, pu: str, status: str = "accepted"
    ) -> dict[str, Any]:
        return {
            "status": status,
            "version": 1,
            "created_at": at,
            "created_by_id": by,
            "updated_at": at,
            "updated_by_id": by,
            "division_id": division,
            "police_unit_id": pu,
        }

    # --- identities --------------------------------------------------------------------------

    def new_id(self, rng: random.Random, region: str, birth: dt.date, sex: str) -> str:
        head = f"{region}{birth:%Y%m%d}"
        odd = 1 if sex == "1" else 0
        while True:
            number = _with_check(f"{head}{rng.randrange(500) * 2 + odd:03d}")
            if number not in self.ids_taken:
                self.ids_taken.add(number)
                return number

    def new_phone(self, rng: random.Random) -> str:
        while True:
            number = f"{rng.choice(_MOBILE_BLOCKS)}{rng.randrange(100_000_000):08d}"
            if number not in self.phones_taken:
                self.phones_taken.add(number)
                return number

    def outside_hukou(self, rng: random.Random) -> tuple[str, str]:
        code = rng.choice([c for c in _OUTSIDE_REGIONS if c in self.region_names] or ["610581"])
        province = self.region_names.get(code[:2] + "0000", "")
        city = self.region_names.get(code[:4] + "00", "")
        county = self.region_names.get(code, "")
        text = f"{province}{city}{county}{rng.choice(_VILLAGE_WORDS)}{rng.randint(1, 60)}号"
        return code + "000000", text

    def birth_for_age(self, rng: random.Random, lo: int, hi: int) -> dt.date:
        year = self.today.year - rng.randint(lo, hi) - 1
        return dt.date(year, rng.randint(1, 12), rng.randint(1, 28))

    def id_valid(self, p: _P) -> bool:
        if p.id_type != "111":
            return False
        check = check_id_number(
            p.id_number, today=self.today, expected_sex=p.sex, expected_birth_date=p.birth
        )
        return check.ok and not check.findings

    # --- choosing existing records -----------------------------------------------------------

    def clean_person(self, p: _P, *, min_age: int = 0, max_age: int = 200, single: bool = True) -> bool:
        if not self.free(PERSON, p.pk) or p.status != "accepted" or p.pk in self.landlords:
            return False
        if p.id_number in self.rep_ids or not self.id_valid(p):
            return False
        if not (min_age <= _age(p.birth, self.today) <= max_age):
            return False
        if p.name in PLACEHOLDER_NAMES or len(p.name) < 2:
            return False
        for phone in (p.phone, p.phone2):
            if phone and any(x.is_error for x in check_phone(phone)):
                return False
        res = self.res_by_person.get(p.pk, [])
        if single and len(res) != 1:
            return False
        return all(self.free(RESIDENCE, r.pk) for r in res)

    def people(self, rng: random.Random, n: int, **kw: Any) -> list[_P]:
        out: list[_P] = []
        if n <= 0:
            return out
        for i in rng.sample(range(len(self.person_order)), len(self.person_order)):
            p = self.persons[self.person_order[i]]
            if self.clean_person(p, **kw):
                out.append(p)
                self.take(PERSON, p.pk)
                if len(out) == n:
                    break
        return out

    def occupants(self, hid: int) -> int:
        return len(self.res_by_house.get(hid, []))

    def room_for(self, h: _H, extra: int) -> bool:
        """The house still fits its people with ``extra`` more (no overcrowding, with a margin)."""
        n = self.occupants(h.pk) + extra
        if h.area is None or h.area <= 0:
            return n <= 12
        return float(h.area) >= 6.5 * n

    def clean_house(self, h: _H) -> bool:
        return (
            self.free(HOUSE, h.pk)
            and h.pk not in self.touched_houses
            and h.status == "accepted"
            and bool(h.use)
            and bool(h.house_type)
            and not (h.use == "rented" and h.landlord is None)
            and self.room_for(h, 0)
            and all(
                self.free(RESIDENCE, r.pk) and self.free(PERSON, r.person) for r in self.res_by_house[h.pk]
            )
        )

    def houses_where(self, rng: random.Random, ok: Any) -> Iterator[_H]:
        for i in rng.sample(range(len(self.house_order)), len(self.house_order)):
            h = self.houses[self.house_order[i]]
            if self.clean_house(h) and ok(h):
                yield h

    def clean_unit(self, u: _U) -> bool:
        if not self.free(UNIT, u.pk) or u.status != "accepted":
            return False
        a = self.addresses.get(u.address)
        if a is None or a.status != "accepted" or a.clean_state == "merged":
            return False
        check = check_credit_code(u.credit)
        if not u.credit or not check.ok or check.findings or not u.name or not u.category:
            return False
        if u.rep_id and not check_id_number(u.rep_id, today=self.today).ok:
            return False
        return True

    def units_where(self, rng: random.Random, ok: Any = None) -> list[_U]:
        order = rng.sample(self.unit_order, len(self.unit_order))
        return [
            self.units[pk]
            for pk in order
            if self.clean_unit(self.units[pk]) and (ok is None or ok(self.units[pk]))
        ]

    def door_of(self, a: _A) -> _A:
        return self.addresses[a.parent] if a.parent is not None else a

    # --- writing new people ------------------------------------------------------------------

    def person_obj(
        self,
        rng: random.Random,
        *,
        house: _H,
        by: int | None,
        at: dt.datetime,
        sex: str | None = None,
        birth: dt.date | None = None,
        region: str | None = None,
        outside: bool | None = None,
        name: str | None = None,
        surname: str | None = None,
        id_number: str | None = None,
        phone: str | None = None,
        status: str = "accepted",
        names: Names | None = None,
    ) -> Person:
        """A new person (unsaved) living in ``house``'s area, with a valid ID, phone and hukou."""
        sex = sex or rng.choice("12")
        birth = birth or self.birth_for_age(rng, 20, 60)
        if outside is None:
            outside = rng.random() < 0.35
        if outside:
            hk_code, hk_text = self.outside_hukou(rng)
        else:
            hk_code = house.division
            hk_text = self.addresses[house.address].full_name
        region = region or (hk_code[:6] if outside else self.county)
        number = id_number or self.new_id(rng, region, birth, sex)
        names = names or Names(rng)
        name = name or names.full(sex, birth.year, surname)
        return Person(
            **self.stamps(by=by, at=at, division=house.division, pu=house.pu, status=status),
            id_type="111",
            id_number=number,
            name=name,
            pinyin=pinyin(name) if name.isascii() is False else name.lower().replace(" ", ""),
            sex=sex,
            ethnicity="01",
            birth_date=birth,
            phone=self.new_phone(rng) if phone is None and rng.random() < 0.75 else (phone or ""),
            hukou_division_code=hk_code,
            hukou_address_text=hk_text,
            nationality="CHN",
            occupation=rng.choice(_OCCUPATIONS),
        )

    def residence_obj(
        self,
        person: Person,
        house: _H,
        *,
        by: int | None,
        at: dt.datetime,
        relation: str,
        rtype: str | None = None,
        status: str = "accepted",
    ) -> Residence:
        in_county = person.hukou_division_code.startswith(self.county)
        if rtype is None:
            rtype = (
                "floating"
                if not in_county
                else ("permanent" if relation in ("02", "10", "20", "30") else "lodging")
            )
        tenant = house.use == "rented"
        return Residence(
            **self.stamps(by=by, at=at, division=house.division, pu=house.pu, status=status),
            person=person,
            house_id=house.pk,
            residence_type=rtype,
            relation=relation,
            reason="work" if rtype == "floating" else ("family" if rtype == "lodging" else ""),
            since=(at - dt.timedelta(days=30)).date(),
            is_tenant=tenant,
            is_owner=not tenant and relation == "02",
            landlord_id=house.landlord if tenant else None,
            separated=is_household_separated(person.hukou_division_code, house.division),
            active=True,
        )

    def save_people(self, pairs: list[tuple[Person, _H, str, str | None]]) -> list[tuple[Person, Residence]]:
        """Create persons and their residences (``(person, house, relation, residence type)``)."""
        Person.objects.bulk_create([p for p, _h, _rel, _t in pairs])
        residences = [
            self.residence_obj(p, h, by=p.created_by_id, at=p.created_at, relation=rel, rtype=t)
            for p, h, rel, t in pairs
        ]
        Residence.objects.bulk_create(residences)
        out = []
        for (p, h, _rel, _t), r in zip(pairs, residences, strict=True):
            self.take(PERSON, p.pk)
            self.take(RESIDENCE, r.pk)
            rr = _R(r.pk, p.pk, h.pk, r.residence_type, r.relation, r.landlord_id, r.is_tenant, r.status)
            self.residences[r.pk] = rr
            self.res_by_person[p.pk].append(rr)
            self.res_by_house[h.pk].append(rr)
            self.persons[p.pk] = _P(
                p.pk,
                p.id_type,
                p.id_number,
                p.name,
                p.sex,
                p.birth_date,
                p.phone,
                p.phone2,
                p.hukou_division_code,
                p.status,
                p.created_by_id,
                p.division_id,
                p.police_unit_id,
            )
            self.touched_houses.add(h.pk)
            out.append((p, r))
        return out

    # ========================================================================================
    # Rules (DOMAIN.md §5)

    def id_invalid(self) -> None:
        rng = self.rng("id_invalid")
        plan = _plan(
            rng,
            self.n,
            [
                ("check_digit", 25),
                ("digit_typo", 20),
                ("transposed", 15),
                ("impossible_date", 20),
                ("length", 10),
                ("letter_o", 5),
                ("unit_rep", 5),
            ],
        )
        person_variants = [v for v in plan if v != "unit_rep"]
        people = self.people(rng, len(person_variants), min_age=18)
        done = 0
        for p, variant in zip(people, person_variants, strict=False):
            number = self._broken_id(rng, p.id_number, variant)
            if number is None:
                continue
            self.ids_taken.add(number)
            self.edit(Person, p.pk, id_number=number)
            self.answer("id_invalid", PERSON, p.pk, variant=variant)
            done += 1
        units = self.units_where(rng, lambda u: bool(u.rep_id))
        for u in units[: plan.count("unit_rep")]:
            self.take(UNIT, u.pk)
            number = self._broken_id(rng, u.rep_id, "digit_typo") or u.rep_id[:-1]
            self.edit(Unit, u.pk, legal_rep_id_number=number)
            self.answer("id_invalid", UNIT, u.pk, variant="unit_rep")
            done += 1
        self.short("id_invalid", self.n, done)

    def _broken_id(self, rng: random.Random, number: str, variant: str) -> str | None:
        """``number`` with one kind of mistake that fails GB 11643 (and only that)."""
        for _attempt in range(20):
            chars = list(number)
            if variant == "check_digit":
                chars[17] = rng.choice([c for c in "0123456789X" if c != chars[17]])
            elif variant == "digit_typo":
                i = rng.choice([2, 3, 4, 5, 14, 15])
                chars[i] = rng.choice([c for c in "0123456789" if c != chars[i]])
            elif variant == "transposed":
                i = rng.choice([2, 3, 4, 14])
                if chars[i] == chars[i + 1]:
                    continue
                chars[i], chars[i + 1] = chars[i + 1], chars[i]
            elif variant == "impossible_date":
                y, m, d = number[6:10], int(number[10:12]), int(number[12:14])
                pick = rng.random()
                if pick < 0.4:
                    date_part = f"{y}{m:02d}{rng.choice([31, 32]) if m in (4, 6, 9, 11) else 32:02d}"
                elif pick < 0.7:
                    date_part = f"{y}02{rng.choice([30, 31])}"
                else:
                    date_part = f"{y}{rng.choice([13, 14, 0]):02d}{d:02d}"
                body = number[:6] + date_part + number[14:17]
                chars = list(_with_check(body) if rng.random() < 0.5 else body + number[17])
            elif variant == "length":
                i = rng.randrange(6, 17)
                if rng.random() < 0.5:
                    del chars[i]
                else:
                    chars.insert(i, chars[i])
            elif variant == "letter_o":
                zeros = [i for i, c in enumerate(chars[:17]) if c == "0"]
                if not zeros:
                    return None
                chars[rng.choice(zeros)] = "O"
            out = "".join(chars)
            if out != number and out not in self.ids_taken and not check_id_number(out, today=self.today).ok:
                return out
        return None

    def id_mismatch(self) -> None:
        rng = self.rng("id_mismatch")
        plan = _plan(
            rng, self.n, [("sex", 45), ("day_month_swapped", 20), ("year_typo", 20), ("day_off", 15)]
        )
        people = self.people(rng, len(plan) * 2, min_age=25, max_age=60)
        done = 0
        for variant in plan:
            while people:
                p = people.pop()
                assert p.birth is not None
                house_births = {
                    self.persons[r.person].birth
                    for r in self.res_by_house[self.res_by_person[p.pk][0].house]
                    if r.person != p.pk
                }
                if variant == "sex":
                    self.edit(Person, p.pk, sex="2" if p.sex == "1" else "1")
                    break
                b = p.birth
                if variant == "day_month_swapped":
                    if b.day > 12 or b.day == b.month:
                        continue
                    new = dt.date(b.year, b.day, b.month)
                elif variant == "year_typo":
                    new = b.replace(year=b.year + rng.choice([-2, -1, 1, 2]), day=min(b.day, 28))
                else:
                    new = b + dt.timedelta(days=rng.choice([-1, 1, 10, -10]))
                if new in house_births or new == b:
                    continue
                self.edit(Person, p.pk, birth_date=new)
                break
            else:
                continue
            self.answer("id_mismatch", PERSON, p.pk, variant=variant)
            done += 1
        self.short("id_mismatch", self.n, done)

    def phone_invalid(self) -> None:
        rng = self.rng("phone_invalid")
        plan = _plan(
            rng,
            self.n,
            [
                ("dropped_digit", 25),
                ("extra_digit", 20),
                ("bad_prefix", 15),
                ("letter", 10),
                ("local_no_area", 10),
                ("second_phone", 10),
                ("unit_rep", 10),
            ],
        )
        person_variants = [v for v in plan if v != "unit_rep"]
        people = self.people(rng, len(person_variants), min_age=18)
        done = 0
        for p, variant in zip(people, person_variants, strict=False):
            base = p.phone or self.new_phone(rng)
            bad = self._broken_phone(rng, base, "dropped_digit" if variant == "second_phone" else variant)
            if variant == "second_phone":
                self.edit(Person, p.pk, phone2=bad)
            else:
                self.edit(Person, p.pk, phone=bad)
            self.answer("phone_invalid", PERSON, p.pk, variant=variant)
            done += 1
        for u in self.units_where(rng)[: plan.count("unit_rep")]:
            self.take(UNIT, u.pk)
            bad = self._broken_phone(rng, u.rep_phone or self.new_phone(rng), "dropped_digit")
            self.edit(Unit, u.pk, legal_rep_phone=bad)
            self.answer("phone_invalid", UNIT, u.pk, variant="unit_rep")
            done += 1
        self.short("phone_invalid", self.n, done)

    def _broken_phone(self, rng: random.Random, phone: str, variant: str) -> str:
        digits = "".join(c for c in phone if c.isdigit())
        if len(digits) != 11:
            digits = self.new_phone(rng)
        for _attempt in range(20):
            if variant == "dropped_digit":
                i = rng.randrange(3, 11)
                out = digits[:i] + digits[i + 1 :]
            elif variant == "extra_digit":
                i = rng.randrange(3, 11)
                out = digits[:i] + digits[i] + digits[i:]
            elif variant == "bad_prefix":
                out = rng.choice(["12", "10", "11"]) + digits[2:]
            elif variant == "letter":
                i = rng.randrange(3, 11)
                out = digits[:i] + rng.choice("OlB") + digits[i + 1 :]
            else:  # a local landline number without its area code
                out = f"{rng.choice('5678')}{rng.randrange(10**6):06d}"
            if any(x.is_error for x in check_phone(out)):
                return out
        return digits[:9]

    def credit_code_invalid(self) -> None:
        rng = self.rng("credit_code_invalid")
        plan = _plan(
            rng,
            self.n,
            [
                ("check_char", 30),
                ("char_typo", 25),
                ("forbidden_letter", 15),
                ("length", 15),
                ("old_registration_number", 15),
            ],
        )
        units = self.units_where(rng)
        done = 0
        for variant in plan:
            if units:
                u = units.pop()
                code = u.credit
            else:  # a small county: a new shop registered with the bad code
                u = None
                code = self._new_credit(rng)
            bad = self._broken_credit(rng, code, variant)
            if u is None:
                made = self.new_unit(rng, credit=bad)
                if made is None:
                    continue
                pk = made.pk
            else:
                self.take(UNIT, u.pk)
                self.edit(Unit, u.pk, credit_code=bad)
                pk = u.pk
            self.answer("credit_code_invalid", UNIT, pk, variant=variant)
            done += 1
        self.short("credit_code_invalid", self.n, done)

    def _new_credit(self, rng: random.Random) -> str:
        while True:
            body = (
                rng.choice(["91", "92"])
                + self.county
                + "".join(rng.choice(CREDIT_CODE_ALPHABET) for _ in range(9))
            )
            code = body + credit_check_char(body)
            if code not in self.credit_taken:
                self.credit_taken.add(code)
                return code

    def _broken_credit(self, rng: random.Random, code: str, variant: str) -> str:
        for _attempt in range(30):
            chars = list(code)
            if variant == "check_char":
                chars[17] = rng.choice([c for c in CREDIT_CODE_ALPHABET if c != chars[17]])
            elif variant == "char_typo":
                i = rng.randrange(8, 17)
                chars[i] = rng.choice([c for c in CREDIT_CODE_ALPHABET if c != chars[i]])
            elif variant == "forbidden_letter":
                i = rng.randrange(8, 17)
                chars[i] = {"0": "O", "1": "I", "5": "S", "2": "Z", "U": "V"}.get(
                    chars[i], rng.choice("IOSVZ")
                )
            elif variant == "length":
                i = rng.randrange(8, 17)
                if rng.random() < 0.5:
                    del chars[i]
                else:
                    chars.insert(i, chars[i])
            else:  # the 15-digit business registration number of before 2015
                chars = list(f"{self.county}{rng.choice(['6', '0'])}{rng.randrange(10**8):08d}")
            out = "".join(chars)
            check = check_credit_code(out)
            if out != code and (not check.ok or check.findings):
                return out
        return code[:17]

    def missing_field(self) -> None:
        rng = self.rng("missing_field")
        plan = _plan(
            rng, self.n, [("house_use", 35), ("house_type", 25), ("person_sex", 30), ("unit_category", 10)]
        )
        done = 0
        houses = self.houses_where(rng, lambda h: h.use != "rented")
        for variant in plan:
            if variant.startswith("house"):
                h = next(houses, None)
                if h is None:
                    continue
                self.take(HOUSE, h.pk)
                self.edit(House, h.pk, **({"use": ""} if variant == "house_use" else {"house_type": ""}))
                self.answer("missing_field", HOUSE, h.pk, variant=variant)
            elif variant == "person_sex":
                got = self.people(rng, 1, min_age=1)
                if not got:
                    continue
                Person.objects.filter(pk=got[0].pk).update(sex="")
                self.answer("missing_field", PERSON, got[0].pk, variant=variant)
            else:
                units = self.units_where(rng)
                if units:
                    self.take(UNIT, units[0].pk)
                    Unit.objects.filter(pk=units[0].pk).update(category="")
                    pk = units[0].pk
                else:
                    made = self.new_unit(rng, category="")
                    if made is None:
                        continue
                    pk = made.pk
                self.answer("missing_field", UNIT, pk, variant=variant)
            done += 1
        self.short("missing_field", self.n, done)

    def minors(self, rng: random.Random) -> Iterator[_P]:
        for i in rng.sample(range(len(self.person_order)), len(self.person_order)):
            p = self.persons[self.person_order[i]]
            if 6 <= _age(p.birth, self.today) <= 14 and self.clean_person(p):
                yield p

    def role_age(self) -> None:
        rng = self.rng("role_age")
        plan = _plan(rng, self.n, [("landlord", 45), ("legal_rep", 40), ("security_lead", 15)])
        kids = self.minors(rng)
        rented = self.houses_where(rng, lambda h: h.use == "rented" and h.landlord is not None)
        units = self.units_where(rng)
        done = 0
        for variant in plan:
            kid = next(kids, None)
            if kid is None:
                break
            if variant == "landlord":
                h = next(rented, None)
                if h is None:
                    continue
                # The landlord's own child when one lives with them, else a child of the village.
                own = [
                    self.persons[r.person]
                    for lr in self.res_by_person.get(h.landlord or 0, [])
                    for r in self.res_by_house[lr.house]
                    if 6 <= _age(self.persons[r.person].birth, self.today) <= 14
                    and self.clean_person(self.persons[r.person])
                ]
                if own:
                    kid = own[0]
                self.take(PERSON, kid.pk)
                self.take(HOUSE, h.pk)
                self.edit(House, h.pk, landlord_id=kid.pk)
                Residence.objects.filter(house_id=h.pk, landlord_id__isnull=False).update(landlord_id=kid.pk)
                self.landlords.add(kid.pk)
                self.answer("role_age", HOUSE, h.pk, [(PERSON, kid.pk)], variant=variant)
            else:
                if units:
                    u = units.pop()
                    self.take(UNIT, u.pk)
                    pk = u.pk
                    fields = (
                        {"legal_rep_name": kid.name, "legal_rep_id_number": kid.id_number}
                        if variant == "legal_rep"
                        else {"security_lead_name": kid.name, "security_lead_id_number": kid.id_number}
                    )
                    self.edit(Unit, pk, **fields)
                else:
                    made = self.new_unit(
                        rng,
                        rep=kid if variant == "legal_rep" else None,
                        lead=kid if variant != "legal_rep" else None,
                    )
                    if made is None:
                        continue
                    pk = made.pk
                self.take(PERSON, kid.pk)
                self.rep_ids.add(kid.id_number)
                self.answer("role_age", UNIT, pk, [(PERSON, kid.pk)], variant=variant)
            done += 1
        self.short("role_age", self.n, done)

    def residence_rule(self) -> None:
        rng = self.rng("residence_rule")
        plan = _plan(
            rng,
            self.n,
            [
                ("floating_as_permanent", 35),
                ("floating_as_lodging", 20),
                ("lodging_as_floating", 20),
                ("permanent_outside_hukou", 25),
            ],
        )
        wanted = {
            "floating_as_permanent": "floating",
            "floating_as_lodging": "floating",
            "lodging_as_floating": "lodging",
            "permanent_outside_hukou": "permanent",
        }
        pools: dict[str, list[_P]] = {t: [] for t in ("floating", "lodging", "permanent")}
        need = Counter(wanted[v] for v in plan)
        for i in rng.sample(range(len(self.person_order)), len(self.person_order)):
            p = self.persons[self.person_order[i]]
            res = self.res_by_person.get(p.pk)
            if not res or len(res) != 1 or res[0].rtype not in pools:
                continue
            t = res[0].rtype
            if len(pools[t]) >= need[t] or not self.clean_person(p, min_age=16):
                continue
            in_county = p.hukou.startswith(self.county)
            if (t == "floating") == in_county or not p.hukou:
                continue
            pools[t].append(p)
            self.take(PERSON, p.pk)
            if all(len(pools[k]) >= need[k] for k in pools):
                break
        done = 0
        for variant in plan:
            pool = pools[wanted[variant]]
            if not pool:
                continue
            p = pool.pop()
            r = self.res_by_person[p.pk][0]
            self.take(RESIDENCE, r.pk)
            if variant == "permanent_outside_hukou":
                code, text = self.outside_hukou(rng)
                self.edit(
                    Person, p.pk, hukou_division_code=code, hukou_address_text=text, hukou_address_id=None
                )
            else:
                new_type = {"floating_as_permanent": "permanent", "floating_as_lodging": "lodging"}.get(
                    variant, "floating"
                )
                self.edit(Residence, r.pk, residence_type=new_type)
            self.answer("residence_rule", RESIDENCE, r.pk, [(PERSON, p.pk)], variant=variant)
            done += 1
        self.short("residence_rule", self.n, done)

    def rental_no_landlord(self) -> None:
        rng = self.rng("rental_no_landlord")
        plan = _plan(
            rng, self.n, [("landlord_dropped", 60), ("let_without_landlord", 25), ("vacant_let", 15)]
        )
        rented = self.houses_where(rng, lambda h: h.use == "rented" and h.landlord is not None)
        own = self.houses_where(rng, lambda h: h.use == "self" and h.landlord is None)
        vacant = self.houses_where(rng, lambda h: h.use == "vacant" and h.landlord is None)
        done = 0
        for variant in plan:
            source = {"landlord_dropped": rented, "let_without_landlord": own, "vacant_let": vacant}[variant]
            h = next(source, None)
            if h is None:
                continue
            self.take(HOUSE, h.pk)
            if variant == "landlord_dropped":
                self.edit(House, h.pk, landlord_id=None)
                Residence.objects.filter(house_id=h.pk).update(landlord_id=None)
            else:
                self.edit(
                    House,
                    h.pk,
                    use="rented",
                    rental_mode=rng.choice(["whole", "shared"]),
                    rent=Decimal(rng.choice([400, 500, 600, 800, 1000, 1200])),
                    rental_start=rng.choice(self.days) - dt.timedelta(days=rng.randint(20, 400)),
                )
            self.answer("rental_no_landlord", HOUSE, h.pk, variant=variant)
            done += 1
        self.short("rental_no_landlord", self.n, done)

    def unit_address_inactive(self) -> None:
        rng = self.rng("unit_address_inactive")
        plan = _plan(rng, self.n, [("door_demolished", 50), ("left_on_merged_duplicate", 50)])
        units = self.units_where(rng, lambda u: len(self.units_by_address[u.address]) == 1)
        done = 0
        officer_at = self.work_time
        for variant in plan:
            if units:
                u = units.pop()
                self.take(UNIT, u.pk)
                pk, address_pk = u.pk, u.address
            else:
                made = self.new_unit(rng)
                if made is None:
                    continue
                pk, address_pk = made.pk, made.address_id
            door = self.door_of(self.addresses[address_pk])
            self.take(ADDRESS, door.pk)
            when = officer_at(rng)
            if variant == "door_demolished":
                self.edit(
                    StandardAddress,
                    door.pk,
                    status="voided",
                    status_reason=rng.choice(["拆迁", "房屋已拆除", "门牌撤销"]),
                    updated_at=when,
                )
                related = [(ADDRESS, door.pk)]
            else:
                old = self.new_door_variant(
                    rng, door, status="voided", merged_into=door.pk, when=when
                ) or self.new_door_variant(
                    rng, door, variant="recreated_same_parts", status="voided", merged_into=door.pk, when=when
                )
                if old is None:
                    continue
                self.edit(Unit, pk, address_id=old.pk)
                related = [(ADDRESS, old.pk), (ADDRESS, door.pk)]
            self.answer("unit_address_inactive", UNIT, pk, related, variant=variant)
            done += 1
        self.short("unit_address_inactive", self.n, done)

    def overcrowded(self) -> None:
        rng = self.rng("overcrowded")
        plan = _plan(rng, self.n, [("group_rental", 45), ("work_shed", 25), ("area_decimal_slip", 30)])
        small = self.houses_where(
            rng,
            lambda h: (
                h.use == "rented"
                and h.landlord is not None
                and h.house_type in ("apartment", "tube", "bungalow", "self_built")
            ),
        )
        sheds = self.houses_where(
            rng,
            lambda h: (
                h.house_type in ("shed", "bungalow", "other") and h.use in ("rented", "vacant", "business")
            ),
        )
        slips = self.houses_where(
            rng,
            lambda h: (
                h.area is not None
                and 3 <= self.occupants(h.pk) <= 8
                and float(h.area) / 10 < 4 * self.occupants(h.pk)
            ),
        )
        names = Names(self.rng("overcrowded-names"))
        done = 0
        for variant in plan:
            if variant == "area_decimal_slip":
                h = next(slips, None)
                if h is None:
                    continue
                self.take(HOUSE, h.pk)
                assert h.area is not None
                self.edit(House, h.pk, area=(h.area / 10).quantize(Decimal("0.01")))
                self.answer("overcrowded", HOUSE, h.pk, variant=variant)
                done += 1
                continue
            h = next(small if variant == "group_rental" else sheds, None)
            if h is None:
                continue
            self.take(HOUSE, h.pk)
            if variant == "group_rental":
                area = Decimal(rng.choice([18, 20, 24, 26, 30, 32, 35, 40]))
                count = int(area) // 5 + rng.randint(3, 8) - self.occupants(h.pk)
                self.edit(House, h.pk, area=area)
            else:
                area = None
                count = rng.randint(22, 30) - self.occupants(h.pk)
                # A shed or yard housing a building crew: no area measured; an empty one is now
                # used by the employer (单位用房), a rented one stays let.
                self.edit(House, h.pk, area=None, use="unit" if h.use != "rented" else "rented")
            h.area = area
            by = self.collector_of(rng, h.pu)
            day = rng.choice(self.days)
            t = _local(day, rng.randrange(9 * 3600, 14 * 3600))
            pairs: list[tuple[Person, _H, str, str | None]] = []
            for _i in range(max(count, 1)):
                t += dt.timedelta(seconds=rng.randint(240, 540))
                p = self.person_obj(
                    rng,
                    house=h,
                    by=by,
                    at=t,
                    sex="1" if rng.random() < 0.85 else "2",
                    birth=self.birth_for_age(rng, 19, 55),
                    outside=True,
                    names=names,
                )
                pairs.append((p, h, "99" if pairs else "02", "floating"))
            self.save_people(pairs)
            self.answer("overcrowded", HOUSE, h.pk, variant=variant)
            done += 1
        self.short("overcrowded", self.n, done)

    def format_decoys(self) -> None:
        """Decoys for the rules: values that look odd but are right (a landline with its area
        code, a mobile written +86 or with spaces, an ID number ending in a small x, a legacy
        15-digit number, a landlord of nineteen, a door plate's 附号 sub-number plate)."""
        if not self.with_decoys:
            return
        rng = self.rng("format_decoys")
        k = max(1, self.n // 8)
        for p in self.people(rng, k, min_age=18):
            digits = p.phone if len(p.phone) == 11 else self.new_phone(rng)
            value = rng.choice(
                [
                    f"+86 {digits}",
                    f"{digits[:3]} {digits[3:7]} {digits[7:]}",
                    f"0913-55{rng.randrange(10**5):05d}",
                ]
            )
            self.edit(Person, p.pk, phone=value)
            self.decoy("phone_written_differently", PERSON, p.pk)
        xs = [p for p in self.people(rng, k * 20, min_age=18) if p.id_number.endswith("X")][:k]
        for p in xs:
            self.edit(Person, p.pk, id_number=p.id_number[:-1] + "x")
            self.decoy("id_small_x", PERSON, p.pk)
        old = [p for p in self.people(rng, k * 3, min_age=30) if p.id_number[6:8] == "19"][:k]
        for p in old:
            self.edit(Person, p.pk, id_number=p.id_number[:6] + p.id_number[8:17])
            self.decoy("id_legacy_15", PERSON, p.pk)
        young = [p for p in self.people(rng, k * 40, min_age=18, max_age=20)][:k]
        rented = self.houses_where(rng, lambda h: h.use == "rented" and h.landlord is not None)
        for p in young:
            h = next(rented, None)
            if h is None:
                break
            self.take(HOUSE, h.pk)
            self.edit(House, h.pk, landlord_id=p.pk)
            self.decoy("landlord_aged_18_to_20", HOUSE, h.pk)
        doors = [
            a
            for a in self.addresses.values()
            if a.level == "door" and a.status == "accepted" and a.door_number.isdigit() and not a.sub_number
        ]
        taken = {(a.road, a.door_number, a.sub_number) for a in self.addresses.values()}
        for door in rng.sample(doors, min(len(doors), k * 5)):
            if k <= 0:
                break
            if not self.free(ADDRESS, door.pk) or (door.road, door.door_number, "1") in taken:
                continue
            self.take(ADDRESS, door.pk)
            plate = self.new_door_variant(rng, door, variant="sub_number")
            if plate is not None:
                self.decoy("sub_number_plate", ADDRESS, plate.pk)
                k -= 1

    # ========================================================================================
    # Duplicates (DOMAIN.md §7)

    def duplicate_person(self) -> None:
        rng = self.rng("duplicate_person")
        plan = _plan(
            rng,
            self.n,
            [
                ("id_typo_same_name", 20),
                ("homophone_name", 20),
                ("traditional_name", 15),
                ("pinyin_name", 10),
                ("legacy_15_digit", 10),
                ("id_transposed", 10),
                ("fullwidth_id", 5),
                ("invalid_id_import", 10),
            ],
        )
        originals = self.people(rng, len(plan) * 2, min_age=18, max_age=80)
        import opencc

        s2t = opencc.OpenCC("s2t")
        done = 0
        for variant in plan:
            made = None
            while originals and made is None:
                p = originals.pop()
                made = self._dup_person(rng, p, variant, s2t)
            if made is None:
                continue
            copy, orig = made
            self.answer("duplicate_person", PERSON, copy.pk, [(PERSON, orig.pk)], variant=variant)
            if variant == "invalid_id_import":
                self.answer("id_invalid", PERSON, copy.pk, variant="duplicate_typo", overlap=True)
            done += 1
        self.short("duplicate_person", self.n, done)
        if self.with_decoys:
            self._twins(rng, max(1, self.n // 4))

    def _dup_person(self, rng: random.Random, p: _P, variant: str, s2t: Any) -> tuple[Person, _P] | None:
        assert p.birth is not None
        number: str | None = p.id_number
        surname, given = p.name[0], p.name[1:]
        name = p.name
        id_type = "111"
        if variant in ("id_typo_same_name", "homophone_name", "traditional_name", "pinyin_name"):
            number = self._near_id(rng, p.id_number, transpose=False)
        elif variant == "id_transposed":
            number = self._near_id(rng, p.id_number, transpose=True)
        elif variant == "legacy_15_digit":
            if not p.id_number.startswith(self.county) or p.id_number[6:8] != "19":
                return None
            number = p.id_number[:6] + p.id_number[8:17]
        elif variant == "fullwidth_id":
            i = rng.randrange(0, 17)
            number = p.id_number[:i] + chr(ord(p.id_number[i]) + 0xFEE0) + p.id_number[i + 1 :]
        elif variant == "invalid_id_import":
            number = self._broken_id(rng, p.id_number, "digit_typo")
        if not number or number in self.ids_taken:
            return None
        if variant == "homophone_name":
            idx = [i for i, ch in enumerate(given) if ch in HOMOPHONES]
            if not idx:
                return None
            i = rng.choice(idx)
            name = surname + given[:i] + HOMOPHONES[given[i]] + given[i + 1 :]
        elif variant == "traditional_name":
            name = s2t.convert(p.name)
            if name == p.name:
                return None
        elif variant == "pinyin_name":
            sur, giv = pinyin(surname), pinyin(given)
            name = rng.choice(
                [f"{sur.title()} {giv.title()}", f"{sur.upper()} {giv.upper()}", (sur + giv).upper()]
            )
        self.ids_taken.add(number)
        home = self.res_by_person[p.pk][0]
        home_house = self.houses[home.house]
        # Where the copy lives: the same household registered again (30%) or another place in the
        # county where the person works or lodges, registered by another collector.
        house = home_house
        relation = home.relation
        if (
            rng.random() >= 0.3
            or not self.room_for(home_house, 1)
            or not self._births_differ(home_house.pk, p)
        ):
            elsewhere = next(
                self.houses_where(rng, lambda h: h.pk != home_house.pk and self.room_for(h, 1)), None
            )
            if elsewhere is None:
                return None
            house = elsewhere
            relation = "99" if house.use == "rented" else "97"
        by = self.collector_of(rng, house.pu)
        at = self.work_time(rng)
        phone_pick = rng.random()
        phone = p.phone if phone_pick < 0.5 else ("" if phone_pick < 0.75 else self.new_phone(rng))
        in_county = p.hukou.startswith(self.county)
        copy = Person(
            **self.stamps(
                by=by,
                at=at,
                division=house.division,
                pu=house.pu,
                status=rng.choice(["accepted"] * 4 + ["pending"]),
            ),
            id_type=id_type,
            id_number=number,
            name=name,
            pinyin=pinyin(name) if not name.isascii() else name.lower().replace(" ", ""),
            sex=p.sex,
            ethnicity="01",
            birth_date=birth_date_from_id(number) or p.birth,  # the form reads it off the number
            phone=phone,
            hukou_division_code=p.hukou,
            hukou_address_text=Person.objects.filter(pk=p.pk).values_list("hukou_address_text", flat=True)[0],
            nationality="CHN",
        )
        if house.pk == home_house.pk:
            rtype = home.rtype
        else:
            rtype = "lodging" if in_county else "floating"
        # A second active 常住 of one person record is impossible; of a copy it is the error.
        self.save_people([(copy, house, relation, rtype)])
        return copy, p

    def _births_differ(self, hid: int, p: _P) -> bool:
        """The household has two other members born on other days (so that registering ``p``
        twice does not make a household of identical birth dates)."""
        others = [self.persons[r.person].birth for r in self.res_by_house[hid] if r.person != p.pk]
        return len([b for b in others if b != p.birth]) >= 2

    def _near_id(self, rng: random.Random, number: str, *, transpose: bool) -> str | None:
        """An ID number one slip away from ``number`` that still passes the check (the check
        character recomputed), keeping the birth date and sex."""
        for _attempt in range(30):
            chars = list(number[:17])
            if transpose:  # two neighbouring digits swapped: in the region, the day or the sequence
                i = rng.choice([2, 3, 4, 12, 12, 14])
                if chars[i] == chars[i + 1]:
                    continue
                chars[i], chars[i + 1] = chars[i + 1], chars[i]
                born = birth_date_from_id("".join(chars) + "0")
                if born is None or born > self.today:
                    continue
            else:
                i = rng.choice([3, 4, 5, 14, 15])
                chars[i] = rng.choice([c for c in "0123456789" if c != chars[i]])
            out = _with_check("".join(chars))
            if out not in self.ids_taken:
                return out
        return None

    def _twins(self, rng: random.Random, n: int) -> None:
        """Decoys: a twin registered beside a child (same birth date and surname, the next
        sequence number, another given name) — two people, not one person twice."""
        names = Names(self.rng("twins"))
        made = 0
        for p in self.minors(rng):
            if made >= n:
                break
            home = self.res_by_person[p.pk][0]
            h = self.houses[home.house]
            if not self.room_for(h, 1) or not self._births_differ(h.pk, p) or p.birth is None:
                continue
            sex = rng.choice("12")
            seq = int(p.id_number[14:17])
            for step in (2, -2, 4, 1, -1, 3):
                cand = seq + step
                if 0 <= cand <= 999 and (cand % 2 == 1) == (sex == "1"):
                    break
            number = _with_check(f"{p.id_number[:14]}{cand:03d}")
            if number in self.ids_taken:
                continue
            self.ids_taken.add(number)
            given = p.name[1:]
            twin_name = p.name[0] + names.given(sex, p.birth.year)
            if twin_name == p.name or (len(given) == 2 and twin_name[1:] == given[::-1]):
                continue
            self.take(PERSON, p.pk)
            by = Person.objects.filter(pk=p.pk).values_list("created_by_id", flat=True)[0]
            twin = self.person_obj(
                rng,
                house=h,
                by=by,
                at=self.work_time(rng),
                sex=sex,
                birth=p.birth,
                name=twin_name,
                id_number=number,
                phone="",
                outside=not p.hukou.startswith(self.county),
            )
            twin.hukou_division_code = p.hukou
            [(twin, _r)] = self.save_people([(twin, h, "30" if sex == "2" else "20", home.rtype)])
            self.decoy("twin", PERSON, twin.pk)
            made += 1

    def duplicate_unit(self) -> None:
        rng = self.rng("duplicate_unit")
        plan = _plan(
            rng,
            self.n,
            [
                ("short_name_same_code", 30),
                ("no_code_same_name", 25),
                ("company_form_variant", 20),
                ("shop_name_variant", 15),
                ("next_door_same_code", 10),
            ],
        )
        units = self.units_where(rng)
        done = 0
        for variant in plan:
            if units:
                u = units.pop()
                self.take(UNIT, u.pk)
                row = Unit.objects.get(pk=u.pk)
            else:  # a small county: the shop registered first, properly, then again
                made = self.new_unit(rng)
                if made is None:
                    break
                row = made
            name = self._unit_name_variant(rng, row.name, variant)
            address_id = row.address_id
            house_id = row.house_id
            if variant == "next_door_same_code":
                door = self.addresses[row.address_id]
                near = self._neighbour_door(door)
                if near is not None:
                    address_id, house_id = near.pk, None
            credit = "" if variant == "no_code_same_name" else row.credit_code
            pu = self.addresses[address_id].pu
            copy = Unit(
                **self.stamps(
                    by=self.collector_of(rng, pu),
                    at=self.work_time(rng),
                    division=self.addresses[address_id].division,
                    pu=pu,
                    status=rng.choice(["accepted", "accepted", "pending"]),
                ),
                name=name,
                credit_code=credit,
                category=row.category,
                industry=row.industry,
                special_trade=row.special_trade,
                legal_rep_name=row.legal_rep_name,
                legal_rep_id_number=row.legal_rep_id_number if rng.random() < 0.7 else "",
                legal_rep_phone=row.legal_rep_phone,
                phone=row.phone if rng.random() < 0.6 else "",
                address_id=address_id,
                house_id=house_id,
                biz_status=row.biz_status,
                opened_on=row.opened_on,
            )
            copy.save()
            self.take(UNIT, copy.pk)
            self.answer("duplicate_unit", UNIT, copy.pk, [(UNIT, row.pk)], variant=variant)
            done += 1
        self.short("duplicate_unit", self.n, done)
        if self.with_decoys:
            for u in units[: max(1, self.n // 8)]:
                self._branch(rng, u)

    def _unit_name_variant(self, rng: random.Random, name: str, variant: str) -> str:
        if variant in ("no_code_same_name", "next_door_same_code"):
            return name
        if variant == "short_name_same_code":
            for prefix in ("陕西省", "陕西", "渭南市", "合阳县", "合阳"):
                if name.startswith(prefix) and len(name) > len(prefix) + 3:
                    return name[len(prefix) :]
            return "合阳县" + name if not name.startswith("合阳") else name + "（合阳）"
        if variant == "company_form_variant":
            for a, b in (
                ("有限责任公司", "有限公司"),
                ("有限公司", "有限责任公司"),
                ("公司", "有限公司"),
                ("合作社", "专业合作社"),
                ("厂", "加工厂"),
            ):
                if name.endswith(a):
                    return name[: -len(a)] + b
            return name + "（个体）"
        for a, b in (("店", "商店"), ("超市", "便利超市"), ("部", "门市部"), ("馆", "饭馆")):
            if name.endswith(a):
                return name[: -len(a)] + b
        return rng.choice(["合阳", "合阳县"]) + name

    def _neighbour_door(self, door: _A) -> _A | None:
        if not door.door_number.isdigit():
            return None
        n = int(door.door_number)
        for cand in self.addresses.values():
            if (
                cand.level == "door"
                and cand.road == door.road
                and cand.division == door.division
                and cand.door_number.isdigit()
                and abs(int(cand.door_number) - n) in (1, 2)
                and cand.status == "accepted"
            ):
                return cand
        return None

    def _branch(self, rng: random.Random, u: _U) -> None:
        """Decoy: a branch of a shop at another door plate, with its own credit code and manager."""
        row = Unit.objects.get(pk=u.pk)
        door = next(
            (
                a
                for a in rng.sample(list(self.addresses.values()), min(500, len(self.addresses)))
                if a.level == "door" and a.status == "accepted" and a.pu == u.pu and a.pk != u.address
            ),
            None,
        )
        if door is None:
            return
        names = Names(self.rng(f"branch-{u.pk}"))
        rep_birth = self.birth_for_age(rng, 28, 55)
        sex = rng.choice("12")
        branch = Unit(
            **self.stamps(
                by=self.collector_of(rng, door.pu), at=self.work_time(rng), division=door.division, pu=door.pu
            ),
            name=f"{row.name}（{rng.choice(['二分店', '东街店', '新城店', '北区店'])}）",
            credit_code=self._new_credit(rng),
            category=row.category,
            industry=row.industry,
            legal_rep_name=names.full(sex, rep_birth.year),
            legal_rep_id_number=self.new_id(rng, self.county, rep_birth, sex),
            legal_rep_phone=self.new_phone(rng),
            address_id=door.pk,
            biz_status="open",
        )
        branch.save()
        self.take(UNIT, branch.pk)
        self.decoy("branch_shop", UNIT, branch.pk)

    def new_unit(
        self,
        rng: random.Random,
        *,
        credit: str | None = None,
        category: str = "individual",
        rep: _P | None = None,
        lead: _P | None = None,
    ) -> Unit | None:
        """A new shop registered by a collector at a door plate of the county."""
        doors = [
            a
            for a in self.addresses.values()
            if a.level == "door" and a.status == "accepted" and self.free(ADDRESS, a.pk)
        ]
        if not doors:
            return None
        door = rng.choice(doors)
        self.take(ADDRESS, door.pk)
        names = Names(self.rng(f"new-unit-{len(self.used)}"))
        birth = self.birth_for_age(rng, 28, 55)
        sex = rng.choice("12")
        unit = Unit(
            **self.stamps(
                by=self.collector_of(rng, door.pu), at=self.work_time(rng), division=door.division, pu=door.pu
            ),
            name=f"{rng.choice(_SHOP_WORDS)}{rng.choice(_SHOP_KINDS)}{rng.randint(1, 99)}",
            credit_code=credit if credit is not None else self._new_credit(rng),
            category=category,
            legal_rep_name=rep.name if rep else names.full(sex, birth.year),
            legal_rep_id_number=rep.id_number if rep else self.new_id(rng, self.county, birth, sex),
            legal_rep_phone=self.new_phone(rng),
            security_lead_name=lead.name if lead else "",
            security_lead_id_number=lead.id_number if lead else "",
            address_id=door.pk,
            biz_status="open",
        )
        unit.save()
        self.take(UNIT, unit.pk)
        return unit

    def duplicate_address(self) -> None:
        rng = self.rng("duplicate_address")
        plan = _plan(
            rng,
            self.n,
            [
                ("road_name_variant", 35),
                ("door_number_written_out", 20),
                ("building_written_differently", 15),
                ("recreated_same_parts", 30),
            ],
        )
        doors = [
            a
            for a in self.addresses.values()
            if a.level == "door" and a.status == "accepted" and a.road is not None and a.door_number.isdigit()
        ]
        order = rng.sample(doors, len(doors))
        done = 0
        for variant in plan:
            made = None
            while order and made is None:
                door = order.pop()
                if not self.free(ADDRESS, door.pk):
                    continue
                if variant == "building_written_differently" and not door.building:
                    continue
                made = self.new_door_variant(rng, door, variant=variant)
            if made is None:
                continue
            self.take(ADDRESS, door.pk)
            self.answer("duplicate_address", ADDRESS, made.pk, [(ADDRESS, door.pk)], variant=variant)
            done += 1
        self.short("duplicate_address", self.n, done)

    def new_door_variant(
        self,
        rng: random.Random,
        door: _A,
        *,
        variant: str = "road_name_variant",
        status: str | None = None,
        merged_into: int | None = None,
        when: dt.datetime | None = None,
    ) -> StandardAddress | None:
        """The same door plate created again with a variant spelling (not saved when impossible)."""
        road = door.road
        number, building = door.door_number, door.building
        full = door.full_name
        if variant == "road_name_variant" and road is not None:
            kind, rname, division = self.elements[road]
            new_name = self._road_variant(rname)
            if new_name is None or new_name == rname:
                return None
            if (division, kind, new_name) not in self.element_names:
                el = AddressElement.objects.create(kind=kind, name=new_name, division_id=division)
                self.elements[el.pk] = (kind, new_name, division)
                self.element_names.add((division, kind, new_name))
                road = el.pk
            else:
                road = next(pk for pk, v in self.elements.items() if v == (kind, new_name, division))
            full = full.replace(rname, new_name, 1)
        elif variant == "door_number_written_out":
            cn = _chinese_number(int(number))
            if cn is None:
                return None
            full = full.replace(f"{number}号", f"{cn}号", 1)
            number = cn
        elif variant == "sub_number":  # a real plate of its own: 18号附1号 beside 18号
            full = full.replace(f"{number}号", f"{number}号附1号", 1)
        elif variant == "building_written_differently":
            label = building if not building.isdigit() else f"{building}号楼"
            digits = "".join(c for c in building if c.isdigit())
            if not digits:
                return None
            new_b = rng.choice([f"{digits}栋", f"{digits}幢", f"{_chinese_number(int(digits))}号楼"])
            full = full.replace(label, new_b, 1)
            building = new_b
        lat = lng = None
        if door.lat is not None and door.lng is not None:
            la, ln = _offset(
                float(door.lat), float(door.lng), rng.uniform(3, 35), rng.uniform(0, 2 * math.pi)
            )
            lat, lng = _d7(la), _d7(ln)
        code = f"{door.code}-{rng.randrange(36**3):03x}"[:48]
        while code in self.address_codes:
            code = f"{door.code}-{rng.randrange(36**4):04x}"[:48]
        self.address_codes.add(code)
        at = when or self.work_time(rng)
        obj = StandardAddress.objects.create(
            **self.stamps(
                by=self.collector_of(rng, door.pu),
                at=at,
                division=door.division,
                pu=door.pu,
                status=status or rng.choice(["accepted", "accepted", "accepted", "pending"]),
            ),
            code=code,
            level="door",
            road_id=road,
            compound_id=door.compound,
            door_prefix=door.door_prefix,
            door_number=number,
            door_suffix=door.door_suffix,
            sub_number="1" if variant == "sub_number" else door.sub_number,
            building=building,
            common_name=rng.choice(["", "", door.common_name]),
            full_name=full[:200],
            lat=lat,
            lng=lng,
            coord_source="WGS84" if lat is not None else "",
            mark_state="marked" if lat is not None else "unmarked",
            clean_state="merged" if merged_into else "raw",
            merged_into_id=merged_into,
            status_reason="与标准地址重复，已合并" if merged_into else "",
        )
        self.take(ADDRESS, obj.pk)
        return obj

    @staticmethod
    def _road_variant(name: str) -> str | None:
        import opencc

        if name[:-1].isdigit() and name.endswith("组") and int(name[:-1]) % 3:
            cn = _chinese_number(int(name[:-1]))  # 3组 → 三组 (two in three), else 3队
            return f"{cn}组" if cn else None
        swaps = (("路", "街"), ("街", "路"), ("巷", "胡同"), ("大道", "路"), ("组", "队"), ("村", "庄"))
        for a, b in swaps:
            if name.endswith(a) and len(name) > len(a):
                return name[: -len(a)] + b
        trad = opencc.OpenCC("s2t").convert(name)
        return trad if trad != name else None

    # ========================================================================================
    # Signs of fabrication (DOMAIN.md §7): records

    def fake_id_pattern(self) -> None:
        """A collector inventing people with ID numbers in sequence: one birth date and the
        sequence numbers counting up, or one sequence number and the birth dates counting up —
        each put into another household of the district, on one day."""
        rng = self.rng("fake_id_pattern")
        names = Names(self.rng("fake_id_pattern-names"))
        done = 0
        pus = sorted(self.lived_by_pu)
        for size in _group_sizes(rng, self.n, 4, 8):
            if not pus:
                break
            variant = rng.choice(
                ["sequential_same_birth", "sequential_same_birth", "consecutive_birth_dates"]
            )
            houses: list[_H] = []
            for _attempt in range(20):
                pu = rng.choice(pus)
                order = rng.sample(self.lived_by_pu[pu], len(self.lived_by_pu[pu]))
                houses = [
                    h for h in (self.houses[i] for i in order) if self.clean_house(h) and self.room_for(h, 1)
                ][:size]
                if len(houses) == size:
                    break
            if not houses:
                continue
            by = self.collector_of(rng, houses[0].pu)
            numbers: list[tuple[str, dt.date, str]] = []
            for _attempt in range(50):  # a run with no number already taken
                birth = self.birth_for_age(rng, 22, 60)
                step = rng.choice([1, 2])
                seq0 = rng.randrange(1, 999 - step * size)
                numbers = []
                for i in range(len(houses)):
                    seq, b = (
                        (seq0 + i * step, birth)
                        if variant == "sequential_same_birth"
                        else (seq0, birth + dt.timedelta(days=i))
                    )
                    numbers.append(
                        (_with_check(f"{self.county}{b:%Y%m%d}{seq:03d}"), b, "1" if seq % 2 else "2")
                    )
                if not any(n in self.ids_taken for n, _b, _s in numbers):
                    break
            t = self.work_time(rng)
            pairs: list[tuple[Person, _H, str, str | None]] = []
            for h, (number, b, sex) in zip(houses, numbers, strict=True):
                self.ids_taken.add(number)
                t += dt.timedelta(seconds=rng.randint(600, 1800))
                p = self.person_obj(
                    rng, house=h, by=by, at=t, sex=sex, birth=b, id_number=number, outside=False, names=names
                )
                pairs.append((p, h, "99" if h.use == "rented" else "97", "lodging"))
            for p, _r in self.save_people(pairs):
                self.answer("fake_id_pattern", PERSON, p.pk, variant=variant)
                done += 1
        self.short("fake_id_pattern", self.n, done)

    def _unrelated(
        self, rng: random.Random, size: int, *, other_villages: bool = False, **kw: Any
    ) -> tuple[int | None, list[_P]]:
        """A collector and ``size`` people they entered who are unrelated to each other: other
        houses, other surnames (and with ``other_villages``, domiciles in other villages)."""
        if not hasattr(self, "by_creator"):
            self.by_creator: dict[int, list[int]] = defaultdict(list)
            for pk in self.person_order:
                by = self.persons[pk].by
                if by is not None:
                    self.by_creator[by].append(pk)
        creators = sorted(c for c, pks in self.by_creator.items() if len(pks) >= size * 3)
        chosen: list[_P] = []
        for _attempt in range(10):
            if not creators:
                break
            collector = rng.choice(creators)
            chosen, surnames, houses, villages = [], set(), set(), set()
            pool = self.by_creator[collector]
            for i in rng.sample(range(len(pool)), len(pool)):
                p = self.persons[pool[i]]
                res = self.res_by_person.get(p.pk)
                if not res or p.name[0] in surnames or not self.clean_person(p, **kw):
                    continue
                h = self.houses[res[0].house]
                if h.pk in houses or not self.clean_house(h):
                    continue
                if other_villages and (p.hukou in villages or not p.hukou.startswith(self.county)):
                    continue
                chosen.append(p)
                surnames.add(p.name[0])
                houses.add(h.pk)
                villages.add(p.hukou)
                if len(chosen) == size:
                    return collector, chosen
        return None, chosen

    def fake_shared_phone(self) -> None:
        """One phone number written on several unrelated people a collector entered (other
        houses, other surnames): the collector's own number, the station's landline, or one
        resident's number copied to the others."""
        rng = self.rng("fake_shared_phone")
        done = 0
        for size in _group_sizes(rng, self.n, 5, 9):
            collector, chosen = self._unrelated(rng, size, min_age=18)
            if len(chosen) < 3:
                continue
            variant = rng.choice(
                ["collector_own_phone", "collector_own_phone", "one_residents_phone", "station_landline"]
            )
            if variant == "collector_own_phone" and collector is not None and self.user_phone.get(collector):
                phone = self.user_phone[collector]
            elif variant == "station_landline":
                phone = f"0913-55{rng.randrange(100_000):05d}"
            else:
                variant = "one_residents_phone"
                phone = chosen[0].phone or self.new_phone(rng)
            for p in chosen:
                self.take(PERSON, p.pk)
                self.touched_houses.update(r.house for r in self.res_by_person[p.pk])
                self.edit(Person, p.pk, phone=phone, by=collector)
                self.answer("fake_shared_phone", PERSON, p.pk, variant=variant)
                done += 1
        self.short("fake_shared_phone", self.n, done)
        if self.with_decoys:
            self._family_phones(rng, max(1, self.n // 6))

    def _family_phones(self, rng: random.Random, n: int) -> None:
        """Decoys: a child's or an old parent's phone is the householder's (one family)."""
        made = 0
        for h in self.houses_where(rng, lambda h: 3 <= self.occupants(h.pk) <= 6):
            if made >= n:
                break
            members = [self.persons[r.person] for r in self.res_by_house[h.pk]]
            head = next((p for p in members if p.phone and 25 <= _age(p.birth, self.today) <= 60), None)
            others = [p for p in members if p is not head and not p.phone]
            if head is None or len(others) < 1:
                continue
            self.touched_houses.add(h.pk)
            for p in others[:2]:
                self.edit(Person, p.pk, phone=head.phone)
                self.take(PERSON, p.pk)
                self.decoy("family_phone", PERSON, p.pk)
            self.take(PERSON, head.pk)
            made += 1

    def fake_placeholder_name(self) -> None:
        rng = self.rng("fake_placeholder_name")
        plan = _plan(rng, self.n, [("new_person", 60), ("renamed", 40)])
        done = 0
        houses = self.houses_where(rng, lambda h: self.room_for(h, 1) and self.occupants(h.pk) >= 1)
        renamed = self.people(rng, plan.count("renamed"), min_age=1)
        for variant in plan:
            name = rng.choice(PLACEHOLDER_NAMES)
            if variant == "renamed":
                if not renamed:
                    continue
                p = renamed.pop()
                self.edit(Person, p.pk, name=name, pinyin=pinyin(name) if not name.isascii() else name)
                self.answer("fake_placeholder_name", PERSON, p.pk, variant=variant)
            else:
                h = next(houses, None)
                if h is None:
                    continue
                by = self.collector_of(rng, h.pu)
                person = self.person_obj(
                    rng, house=h, by=by, at=self.work_time(rng), name=name, outside=False, phone=""
                )
                person.pinyin = pinyin(name) if not name.isascii() else name
                self.save_people([(person, h, "97", "lodging")])
                self.answer("fake_placeholder_name", PERSON, person.pk, variant=variant)
            done += 1
        self.short("fake_placeholder_name", self.n, done)
        if self.with_decoys:
            for p, name in zip(self.people(rng, 4, min_age=18), PLACEHOLDER_LOOKALIKES[:4], strict=False):
                self.edit(Person, p.pk, name=name, pinyin=pinyin(name))
                self.decoy("real_name_like_placeholder", PERSON, p.pk)

    def fake_same_birthdates(self) -> None:
        rng = self.rng("fake_same_birthdates")
        plan = _plan(rng, self.n, [("invented_household", 70), ("overwritten_birth_dates", 30)])
        names = Names(self.rng("fake_same_birthdates-names"))
        empty = self.houses_where(
            rng, lambda h: self.occupants(h.pk) == 0 and h.use in ("vacant", "self") and (h.area or 0) >= 40
        )
        families = self.houses_where(
            rng,
            lambda h: (
                3 <= self.occupants(h.pk) <= 5
                and len({self.persons[r.person].birth for r in self.res_by_house[h.pk]})
                == self.occupants(h.pk)
                and all(self.clean_person(self.persons[r.person]) for r in self.res_by_house[h.pk])
            ),
        )
        done = 0
        for variant in plan:
            if variant == "invented_household":
                h = next(empty, None)
                if h is None:
                    continue
                self.take(HOUSE, h.pk)
                if h.use == "vacant":
                    self.edit(House, h.pk, use="self")
                    h.use = "self"
                by = self.collector_of(rng, h.pu)
                birth = self.birth_for_age(rng, 30, 55)
                surname = names.surname()
                size = rng.randint(3, 5)
                relations = (
                    ["02", "10", "20", "30", "51", "52"][:size]
                    if size < 5
                    else ["02", "10", "20", "30", "52"]
                )
                t = self.work_time(rng)
                pairs: list[tuple[Person, _H, str, str | None]] = []
                seqs: list[int] = []
                for rel in relations:
                    sex = {"02": "1", "10": "2", "20": "1", "30": "2", "51": "1", "52": "2"}[rel]
                    region = (
                        self.county
                        if rel in ("02", "20", "30", "51")
                        else rng.choice(["610581", "610526", "610527", self.county])
                    )
                    while True:
                        seq = rng.randrange(500) * 2 + (1 if sex == "1" else 0)
                        if all(abs(seq - s) > 40 for s in seqs):
                            break
                    seqs.append(seq)
                    number = _with_check(f"{region}{birth:%Y%m%d}{seq:03d}")
                    if number in self.ids_taken:
                        continue
                    self.ids_taken.add(number)
                    t += dt.timedelta(seconds=rng.randint(300, 700))
                    p = self.person_obj(
                        rng,
                        house=h,
                        by=by,
                        at=t,
                        sex=sex,
                        birth=birth,
                        id_number=number,
                        outside=False,
                        surname=surname if rel in ("02", "20", "30") else None,
                        names=names,
                        phone=None if rel == "02" else "",
                    )
                    pairs.append((p, h, rel, "permanent" if rel == "02" else "lodging"))
                saved = self.save_people(pairs)
                self.answer(
                    "fake_same_birthdates", HOUSE, h.pk, [(PERSON, p.pk) for p, _r in saved], variant=variant
                )
            else:
                h = next(families, None)
                if h is None:
                    continue
                self.take(HOUSE, h.pk)
                members = [self.persons[r.person] for r in self.res_by_house[h.pk]]
                head = next(
                    (m for m in members if any(r.relation == "02" for r in self.res_by_person[m.pk])),
                    members[0],
                )
                for m in members:
                    self.take(PERSON, m.pk)
                    if m.pk != head.pk:
                        self.edit(Person, m.pk, birth_date=head.birth)
                        self.answer(
                            "id_mismatch", PERSON, m.pk, variant="household_birth_dates_copied", overlap=True
                        )
                self.answer(
                    "fake_same_birthdates", HOUSE, h.pk, [(PERSON, m.pk) for m in members], variant=variant
                )
            self.touched_houses.add(h.pk)
            done += 1
        self.short("fake_same_birthdates", self.n, done)

    # ========================================================================================
    # Signs of fabrication: field work (submissions)

    def _households(self, pu: str) -> list[_H]:
        """Houses with people in a police district that no injected error touched."""
        out = []
        for hid in self.lived_by_pu.get(pu, []):
            if hid in self.touched_houses or not self.free(HOUSE, hid):
                continue
            if all(self.free(PERSON, r.person) for r in self.res_by_house[hid]):
                out.append(self.houses[hid])
        return out

    def _route(self, rng: random.Random, pool: list[_H], k: int) -> list[_H]:
        """``k`` households in walking order: whole door plates (a building's rooms) at a time."""
        by_door: dict[int, list[_H]] = defaultdict(list)
        for h in pool:
            by_door[self.door_of(self.addresses[h.address]).pk].append(h)
        doors = sorted(by_door)
        out: list[_H] = []
        while len(out) < k and doors:
            d = doors.pop(rng.randrange(len(doors)))
            out.extend(by_door[d][: k - len(out)])
        return out

    def _gps_near(self, rng: random.Random, door: _A) -> tuple[float, float, int] | None:
        """Where an honest phone says it is at ``door``: a few metres off within its accuracy,
        sometimes further in a courtyard or a stairwell with a poorer fix, now and then none."""
        if door.lat is None or door.lng is None:
            # An unmarked door plate: the phone still has a fix, somewhere in the village.
            centre = self.centroids.get(door.division)
            if centre is None or rng.random() < 0.3:
                return None
            lat, lng = _offset(centre[0], centre[1], rng.uniform(0, 500), rng.uniform(0, 2 * math.pi))
            return lat, lng, rng.randint(5, 30)
        r = rng.random()
        if r < 0.05:
            return None  # no fix indoors
        if r < 0.85:
            metres, acc = abs(rng.gauss(0, 12)) + 2, rng.randint(5, 30)
        elif r < 0.97:
            metres, acc = rng.uniform(40, 120), rng.randint(60, 200)
        else:
            metres, acc = rng.uniform(250, 700), rng.randint(900, 1800)  # a poor network fix
        lat, lng = _offset(float(door.lat), float(door.lng), metres, rng.uniform(0, 2 * math.pi))
        return lat, lng, acc

    def _note(self, rng: random.Random) -> str:
        """An honest note: mostly none, often a stock phrase, sometimes a line about this household."""
        r = rng.random()
        if r < 0.55:
            return ""
        if r < 0.85:
            return rng.choice(STOCK_NOTES)
        for _attempt in range(50):
            text = rng.choice(_NOTE_DETAILS).format(
                place=rng.choice(_PLACES),
                rel=rng.choice(_RELS),
                age=rng.randint(60, 92),
                n=rng.randint(2, 6),
                year=rng.randint(1985, 2022),
                floors=rng.randint(1, 3),
                shop=rng.choice(_SHOPS),
            )
            if text not in self._notes_taken:
                self._notes_taken.add(text)
                return text
        return rng.choice(STOCK_NOTES)

    def _photo(self) -> str:
        self._photo_no += 1
        return hashlib.sha256(f"ybss-inject-photo:{self.seed}:{self._photo_no}".encode()).hexdigest()

    def _changes(self, rng: random.Random, h: _H, share: float = 0.3) -> list[tuple[int, str]]:
        members = [r.person for r in self.res_by_house[h.pk]]
        picked = [(pid, rng.choice(_OCCUPATIONS)) for pid in members if rng.random() < share]
        return picked or [(members[0], rng.choice(_OCCUPATIONS))]

    def _newcomer(self, rng: random.Random, h: _H, kind: str) -> tuple[Person, str, str] | None:
        """A new person a household form adds: a newborn, a relative who moved in, or a tenant
        (``kind``: "newborn", "relative", "tenant"). ``None`` when the house has no room."""
        if not self.room_for(h, self.planned[h.pk] + 1):
            return None
        self.planned[h.pk] += 1
        at = self.work_time(rng)
        names = Names(rng)
        if kind == "newborn":
            birth = self.today - dt.timedelta(days=rng.randint(40, 300))
            sex = rng.choice("12")
            head = next((self.persons[r.person] for r in self.res_by_house[h.pk] if r.relation == "02"), None)
            surname = head.name[0] if head and not head.name.isascii() else None
            p = self.person_obj(
                rng,
                house=h,
                by=None,
                at=at,
                sex=sex,
                birth=birth,
                outside=False,
                surname=surname,
                phone="",
                names=names,
            )
            p.occupation = ""
            return p, "20" if sex == "1" else "30", "permanent"
        if kind == "relative":
            p = self.person_obj(
                rng,
                house=h,
                by=None,
                at=at,
                birth=self.birth_for_age(rng, 20, 75),
                outside=False,
                names=names,
            )
            return p, rng.choice(["97", "50", "70"]), "lodging"
        p = self.person_obj(
            rng, house=h, by=None, at=at, birth=self.birth_for_age(rng, 19, 50), outside=True, names=names
        )
        return p, "99", "floating"

    def _honest_day(self, rng: random.Random, collector: int, day: dt.date, pool: list[_H]) -> list[_Sub]:
        """One collector's honest working day: households at a human pace, a few calls where
        nobody was home, a photo each, the phone synced as it goes or late in the evening."""
        self.busy.add((collector, day))
        evening = rng.random() < 0.25  # 错时采集: afternoon into the evening
        t = _local(
            day, rng.randrange(14 * 3600, 15 * 3600) if evening else rng.randrange(8 * 3600 + 1800, 10 * 3600)
        )
        end = _local(day, 20 * 3600 + 2700 if evening else 18 * 3600)
        route = self._route(rng, pool, rng.randint(8, 16))
        out: list[_Sub] = []
        last_door: int | None = None
        lunch = evening
        for h in route:
            a = self.addresses[h.address]
            door = self.door_of(a)
            t += dt.timedelta(
                seconds=rng.randint(60, 300) if door.pk == last_door else rng.randint(300, 1200)
            )
            if not lunch and t >= _local(day, 12 * 3600):
                t = max(t, _local(day, 13 * 3600 + rng.randrange(3600)))
                lunch = True
            if t >= end:
                break
            last_door = door.pk
            gps = self._gps_near(rng, door)
            if rng.random() < 0.12:  # nobody home or refused: a quick call, no form
                finished = t + dt.timedelta(seconds=rng.randint(20, 90))
                outcome = rng.choice(["nobody_home"] * 4 + ["refused"])
                sub = _Sub(
                    collector,
                    door,
                    t,
                    finished,
                    finished,
                    visit_address=a,
                    outcome=outcome,
                    gps=gps,
                    state="applied",
                )
            else:
                people = len(self.res_by_house[h.pk])
                newcomers = []
                if rng.random() < 0.15:
                    kind = rng.choice(
                        ["newborn", "relative", "tenant"] if h.use == "rented" else ["newborn", "relative"]
                    )
                    made = self._newcomer(rng, h, kind)
                    newcomers = [made] if made else []
                work = (
                    rng.randint(240, 600)
                    + people * rng.randint(60, 150)
                    + len(newcomers) * rng.randint(150, 360)
                )
                finished = t + dt.timedelta(seconds=work)
                sub = _Sub(
                    collector,
                    door,
                    t,
                    finished,
                    finished,
                    house=h,
                    gps=gps,
                    note=self._note(rng),
                    visit_note=self._note(rng) if rng.random() < 0.3 else "",
                    photos=[self._photo() for _ in range(2 if rng.random() < 0.1 else 1)],
                    state=rng.choices(["passed", "pending", "returned"], [85, 10, 5])[0],
                    changes=self._changes(rng, h),
                    newcomers=newcomers,
                )
            t = sub.finished
            sub.received = sub.finished + dt.timedelta(seconds=rng.randint(2, 40))
            out.append(sub)
        if out and rng.random() < 0.15:  # worked offline, synced at home late in the evening
            sync = _local(day, rng.randrange(22 * 3600 + 1800, 23 * 3600 + 3000))
            for sub in out:
                sub.received = max(sync, sub.finished + dt.timedelta(minutes=5))
        # A returned household corrected and sent again the next evening (same visit, same photo).
        nxt = day + dt.timedelta(days=1)
        for sub in list(out):
            if (
                sub.state == "returned"
                and sub.house is not None
                and nxt <= self.days[-1]
                and (collector, nxt) not in self.busy
            ):
                self.busy.add((collector, nxt))
                edit = _local(nxt, rng.randrange(19 * 3600, 20 * 3600))
                again = _Sub(
                    collector,
                    sub.door,
                    edit,
                    edit + dt.timedelta(seconds=rng.randint(60, 240)),
                    edit + dt.timedelta(seconds=rng.randint(300, 400)),
                    house=sub.house,
                    gps=None,
                    note=sub.note,
                    photos=list(sub.photos),
                    state="passed",
                    replaces=sub,
                    changes=sub.changes,
                    newcomers=list(sub.newcomers),
                )
                out.append(again)
        return out

    def background(self) -> None:
        """Honest field work in every police district with people, over several days."""
        rng = self.rng("background")
        pus = sorted(p for p in self.lived_by_pu if self.collectors.get(p))
        self.pools = {pu: self._households(pu) for pu in pus}
        if not self.with_background:
            return
        for pu in pus:
            for collector in self.collectors[pu]:
                if rng.random() < 0.4:
                    continue
                for day in sorted(rng.sample(self.days, min(len(self.days), rng.randint(1, 3)))):
                    if (collector, day) not in self.busy:
                        self.subs.extend(self._honest_day(rng, collector, day, self.pools[pu]))

    def _fake_shift(
        self, rng: random.Random, minimum: int, building: int = 0
    ) -> tuple[int, str, dt.date] | None:
        """A collector (of a district with at least ``minimum`` households left, and with
        ``building``: a door plate with that many) and a day of theirs with no other field work."""
        pus = [pu for pu in sorted(self.pools) if len(self.pools[pu]) >= minimum and self.collectors.get(pu)]
        if building:
            pus = [pu for pu in pus if self._buildings(pu, building)]
        for _attempt in range(100):
            if not pus:
                return None
            pu = rng.choice(pus)
            collector = rng.choice(self.collectors[pu])
            free = [d for d in self.days[1:] if (collector, d) not in self.busy]
            if free:
                day = rng.choice(free)
                self.busy.add((collector, day))
                return collector, pu, day
        return None

    def _fake_sub(
        self,
        rng: random.Random,
        collector: int,
        h: _H,
        started: dt.datetime,
        finished: dt.datetime,
        **kw: Any,
    ) -> _Sub:
        door = self.door_of(self.addresses[h.address])
        kw.setdefault("photos", [self._photo()])
        kw.setdefault("gps", self._gps_near(rng, door) if door.lat is not None else None)
        received = finished + dt.timedelta(seconds=rng.randint(2, 30))
        sub = _Sub(
            collector, door, started, finished, received, house=h, changes=self._changes(rng, h, 0.2), **kw
        )
        self.subs.append(sub)
        return sub

    def _buildings(self, pu: str, size: int) -> list[list[_H]]:
        """The households left in ``pu`` grouped by door plate, for door plates with ``size`` or more."""
        by_door: dict[int, list[_H]] = defaultdict(list)
        for h in self.pools[pu]:
            by_door[self.door_of(self.addresses[h.address]).pk].append(h)
        return [by_door[d] for d in sorted(by_door) if len(by_door[d]) >= size]

    def fake_speed(self) -> None:
        """Households "collected" in well under a minute each, one after another, most adding
        made-up tenants or relatives: a building's rooms from its entrance, households all over
        the village with the location off, or a run of bare "confirmed, no change" forms."""
        rng = self.rng("fake_speed")
        done = 0
        for size in _group_sizes(rng, self.n, 8, 12):
            variant = rng.choice(
                ["building_in_minutes", "building_in_minutes", "scattered_without_gps", "confirmations_only"]
            )
            need = min(size, 6) if variant == "building_in_minutes" else 0
            shift = self._fake_shift(rng, size, building=need) or self._fake_shift(rng, size)
            if shift is None:
                break
            collector, pu, day = shift
            buildings = self._buildings(pu, need) if need else []
            if buildings:
                houses = rng.choice(buildings)[:size]
            else:
                variant = "scattered_without_gps" if variant == "building_in_minutes" else variant
                houses = self._route(rng, self.pools[pu], size)
            t = _local(day, rng.randrange(9 * 3600, 16 * 3600))
            for h in houses:
                self.pools[pu].remove(h)
                newcomers = []
                if variant != "confirmations_only":
                    for _k in range(rng.randint(1, 3)):
                        made = self._newcomer(rng, h, "tenant" if rng.random() < 0.6 else "relative")
                        if made:
                            newcomers.append(made)
                t += dt.timedelta(seconds=rng.randint(5, 40))
                typing = rng.randint(5, 15) + sum(rng.randint(8, 30) for _n in newcomers)
                finished = t + dt.timedelta(
                    seconds=max(typing, rng.randint(15, 45)) if not newcomers else typing
                )
                extra: dict[str, Any] = {"gps": None} if variant == "scattered_without_gps" else {}
                self._fake_sub(
                    rng,
                    collector,
                    h,
                    t,
                    finished,
                    category=("fake_speed", variant),
                    newcomers=newcomers,
                    **extra,
                )
                t = finished
                done += 1
        self.short("fake_speed", self.n, done)

    def fake_night(self) -> None:
        """Bursts of households "collected" between half past midnight and four in the morning
        (location off, mostly), and people typed into the registry at night."""
        rng = self.rng("fake_night")
        direct = round(self.n * 0.3) if self.n * 0.3 >= 3 else 0  # a burst is three or more
        done = 0
        for size in _group_sizes(rng, self.n - direct, 5, 8):
            shift = self._fake_shift(rng, size)
            if shift is None:
                break
            collector, pu, day = shift
            t = _local(day, rng.randrange(30 * 60, 90 * 60))
            for h in self._route(rng, self.pools[pu], size):
                self.pools[pu].remove(h)
                finished = t + dt.timedelta(seconds=rng.randint(360, 800))
                door = self.door_of(self.addresses[h.address])
                gps = None if rng.random() < 0.7 or door.lat is None else self._gps_near(rng, door)
                self._fake_sub(
                    rng, collector, h, t, finished, gps=gps, category=("fake_night", "night_submissions")
                )
                t = finished + dt.timedelta(seconds=rng.randint(300, 900))
                done += 1
        names = Names(self.rng("fake_night-names"))
        for size in _group_sizes(rng, direct, 5, 8):
            shift = self._fake_shift(rng, size * 2)
            if shift is None:
                break
            collector, pu, day = shift
            houses = [h for h in self.pools[pu] if self.room_for(h, 1)]
            houses = rng.sample(houses, min(size, len(houses)))
            t = _local(day, rng.randrange(60 * 60, 2 * 3600))
            pairs: list[tuple[Person, _H, str, str | None]] = []
            for h in houses:
                self.pools[pu].remove(h)
                t += dt.timedelta(seconds=rng.randint(300, 800))
                p = self.person_obj(rng, house=h, by=collector, at=t, outside=rng.random() < 0.3, names=names)
                pairs.append((p, h, "97" if h.use != "rented" else "99", None))
            for p, r in self.save_people(pairs):
                self.answer("fake_night", PERSON, p.pk, [(RESIDENCE, r.pk)], variant="night_registry_entries")
                done += 1
        self.short("fake_night", self.n, done)

    def fake_gps_far(self) -> None:
        """Households submitted kilometres from their door plate (from the station, from home, or
        anywhere), with a good fix."""
        rng = self.rng("fake_gps_far")
        done = 0
        for size in _group_sizes(rng, self.n, 1, 4):
            shift = self._fake_shift(rng, 6)
            if shift is None:
                break
            collector, pu, day = shift
            marked = [h for h in self.pools[pu] if self.door_of(self.addresses[h.address]).lat is not None]
            if not marked:
                continue
            houses = rng.sample(marked, min(size, len(marked)))
            variant = rng.choice(["from_the_station", "from_home", "random_far_point"])
            first = self.door_of(self.addresses[houses[0].address])
            assert first.lat is not None and first.lng is not None
            spot = _offset(
                float(first.lat), float(first.lng), rng.uniform(2500, 20000), rng.uniform(0, 2 * math.pi)
            )
            t = _local(day, rng.randrange(9 * 3600, 16 * 3600))
            for h in houses:
                door = self.door_of(self.addresses[h.address])
                assert door.lat is not None and door.lng is not None
                if variant == "random_far_point":
                    lat, lng = _offset(
                        float(door.lat),
                        float(door.lng),
                        rng.uniform(2500, 25000),
                        rng.uniform(0, 2 * math.pi),
                    )
                else:
                    lat, lng = _offset(spot[0], spot[1], rng.uniform(0, 40), rng.uniform(0, 2 * math.pi))
                if _distance(lat, lng, float(door.lat), float(door.lng)) < 2000:
                    continue
                self.pools[pu].remove(h)
                t += dt.timedelta(seconds=rng.randint(600, 1500))
                finished = t + dt.timedelta(seconds=rng.randint(420, 900))
                gps = (lat, lng, rng.randint(5, 40))
                self._fake_sub(rng, collector, h, t, finished, gps=gps, category=("fake_gps_far", variant))
                t = finished
                done += 1
        self.short("fake_gps_far", self.n, done)

    def fake_text_reuse(self) -> None:
        """Identical free text pasted into many households: one long remark in the note of many
        submissions, or one detailed domicile address pasted onto unrelated people of several
        villages."""
        rng = self.rng("fake_text_reuse")
        plan = _plan(rng, self.n, [("note", 25), ("visit_note", 10), ("hukou_address_pasted", 65)])
        done = 0
        for size in _group_sizes(rng, plan.count("note") + plan.count("visit_note"), 5, 9):
            shift = self._fake_shift(rng, size)
            if shift is None:
                break
            collector, pu, day = shift
            text = ""
            for _attempt in range(100):
                text = rng.choice(_REUSED_NOTES).format(
                    n=rng.randint(2, 6),
                    s=rng.choice("王李张刘陈杨赵党雷史"),
                    place=rng.choice(_PLACES),
                    rel=rng.choice(_RELS),
                    year=rng.randint(1988, 2020),
                )
                if text not in self._notes_taken:
                    break
            self._notes_taken.add(text)
            where = rng.choice(["note", "note", "visit_note"])
            t = _local(day, rng.randrange(8 * 3600 + 1800, 10 * 3600))
            for h in self._route(rng, self.pools[pu], size):
                self.pools[pu].remove(h)
                t += dt.timedelta(seconds=rng.randint(300, 1200))
                finished = t + dt.timedelta(seconds=rng.randint(420, 900))
                self._fake_sub(
                    rng, collector, h, t, finished, category=("fake_text_reuse", where), **{where: text}
                )
                t = finished
                done += 1
        # The same detailed domicile address on people of other villages and other families.
        for size in _group_sizes(rng, plan.count("hukou_address_pasted"), 5, 8):
            paster, chosen = self._unrelated(rng, size + 1, other_villages=True, min_age=18)
            if len(chosen) < 3:
                continue
            # The first person's own domicile (they live there: not an error, a decoy) pasted
            # onto the others.
            texts = dict(
                Person.objects.filter(pk__in=[p.pk for p in chosen]).values_list("pk", "hukou_address_text")
            )
            home = {
                p.pk: self.addresses[self.houses[self.res_by_person[p.pk][0].house].address].full_name
                for p in chosen
            }
            owner = next((p for p in chosen if texts[p.pk] and texts[p.pk] == home[p.pk]), chosen[0])
            others = [p for p in chosen if p is not owner]
            text = texts[owner.pk]
            for p in chosen:
                self.take(PERSON, p.pk)
                self.touched_houses.update(r.house for r in self.res_by_person[p.pk])
            self.decoy("text_owner", PERSON, owner.pk)
            for p in others:
                self.edit(Person, p.pk, hukou_address_text=text, hukou_address_id=None, by=paster)
                self.answer("fake_text_reuse", PERSON, p.pk, variant="hukou_address_pasted")
                done += 1
        self.short("fake_text_reuse", self.n, done)

    def fake_photo_reuse(self) -> None:
        """One photo attached to many households at different door plates (by one collector, or
        passed between two)."""
        rng = self.rng("fake_photo_reuse")
        done = 0
        for size in _group_sizes(rng, self.n, 4, 7):
            shift = self._fake_shift(rng, size * 2)
            if shift is None:
                break
            collector, pu, day = shift
            variant = rng.choice(["same_collector", "same_collector", "shared_between_collectors"])
            partner = next(
                (c for c in self.collectors.get(pu, []) if c != collector and (c, day) not in self.busy), None
            )
            if variant == "shared_between_collectors" and partner is not None:
                self.busy.add((partner, day))
            else:
                variant, partner = "same_collector", None
            sha = self._photo()
            chosen: list[_H] = []
            seen: set[int] = set()
            for h in rng.sample(self.pools[pu], len(self.pools[pu])):
                d = self.door_of(self.addresses[h.address]).pk
                if d not in seen:
                    seen.add(d)
                    chosen.append(h)
                if len(chosen) == size:
                    break
            t = _local(day, rng.randrange(9 * 3600, 12 * 3600))
            t2 = t + dt.timedelta(minutes=rng.randint(5, 30))
            for i, h in enumerate(chosen):
                self.pools[pu].remove(h)
                who = partner if partner is not None and i % 2 else collector
                if who == collector:
                    t += dt.timedelta(seconds=rng.randint(500, 1500))
                    start = t
                else:
                    t2 += dt.timedelta(seconds=rng.randint(500, 1500))
                    start = t2
                finished = start + dt.timedelta(seconds=rng.randint(420, 900))
                self._fake_sub(
                    rng, who, h, start, finished, photos=[sha], category=("fake_photo_reuse", variant)
                )
                if who == collector:
                    t = finished
                else:
                    t2 = finished
                done += 1
        self.short("fake_photo_reuse", self.n, done)

    # --- writing submissions -----------------------------------------------------------------

    def _review_times(
        self, rng: random.Random, subs: list[_Sub]
    ) -> dict[int, tuple[int | None, dt.datetime]]:
        """When and by whom each reviewed submission was decided: the district's community
        officer goes through what arrived the day before in one sitting the next morning,
        a minute or two per household (as ``review.submission_pass`` would be called)."""
        queue: dict[tuple[int | None, dt.date], list[int]] = defaultdict(list)
        officer_of: dict[int, int | None] = {}
        for i, s in enumerate(subs):
            if s.state not in ("passed", "returned"):
                continue
            pool = self.officers.get(s.door.pu) or self.any_staff
            officer = pool[0] if pool else None
            officer_of[i] = officer
            queue[(officer, s.received.astimezone(BEIJING).date())].append(i)
        out: dict[int, tuple[int | None, dt.datetime]] = {}
        for (officer, day), items in sorted(queue.items(), key=lambda kv: (kv[0][0] or 0, kv[0][1])):
            t = _local(day + dt.timedelta(days=1), rng.randrange(8 * 3600 + 2400, 9 * 3600 + 1800))
            for i in sorted(items, key=lambda i: subs[i].received):
                t += dt.timedelta(seconds=rng.randint(30, 150))
                out[i] = (officer, t)
        return out

    def write_submissions(self) -> None:
        """Submissions with their events, client entities, photos, visits and effects, in bulk.
        A passed household submission updates its people (occupation) and creates its newcomers
        as the reviewing officer at review time, as ``collection.review`` does."""
        from ybss.collection.models import ClientEntity
        from ybss.collection.sync import content_hash

        rng = self.rng("submissions")
        subs = sorted(self.subs, key=lambda s: (s.finished, s.collector))
        reviews = self._review_times(rng, subs)
        versions: Counter[int] = Counter()
        cids: dict[int, list[uuid.UUID]] = {}
        objs = []
        for i, s in enumerate(subs):
            client_id = uuid.UUID(int=rng.getrandbits(128), version=4)
            if s.replaces is not None:
                s.photo_ids = list(s.replaces.photo_ids)  # a resubmission takes over the photos
            else:
                s.photo_ids = [uuid.UUID(int=rng.getrandbits(128), version=4) for _sha in s.photos]
            if s.house is not None:
                address = self.addresses[s.house.address]
                body: dict[str, Any] = {"door": {"id": s.door.pk, "version": 1}}
                if address.level == "room":
                    body["room"] = {"id": address.pk, "version": 1}
                body["house"] = {"id": s.house.pk, "version": 1}
                persons: list[dict[str, Any]] = [
                    {"id": pid, "version": 1 + versions[pid], "fields": {"occupation": occ}}
                    for pid, occ in s.changes
                ]
                cids[i] = [uuid.UUID(int=rng.getrandbits(128), version=4) for _n in s.newcomers]
                for cid, (p, rel, rtype) in zip(cids[i], s.newcomers, strict=True):
                    fields = {
                        "id_number": p.id_number,
                        "name": p.name,
                        "sex": p.sex,
                        "ethnicity": p.ethnicity,
                        "birth_date": p.birth_date.isoformat() if p.birth_date else None,
                        "phone": p.phone,
                        "hukou_division_code": p.hukou_division_code,
                        "hukou_address_text": p.hukou_address_text,
                    }
                    persons.append(
                        {
                            "cid": str(cid),
                            "fields": fields,
                            "residence": {"residence_type": rtype, "relation": rel},
                        }
                    )
                body["persons"] = persons
                body["visit"] = {
                    "outcome": "collected",
                    "visited_at": s.finished.isoformat(),
                    "note": s.visit_note,
                }
                body["photos"] = [str(pid) for pid in s.photo_ids]
                body["note"] = s.note
                kind = "household"
                people = len(self.res_by_house[s.house.pk]) + len(s.newcomers)
                summary = f"{s.door.full_name} · {people}人"
                bases = {f"registry.person:{pid}": 1 + versions[pid] for pid, _o in s.changes}
                if s.state == "passed":
                    for pid, _o in s.changes:
                        versions[pid] += 1
            else:
                assert s.visit_address is not None
                body = {
                    "address_id": s.visit_address.pk,
                    "outcome": s.outcome,
                    "visited_at": s.finished.isoformat(),
                    "note": "",
                }
                kind = "visit"
                summary = s.visit_address.full_name
                bases = {}
            officer, review_at = reviews.get(i, (None, None))
            obj = Submission(
                client_id=client_id,
                kind=kind,
                collector_id=s.collector,
                door_id=s.door.pk,
                summary=summary[:200],
                payload=body,
                payload_hash=content_hash(kind, body),
                base_versions=bases,
                state=s.state,
                device=_DEVICES[s.collector % len(_DEVICES)],
                app_version="1.4.2",
                lat=_d7(s.gps[0]) if s.gps else None,
                lng=_d7(s.gps[1]) if s.gps else None,
                accuracy_m=s.gps[2] if s.gps else None,
                started_at=s.started,
                finished_at=s.finished,
                received_at=s.received,
                reviewed_by_id=officer,
                reviewed_at=review_at,
                review_reason="照片不清晰，请重新采集" if s.state == "returned" else "",
                division_id=s.door.division,
                police_unit_id=s.door.pu,
            )
            s.obj = obj
            objs.append(obj)
        Submission.objects.bulk_create(objs, batch_size=1000)
        resent = [s for s in subs if s.replaces is not None]
        for s in resent:
            assert s.obj is not None and s.replaces is not None and s.replaces.obj is not None
            s.obj.replaces_id = s.replaces.obj.pk
        Submission.objects.bulk_update([s.obj for s in resent if s.obj is not None], ["replaces"])
        # Photos: one row per upload; a resubmission's photos belong to it (taken over).
        owner: dict[uuid.UUID, tuple[_Sub, str]] = {}
        for s in subs:
            for photo_id, sha in zip(s.photo_ids, s.photos, strict=False):
                owner[photo_id] = (s, sha)
        Photo.objects.bulk_create(
            [
                Photo(
                    client_id=photo_id,
                    submission=s.obj,
                    uploaded_by_id=s.collector,
                    uploaded_at=s.finished + dt.timedelta(seconds=5),
                    path=f"{sha[:2]}/{sha}.jpg",
                    content_type="image/jpeg",
                    size=150_000 + int(sha[:4], 16) % 250_000,
                    sha256=sha,
                    division_id=s.door.division,
                    police_unit_id=s.door.pu,
                )
                for photo_id, (s, sha) in owner.items()
            ],
            batch_size=2000,
        )
        # Newcomers of passed submissions become people and residences, by the officer.
        created: list[tuple[int, Person, str, str]] = []
        for i, s in enumerate(subs):
            if s.state == "passed" and s.newcomers and s.house is not None:
                officer, at = reviews[i]
                for p, rel, rtype in s.newcomers:
                    for name, value in self.stamps(
                        by=officer, at=at, division=s.house.division, pu=s.house.pu
                    ).items():
                        setattr(p, name, value)
                    created.append((i, p, rel, rtype))
        if created:
            pairs = [(p, subs[i].house, rel, rtype) for i, p, rel, rtype in created]
            saved = self.save_people(pairs)  # type: ignore[arg-type]
            for (i, _p, _rel, _rt), (person, residence) in zip(created, saved, strict=True):
                subs[i].effects += [(PERSON, person.pk), (RESIDENCE, residence.pk)]
        entities: list[Any] = []
        for i, s in enumerate(subs):
            done = {p.pk for p, _r, _t in s.newcomers if p.pk} if s.state == "passed" else set()
            for cid, (p, _rel, _rt) in zip(cids.get(i, []), s.newcomers, strict=True):
                entities.append(
                    ClientEntity(
                        cid=cid, submission=s.obj, entity="person", record_id=p.pk if p.pk in done else None
                    )
                )
        ClientEntity.objects.bulk_create(entities, batch_size=2000)
        events: list[SubmissionEvent] = []
        visits: list[Visit] = []
        effects: list[SubmissionEffect] = []
        for s in subs:
            o = s.obj
            assert o is not None
            events.append(
                SubmissionEvent(submission=o, action="received", actor_id=s.collector, at=s.received)
            )
            applied_at = o.reviewed_at or s.received
            if s.state == "returned":
                events.append(
                    SubmissionEvent(
                        submission=o,
                        action="returned",
                        actor_id=o.reviewed_by_id,
                        at=applied_at,
                        reason=o.review_reason,
                    )
                )
                continue
            if s.state not in ("passed", "applied"):
                continue
            if s.state == "passed":
                events.append(
                    SubmissionEvent(submission=o, action="passed", actor_id=o.reviewed_by_id, at=applied_at)
                )
                for pid, occ in s.changes:
                    self.edit(Person, pid, occupation=occ, updated_at=applied_at, by=o.reviewed_by_id)
                    s.effects.append((PERSON, pid))
                effects += [
                    SubmissionEffect(
                        submission=o,
                        record_type=t,
                        record_id=pk,
                        action="update"
                        if (t == PERSON and any(pk == c for c, _o in s.changes))
                        else "create",
                    )
                    for t, pk in s.effects
                ]
            else:
                events.append(
                    SubmissionEvent(submission=o, action="applied", actor_id=s.collector, at=applied_at)
                )
            target = s.visit_address or (self.addresses[s.house.address] if s.house else s.door)
            visits.append(
                Visit(
                    address_id=target.pk,
                    door_id=s.door.pk,
                    collector_id=s.collector,
                    outcome=s.outcome,
                    visited_at=s.finished,
                    lat=o.lat,
                    lng=o.lng,
                    accuracy_m=o.accuracy_m,
                    device=o.device,
                    note=s.visit_note,
                    submission=o,
                    created_at=applied_at,
                    division_id=target.division,
                    police_unit_id=target.pu,
                )
            )
        SubmissionEvent.objects.bulk_create(events, batch_size=2000)
        Visit.objects.bulk_create(visits, batch_size=2000)
        SubmissionEffect.objects.bulk_create(effects, batch_size=2000)
        for s in subs:
            if s.category is not None:
                assert s.obj is not None
                self.answer(s.category[0], SUBMISSION, s.obj.pk, s.effects, variant=s.category[1])
        self.submission_counts = Counter(s.obj.kind for s in subs if s.obj is not None)

    # --- all of it ---------------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        self.load()
        for name in (
            "id_invalid",
            "id_mismatch",
            "phone_invalid",
            "credit_code_invalid",
            "missing_field",
            "role_age",
            "residence_rule",
            "rental_no_landlord",
            "unit_address_inactive",
            "overcrowded",
            "format_decoys",
            "duplicate_person",
            "duplicate_unit",
            "duplicate_address",
            "fake_id_pattern",
            "fake_shared_phone",
            "fake_placeholder_name",
            "fake_same_birthdates",
        ):
            getattr(self, name)()
        self.background()
        for name in ("fake_speed", "fake_night", "fake_gps_far", "fake_text_reuse", "fake_photo_reuse"):
            getattr(self, name)()
        self.write_submissions()
        missing = [c for c in CATEGORIES if not any(a["category"] == c for a in self.answers)]
        return {
            "seed": self.seed,
            "per_category": self.n,
            "answers": self.answers,
            "decoys": self.decoys,
            "counts": dict(Counter(a["category"] for a in self.answers)),
            "submissions": dict(self.submission_counts),
            "shortfall": self.shortfall,
            "categories_without_answers": missing,
        }


def _chinese_number(n: int) -> str | None:
    """1–99 in Chinese numerals (十八, 三), as people write door numbers and groups."""
    digits = "零一二三四五六七八九"
    if not 0 < n < 100:
        return None
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


def inject_errors(
    *,
    seed: int,
    per_category: int = 40,
    avoid: Collection[tuple[str, int]] = (),
    decoys: bool = True,
    background: bool = True,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Inject ``per_category`` known errors of every category into the current database (a copy
    of the demo county!) and return the answer key (see the module docstring).

    ``avoid`` names records the checks already flag (the clean scan): an error injected there
    could not be told from what was there before, so none is. ``decoys`` adds honest look-alikes,
    ``background`` honest field work. One transaction. Deterministic for a seed on one database.
    """
    injector = _Injector(
        seed=seed,
        per_category=per_category,
        avoid=avoid,
        decoys=decoys,
        background=background,
        today=today or timezone.localdate(),
    )
    with transaction.atomic():
        return injector.run()


# --------------------------------------------------------------------------------------------
# Scoring


@dataclass
class CategoryScore:
    category: str
    answers: int
    found: int
    true_positives: int
    answers_found: int
    target: float
    has_detector: bool = True
    false_positives: list[Finding] = field(default_factory=list)
    missed: list[dict[str, Any]] = field(default_factory=list)

    @property
    def precision(self) -> float | None:
        return self.true_positives / self.found if self.found else None

    @property
    def recall(self) -> float | None:
        return self.answers_found / self.answers if self.answers else None

    @property
    def met(self) -> bool:
        p, r = self.precision, self.recall
        return p is not None and r is not None and p >= self.target and r >= self.target


def match(answers: Sequence[dict[str, Any]], findings: Iterable[Finding]) -> dict[str, CategoryScore]:
    """Score findings (only the NEW ones: absent from the clean county) against the answers.

    A finding matches an answer of its category when its record is the answer's record or one
    of the answer's ``related`` records (the same error seen from another record: the person a
    fabricated submission changed, the minor named as landlord); for duplicates, also when the
    answer's record is among the finding's ``related`` (a pair reported from the original).
    Precision counts findings that match some answer; recall counts answers some finding matches.
    """
    by_cat: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for a in answers:
        by_cat[a["category"]].append(a)
    index: dict[str, dict[tuple[str, int], list[int]]] = {}
    for cat, items in by_cat.items():
        idx: dict[tuple[str, int], list[int]] = defaultdict(list)
        for i, a in enumerate(items):
            idx[(a["record_type"], int(a["record_id"]))].append(i)
            if cat not in DUPLICATE_CATEGORIES:
                for t, pk in a.get("related", []):
                    idx[(t, int(pk))].append(i)
        index[cat] = idx
    scores = {c: CategoryScore(c, len(by_cat.get(c, [])), 0, 0, 0, TARGETS.get(c, 0.95)) for c in CATEGORIES}
    hit: dict[str, set[int]] = defaultdict(set)
    for f in findings:
        s = scores.get(f.category)
        if s is None:
            s = scores[f.category] = CategoryScore(f.category, 0, 0, 0, 0, 0.95)
        s.found += 1
        idx = index.get(f.category, {})
        keys = [(f.record_type, f.record_id)]
        if f.category in DUPLICATE_CATEGORIES:
            keys += [(t, int(pk)) for t, pk in f.related]
        matched = {i for k in keys for i in idx.get(k, [])}
        if matched:
            s.true_positives += 1
            hit[f.category] |= matched
        else:
            s.false_positives.append(f)
    for cat, s in scores.items():
        s.answers_found = len(hit[cat])
        s.missed = [a for i, a in enumerate(by_cat.get(cat, [])) if i not in hit[cat]]
    return scores


def dumps_key(key: dict[str, Any]) -> str:
    return json.dumps(key, ensure_ascii=False, indent=1, sort_keys=False)


__all__ = ["TARGETS", "CategoryScore", "dumps_key", "inject_errors", "match"]
