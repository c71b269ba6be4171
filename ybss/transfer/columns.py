"""The columns of the import/export templates, one tuple per kind (pure; no ORM).

A column maps a Chinese header (what officers' spreadsheets say) to a field of the import row.
Coded columns name their code list: a cell may hold the code (``1``, ``01``, ``permanent``) or its
Chinese label (``男``, ``汉族``, ``常住``). ``aliases`` are other headers legacy files use for the same
column; ``match_header`` also tolerates full-width characters, spaces and traditional characters.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cache

KINDS = ("addresses", "houses", "persons", "units")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    codelist: str | None = None
    aliases: tuple[str, ...] = ()
    note: str = ""
    example: str = ""
    kind: str = (
        "text"  # text | date | datetime | int | decimal | bool | codes (several codes, "、" separated)
    )


@dataclass(frozen=True)
class Template:
    kind: str
    title: str
    columns: tuple[Column, ...]
    keys: tuple[str, ...] = field(default=())  # columns that identify a record on re-import, in order

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


SOURCE = Column(
    "source_ref",
    "来源编号",
    aliases=("原始编号", "原编号", "源编号", "记录编号"),
    note="源数据中的记录编号，用于追溯",
    example="HY-2019-000123",
)

PERSONS = Template(
    "persons",
    "实有人口",
    (
        Column("id_type", "证件类型", False, "id_type", ("证件种类",), "留空为居民身份证", "居民身份证"),
        Column(
            "id_number",
            "证件号码",
            True,
            None,
            ("身份证号", "身份证号码", "公民身份号码", "证件号", "身份证"),
            "18位居民身份证号码，15位将自动转换",
            "11010519491231002X",
        ),
        Column("name", "姓名", True, None, ("名字", "人员姓名"), "", "王建国"),
        Column("sex", "性别", False, "sex", (), "男/女；居民身份证可留空，由号码推出", "女"),
        Column("ethnicity", "民族", False, "ethnicity", (), "", "汉族"),
        Column(
            "birth_date",
            "出生日期",
            False,
            None,
            ("出生年月日", "生日"),
            "YYYY-MM-DD，可留空由证件号推出",
            "1949-12-31",
            "date",
        ),
        Column(
            "phone", "联系电话", False, None, ("手机号", "手机号码", "电话", "联系方式"), "", "13800000000"
        ),
        Column(
            "hukou_address_text",
            "户籍地址",
            False,
            None,
            ("户籍地详址", "户籍详址", "户口所在地"),
            "",
            "北京市西城区某街1号",
        ),
        Column(
            "hukou_division_code",
            "户籍地区划代码",
            False,
            None,
            ("户籍地区划", "户籍区划代码"),
            "6、9或12位区划代码",
            "110105",
        ),
        Column(
            "address",
            "居住地址",
            True,
            None,
            ("现住址", "实际居住地址", "居住地详址", "现居住地址"),
            "标准地址编码或地址全称",
            "陕西省渭南市合阳县城关街道凤凰路018号金水小区3号楼2单元501室",
        ),
        Column(
            "residence_type",
            "人员类型",
            True,
            "residence_type",
            ("人口类型", "居住类型"),
            "常住/寄住/流动/境外/未落户",
            "流动",
        ),
        Column("relation", "与户主关系", False, "relation", ("与户主关系代码", "家庭关系"), "", "户主"),
        Column("reason", "居住事由", False, "residence_reason", ("来本地事由", "暂住事由"), "", "务工"),
        Column(
            "since",
            "来本地日期",
            False,
            None,
            ("来本地时间", "入住日期", "居住起始日期"),
            "YYYY-MM-DD",
            "2025-03-01",
            "date",
        ),
        Column("collector", "采集人", False, None, ("登记人", "采集民警"), "采集人员姓名或账号", "李辅警"),
        Column(
            "collected_at",
            "采集时间",
            False,
            None,
            ("登记时间", "采集日期"),
            "YYYY-MM-DD HH:MM",
            "2026-09-12 19:30",
            "datetime",
        ),
        SOURCE,
    ),
    keys=("id_number", "source_ref"),
)

UNITS = Template(
    "units",
    "实有单位",
    (
        Column(
            "name", "单位名称", True, None, ("名称", "企业名称", "单位全称"), "", "合阳县某某商贸有限公司"
        ),
        Column(
            "credit_code",
            "统一社会信用代码",
            False,
            None,
            ("信用代码", "社会信用代码", "统一代码"),
            "18位",
            "91110000101623741K",
        ),
        Column("category", "单位类别", True, "unit_category", ("单位性质", "单位类型"), "", "企业"),
        Column(
            "industry", "行业类别", False, "industry", ("所属行业", "行业"), "GB/T 4754 门类", "批发和零售业"
        ),
        Column(
            "special_trade", "特种行业", False, "special_trade", ("特行类别",), "非特种行业留空", "旅馆业"
        ),
        Column(
            "hazards",
            "危险物品标志",
            False,
            "hazard",
            ("涉危类别", "危险物品"),
            "多个用顿号分隔",
            "危化品、易制爆",
            "codes",
        ),
        Column("legal_rep_name", "法定代表人", False, None, ("法人", "法人代表", "负责人"), "", "张伟"),
        Column(
            "legal_rep_id_number",
            "法定代表人证件号码",
            False,
            None,
            ("法人身份证号", "法人证件号码"),
            "",
            "11010519491231002X",
        ),
        Column("phone", "联系电话", False, None, ("单位电话", "电话"), "", "0913-5512345"),
        Column(
            "address",
            "单位地址",
            True,
            None,
            ("地址", "经营地址", "注册地址"),
            "标准地址编码或地址全称",
            "陕西省渭南市合阳县城关街道凤凰路018号",
        ),
        SOURCE,
    ),
    keys=("credit_code", "source_ref"),
)

ADDRESSES = Template(
    "addresses",
    "标准地址",
    (
        Column("code", "地址编码", False, None, ("标准地址编码", "编码"), "留空则自动生成", ""),
        Column(
            "division_code",
            "社区/村代码",
            True,
            None,
            ("行政区划代码", "村居代码", "社区代码"),
            "12位",
            "610524001003",
        ),
        Column(
            "police_unit_code", "警务区代码", True, None, ("责任区代码", "所属警务区"), "12位", "610524501001"
        ),
        Column("road", "街路巷/组", True, None, ("街路巷", "道路", "村组", "组"), "", "凤凰路"),
        Column("door_number", "门牌号", True, None, ("门牌", "号"), "数字", "18"),
        Column("sub_number", "附号", False, None, (), "", ""),
        Column("compound", "小区/院", False, None, ("小区", "小区名称", "单位院"), "", "金水小区"),
        Column("building", "楼栋", False, None, ("楼号", "楼栋号", "幢"), "", "3"),
        Column("unit_no", "单元", False, None, ("单元号",), "", "2"),
        Column("floor", "楼层", False, None, ("层",), "地下层填负数", "5", "int"),
        Column("room_no", "户室", False, None, ("室", "房间号", "户号"), "", "501"),
        Column("common_name", "门牌俗称", False, None, ("俗称", "别名"), "", ""),
        Column("lng", "经度", False, None, ("longitude",), "", "110.1490000", "decimal"),
        Column("lat", "纬度", False, None, ("latitude",), "", "35.2380000", "decimal"),
        Column("coord_system", "坐标系", False, "coord_system", (), "WGS84/GCJ02/BD09", "WGS84"),
        SOURCE,
    ),
    keys=("code", "source_ref"),
)

HOUSES = Template(
    "houses",
    "实有房屋",
    (
        Column(
            "address",
            "房屋地址",
            True,
            None,
            ("地址", "标准地址", "房屋坐落"),
            "标准地址编码或地址全称",
            "610524001003-4102-018-03-2-0501",
        ),
        Column("house_type", "房屋类型", True, "house_type", ("房屋类别",), "", "单元楼"),
        Column("structure", "房屋结构", False, "house_structure", ("结构",), "", "砖混"),
        Column("floors", "层数", False, None, ("总层数",), "", "6", "int"),
        Column("rooms", "间数", False, None, ("房间数",), "", "3", "int"),
        Column("area", "建筑面积", False, None, ("面积", "建筑面积(平方米)"), "平方米", "89.5", "decimal"),
        Column("use", "房屋用途", True, "house_use", ("用途", "使用情况"), "", "出租"),
        Column("ownership", "产权性质", False, "ownership", (), "", "私产"),
        Column("owner_name", "房主姓名", False, None, ("房主", "产权人"), "", "王建国"),
        Column(
            "owner_id_number",
            "房主证件号码",
            False,
            None,
            ("房主身份证号", "产权人证件号码"),
            "",
            "11010519491231002X",
        ),
        Column("owner_phone", "房主电话", False, None, ("房主联系电话",), "", "13800000000"),
        Column("rental_mode", "出租方式", False, "rental_mode", (), "整租/合租", "整租"),
        Column("rental_start", "起租日期", False, None, ("出租日期",), "", "2025-03-01", "date"),
        Column("rent", "月租金", False, None, ("租金",), "元", "800", "decimal"),
        Column("rental_filing_no", "备案编号", False, None, ("租赁备案号",), "", "HY-ZL-2025-0012"),
        Column("security_pledge", "治安责任保证书", False, None, ("是否签订保证书",), "是/否", "是", "bool"),
        Column("management_level", "管理等级", False, "management_level", (), "A/B/C", "C"),
        SOURCE,
    ),
    keys=("address", "source_ref"),
)

TEMPLATES: dict[str, Template] = {t.kind: t for t in (ADDRESSES, HOUSES, PERSONS, UNITS)}


@cache
def _t2s():  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC("t2s")


def normalise_header(text: str) -> str:
    """Header text as compared: NFKC (full-width → half-width), no spaces of any width, no
    brackets' content marks like ``*``, traditional → simplified, lower case."""
    t = unicodedata.normalize("NFKC", str(text or ""))
    t = "".join(ch for ch in t if not ch.isspace() and ch not in "*＊:：")
    return _t2s().convert(t).lower()


@cache
def header_index(kind: str) -> dict[str, str]:
    """Normalised header or alias → column key, for one template."""
    out: dict[str, str] = {}
    for c in TEMPLATES[kind].columns:
        for h in (c.header, *c.aliases):
            out.setdefault(normalise_header(h), c.key)
    return out


def match_header(kind: str, text: str) -> str | None:
    """The column key a file's header cell stands for, or None when it matches no column."""
    return header_index(kind).get(normalise_header(text))
