"""The demo's actual units (实有单位) and their employees (从业人员).

A fixed mix of kinds is apportioned over the requested number of units: shops and small
businesses on street door plates, enterprises and co-operatives in the villages, government
bodies, schools and clinics, ~12% special trades (旅馆, 网吧, 机动车修理, 废旧金属收购 …) and ~3%
handling hazardous goods (加油站, 农资, 化工, 采石). Legal representatives, security leads and
employees are real (adult) residents of the same police station.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, timedelta

from .common import BASE_COLUMNS, REFERENCE_DATE, Stamper, Window, apportion, stream
from .county import COUNTY_CODE, OrgPlan
from .gazetteer import Addresses
from .housing import HouseSpec
from .identity import CreditCodes, Phones
from .population import P_EMPLOYER, P_ID, P_ID_TYPE, P_NAME, P_OCCUPATION, P_PHONE, Population

UNIT_COLUMNS = (
    *BASE_COLUMNS,
    "name", "credit_code", "category", "industry", "special_trade", "hazards", "legal_rep_name",
    "legal_rep_id_number", "legal_rep_phone", "security_lead_name", "security_lead_id_number",
    "security_lead_phone", "phone", "address_id", "house_id", "biz_status", "opened_on", "closed_on",
    "is_key_unit", "has_cctv", "verify_state", "verified_at", "verified_by_id",
)  # fmt: skip
EMPLOYMENT_COLUMNS = (*BASE_COLUMNS, "person_id", "unit_id", "post", "since", "until", "active")
RETURN_REASONS = (
    "统一社会信用代码与营业执照不符",
    "法定代表人信息不完整",
    "从业人员登记不全",
    "单位地址与实地不符",
)

BRANDS = (
    "鑫源 恒通 宏达 华泰 金盛 瑞丰 永兴 福源 天润 兴旺 德润 顺达 新阳 鸿运 合美 康泰 嘉禾 富民 宏远 安泰 "
    "盛世 金鑫 利民 广源 聚福 和顺 万家 佳佳 诚信 秦晋 莘野 洽川 澽水 黄河 梁山 晨光 红星 向阳 丰泽 荣华"
).split()


@dataclass(frozen=True)
class Kind:
    share: float  # per cent of all units
    category: str
    credit: str  # the two leading characters of the credit code
    industry: str
    names: tuple[str, ...]  # templates: {brand} {place} {town}
    staff: tuple[int, int]
    where: str  # "urban" | "seat" | "shop" (either) | "rural"
    special: str = ""
    hazards: tuple[str, ...] = ()
    key: float = 0.05
    cctv: float = 0.4
    posts: tuple[str, ...] = ("员工", "店员", "会计", "司机")


def _kind(
    share: float,
    category: str,
    credit: str,
    industry: str,
    names: str,
    staff: tuple[int, int],
    where: str,
    **kw,
) -> Kind:
    """A :class:`Kind` with its name templates and posts given as space-separated strings."""
    kw["posts"] = tuple(kw.get("posts", "员工 店员 会计 司机").split())
    kw["hazards"] = tuple(kw.get("hazards", "").split())
    return Kind(share, category, credit, industry, tuple(names.split()), staff, where, **kw)


KINDS = (
    # special trades (~12%)
    _kind(4.0, "enterprise", "91", "H", "{brand}宾馆 {brand}酒店 {town}{brand}招待所", (3, 16), "shop",
          special="hotel", key=0.3, cctv=0.97, posts="前台 服务员 保洁 保安 经理"),
    _kind(1.6, "individual", "92", "I", "{brand}网吧 {brand}网咖", (2, 6), "shop",
          special="internet_cafe", key=0.2, cctv=0.98, posts="网管 收银员 保洁"),
    _kind(2.2, "individual", "92", "O", "{brand}汽车修理厂 {brand}汽修服务部", (2, 10), "shop",
          special="vehicle_repair", cctv=0.7, posts="修理工 学徒 前台"),
    _kind(1.0, "individual", "92", "F", "{brand}废旧物资回收站", (2, 6), "rural",
          special="scrap_metal", cctv=0.6, posts="收购员 搬运工"),
    _kind(0.8, "individual", "92", "C", "{brand}印务 {brand}图文打印部", (2, 6), "urban",
          special="printing", posts="操作员 设计员"),
    _kind(0.8, "enterprise", "91", "R", "{brand}KTV {brand}歌舞厅", (4, 15), "urban",
          special="entertainment", key=0.3, cctv=0.95, posts="服务员 收银员 保安"),
    _kind(0.3, "individual", "92", "C", "{brand}刻字社", (2, 3), "urban",
          special="seal", cctv=0.8, posts="刻字员 店员"),
    _kind(0.4, "individual", "92", "O", "{brand}开锁服务部", (2, 3), "shop",
          special="locksmith", posts="开锁员 店员"),
    _kind(0.2, "enterprise", "91", "J", "合阳县{brand}典当有限公司", (3, 8), "urban",
          special="pawn", key=0.5, cctv=1.0, posts="鉴定师 会计 保安"),
    _kind(0.5, "individual", "92", "F", "{brand}二手车行 {brand}旧货店", (2, 5), "shop",
          special="second_hand"),
    _kind(0.1, "enterprise", "91", "C", "合阳县{brand}报废汽车回收拆解有限公司", (5, 20), "rural",
          special="vehicle_scrap", cctv=0.9, posts="拆解工 司机 会计"),
    _kind(0.1, "enterprise", "91", "L", "合阳县{brand}保安服务有限公司", (10, 30), "urban",
          special="security_service", key=0.5, posts="保安员 队长 会计"),
    # hazardous goods (~3%)
    _kind(1.5, "enterprise", "91", "F", "中国石化合阳{place}加油站 中国石油合阳{place}加油站",
          (4, 12), "seat", hazards="hazardous_chemical", key=0.9, cctv=0.98, posts="加油员 站长 收银员"),
    _kind(0.8, "individual", "92", "F", "{brand}农资门市部", (2, 3), "seat",
          hazards="highly_toxic", key=0.6, posts="店员 会计"),
    _kind(0.4, "enterprise", "91", "C", "陕西{brand}化工有限公司", (10, 30), "rural",
          hazards="hazardous_chemical explosive_precursor", key=1.0, cctv=0.95, posts="操作工 安全员 技术员"),
    _kind(0.3, "enterprise", "91", "B", "合阳县{place}石料厂 合阳县{brand}矿业有限公司", (10, 30), "rural",
          hazards="civil_explosive", key=1.0, cctv=0.9, posts="爆破员 安全员 装载机司机 工人"),
    # public bodies
    _kind(3.4, "government", "11", "S", "合阳县{office}", (6, 30), "urban",
          key=0.5, cctv=0.8, posts="科员 办公室主任 副局长 司机"),
    _kind(1.6, "government", "11", "S", "合阳县{townfull}人民政府 合阳县{townfull}财政所", (6, 25), "seat",
          key=0.5, cctv=0.8, posts="科员 站长 司机"),
    _kind(4.0, "institution", "12", "P", "合阳县{town}中心小学 合阳县{place}小学 合阳县{place}幼儿园",
          (8, 30), "rural", key=0.8, cctv=0.9, posts="教师 校长 保安 炊事员"),
    _kind(2.5, "institution", "12", "Q", "合阳县{town}卫生院 合阳县{place}卫生室", (5, 25), "rural",
          key=0.5, cctv=0.7, posts="医生 护士 药剂师 收费员"),
    _kind(2.0, "social_org", "51", "S", "合阳县{assoc}协会", (2, 5), "urban", posts="秘书长 会员"),
    # businesses
    _kind(1.5, "enterprise", "91", "J",
          "合阳县农村信用合作联社{place}信用社 中国邮政储蓄银行合阳县{place}支行",
          (5, 15), "shop", key=0.9, cctv=1.0, posts="柜员 客户经理 保安 行长"),
    _kind(5.0, "enterprise", "93", "A", "合阳县{place}{crop}专业合作社", (3, 12), "rural",
          posts="社员 技术员 会计"),
    _kind(8.0, "enterprise", "91", "C", "合阳县{brand}{product}有限公司", (5, 30), "rural",
          posts="工人 技术员 质检员 会计 司机"),
    _kind(3.0, "enterprise", "91", "E", "陕西{brand}建筑工程有限公司 合阳县{brand}建筑安装有限公司", (5, 30),
          "urban", posts="施工员 项目经理 工人 安全员"),
    _kind(2.0, "enterprise", "91", "G", "合阳县{brand}物流有限公司 合阳县{brand}运输有限公司",
          (3, 15), "shop", posts="司机 调度员 装卸工"),
    _kind(1.5, "enterprise", "91", "K", "合阳县{brand}房地产开发有限公司", (3, 15), "urban",
          posts="销售 会计 工程师"),
    _kind(5.0, "enterprise", "91", "F", "合阳县{brand}商贸有限公司 {brand}购物广场", (3, 20), "shop",
          posts="营业员 收银员 理货员 会计"),
    _kind(41.0, "individual", "92", "F",
          "{brand}超市 {brand}便利店 {brand}面馆 {brand}饭店 {brand}理发店 {brand}五金店 {brand}手机店 "
          "{brand}药店 {brand}服装店 {brand}建材门市部 {brand}烟酒店 {brand}早餐店 {brand}水果店",
          (2, 5), "shop", posts="店员 厨师 服务员 理发师 收银员"),
    _kind(4.5, "other", "Y1", "O",
          "合阳县{place}农机服务站 合阳县{place}物业服务中心 合阳县{brand}家政服务部",
          (2, 8), "shop", posts="服务员 维修工 管理员"),
)  # fmt: skip
_INDUSTRY_BY_SHOP = {"面馆": "H", "饭店": "H", "早餐店": "H", "理发店": "O"}
OFFICES = (
    "教育局 财政局 自然资源局 住房和城乡建设局 农业农村局 卫生健康局 民政局 人力资源和社会保障局 "
    "交通运输局 水务局 市场监督管理局 文化和旅游局 应急管理局 统计局 林业局 司法局 审计局 商务局 "
    "退役军人事务局 医疗保障局 发展和改革局 工业和信息化局 科学技术局 信访局 行政审批服务局 "
    "城市管理执法局 人民法院 人民检察院 档案馆 气象局 供销合作社联合社 融媒体中心 公路管理段 "
    "疾病预防控制中心"
).split()
ASSOCIATIONS = (
    "个体劳动者 果业 书法家 老年体育 摄影家 红枣 苹果产业 餐饮 物流 消费者 作家 美术家 音乐家 企业家 "
    "青年志愿者 慈善 残疾人 农机 养蜂 诗词 线戏 跳戏 民间文艺家 围棋"
).split()
CROPS = "苹果 红提 花椒 樱桃 红薯 养殖 莲藕 葡萄 设施蔬菜".split()
PRODUCTS = "食品 果业 建材 面粉 包装 制衣 家具 水泥制品 农机 酿造".split()


def _name(rng: random.Random, kind: Kind, place: str, town: str, townfull: str, taken: set[str]) -> str:
    for _attempt in range(50):
        template = kind.names[rng.randrange(len(kind.names))]
        name = template.format(
            brand=BRANDS[rng.randrange(len(BRANDS))],
            place=place,
            town=town,
            townfull=townfull,
            office=OFFICES[rng.randrange(len(OFFICES))],
            assoc=ASSOCIATIONS[rng.randrange(len(ASSOCIATIONS))],
            crop=CROPS[rng.randrange(len(CROPS))],
            product=PRODUCTS[rng.randrange(len(PRODUCTS))],
        )
        if name not in taken:
            taken.add(name)
            return name
    # Every variant taken: a branch named after its place.
    base, n = name, 1
    while name in taken:
        name = f"{base}（{place}）" if n == 1 else f"{base}（{place}{n}）"
        n += 1
    taken.add(name)
    return name


def build_units(
    plan: OrgPlan,
    addresses: Addresses,
    houses: list[HouseSpec],
    people: Population,
    total: int,
    seed: int,
    phones: Phones,
) -> tuple[list[tuple], list[tuple]]:
    """Exactly ``total`` units and their employments; sets employees' occupation and employer."""
    rng = stream(seed, "units")
    credit = CreditCodes(stream(seed, "credit-codes"))
    stamper = Stamper(rng, Window(date(2026, 10, 1), date(2026, 11, 14)), plan.collectors, RETURN_REASONS)
    counts = apportion(total, [k.share for k in KINDS])
    plan_kinds = [k for k, n in zip(KINDS, counts, strict=True) for _ in range(n)]
    rng.shuffle(plan_kinds)
    first_house: dict[int, int] = {}
    for h in houses:
        first_house.setdefault(h.address_id, h.id)
    villages = {v.code: v for v in plan.villages}
    # Units sit at door plates in force (an address under review would fail the unit-address rule).
    in_force = {row[0] for row in addresses.rows if row[1] == "accepted"}
    urban_shops = [
        a for v in plan.villages if v.urban for a in addresses.shops.get(v.code, []) if a in in_force
    ]
    seat_shops = [
        a for v in plan.villages if v.seat for a in addresses.shops.get(v.code, []) if a in in_force
    ]
    yards = [a for doors in addresses.courtyards.values() for a in doors if a in in_force]
    everywhere = [p.address_id for p in addresses.places]
    village_of = {p.address_id: p.village.code for p in addresses.places}
    pools = {"urban": urban_shops, "seat": seat_shops, "rural": yards}
    used: set[int] = set()
    cursors: dict[str, int] = {}
    persons = people.persons
    all_adults = [
        pid for pid, age in enumerate(people.ages, 1) if age >= 18 and persons[pid - 1][P_ID_TYPE] == "111"
    ]
    taken_names: set[str] = set()
    units: list[tuple] = []
    jobs: list[tuple] = []
    for uid, kind in enumerate(plan_kinds, start=1):
        where = kind.where if kind.where != "shop" else ("urban" if rng.random() < 0.7 else "seat")
        pool = pools[where] or urban_shops or seat_shops or yards or everywhere
        address = pool[rng.randrange(len(pool))]
        for _ in range(8):
            if address not in used:
                break
            address = pool[rng.randrange(len(pool))]
        used.add(address)
        v = villages[village_of[address]]
        house = first_house.get(address) if (kind.where != "rural" or rng.random() < 0.5) else None
        stamp = stamper.stamp(v.district)
        town = v.town_name.removesuffix("街道").removesuffix("镇")
        place = v.name.removesuffix("社区").removesuffix("村")
        if place == "街道":  # 坊镇/新池镇/百良镇 街道社区: the township seat
            place = town
        name = _name(rng, kind, place, town, v.town_name, taken_names)
        industry = next((i for word, i in _INDUSTRY_BY_SHOP.items() if name.endswith(word)), kind.industry)
        adults = people.adults.get(v.station) or all_adults
        rep = persons[adults[rng.randrange(len(adults))] - 1]
        key = rng.random() < kind.key
        lead = ("", "", "")
        if kind.special or kind.hazards or key:
            who = persons[adults[rng.randrange(len(adults))] - 1]
            lead = (who[P_NAME], who[P_ID], who[P_PHONE])
        opened = date(rng.randint(1995, 2026), rng.randint(1, 12), rng.randint(1, 28))
        opened = min(opened, REFERENCE_DATE - timedelta(days=60))
        r = rng.random()
        status, closed = (
            ("open", None)
            if r < 0.92
            else ("suspended", None)
            if r < 0.97
            else ("closed", (REFERENCE_DATE - timedelta(days=rng.randrange(30, 400))).isoformat())
        )
        accepted = stamp[0] == "accepted"
        verified = accepted and rng.random() < 0.78
        units.append(
            (
                uid,
                *stamp,
                v.code,
                v.district,
                name,
                credit.new(kind.credit, COUNTY_CODE),
                kind.category,
                industry,
                kind.special,
                json.dumps(list(kind.hazards)),
                rep[P_NAME],
                rep[P_ID],
                rep[P_PHONE],
                *lead,
                phones.landline() if rng.random() < 0.6 else rep[P_PHONE],
                address,
                house,
                status,
                opened.isoformat(),
                closed,
                key,
                rng.random() < kind.cctv,
                "verified" if verified else "pending",
                stamper.later(20)[1] if verified else None,
                plan.officers[v.district] if verified else None,
            )
        )
        # Employees: the next residents of working age in the station, each at most once here.
        staff = people.working.get(v.station, [])
        n = min(rng.randint(*kind.staff), len(staff))
        start = cursors.get(v.station, rng.randrange(len(staff))) if staff else 0
        cursors[v.station] = (start + n) % len(staff) if staff else 0
        for k in range(n):
            pid = staff[(start + k) % len(staff)]
            post = kind.posts[rng.randrange(len(kind.posts))]
            adult_days = (people.ages[pid - 1] - 16) * 365
            since = max(
                opened, REFERENCE_DATE - timedelta(days=rng.randrange(20, max(21, min(3000, adult_days))))
            )
            active = status != "closed" and rng.random() < 0.95
            until = None if active else (REFERENCE_DATE - timedelta(days=rng.randrange(1, 20))).isoformat()
            jobs.append(
                (len(jobs) + 1, *stamp, v.code, v.district, pid, uid, post, since.isoformat(), until, active)
            )
            if active:
                person = persons[pid - 1]
                person[P_OCCUPATION], person[P_EMPLOYER] = post, name
    return units, jobs
