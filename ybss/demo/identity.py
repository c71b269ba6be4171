"""Synthetic identities for the demo: Chinese names with realistic surname frequencies, pinyin,
GB 11643 ID numbers (unique, agreeing with sex and birth date), mobile numbers and GB 32100
unified social credit codes. Pure; deterministic for the ``random.Random`` passed in.
"""

from __future__ import annotations

import random
from datetime import date

from pypinyin import lazy_pinyin

from ybss.core.identifiers import CREDIT_CODE_ALPHABET, credit_check_char, id_check_char

from .common import Picker

# Surnames with weights roughly per mille of the national population (2020 census order), with
# the names that are common in 合阳 (党, 雷, 史, 范, 吉, 同, 路, 梁) weighted up and mainly southern
# ones (林, 黄, 罗, 曾, 钟 …) weighted down, as in Guanzhong.
SURNAMES = (
    ("王", 71), ("李", 70), ("张", 67), ("刘", 51), ("陈", 46), ("杨", 38), ("赵", 25), ("黄", 12),
    ("周", 21), ("吴", 20), ("徐", 17), ("孙", 15), ("胡", 13), ("朱", 13), ("高", 14), ("林", 4),
    ("何", 8), ("郭", 12), ("马", 12), ("罗", 5), ("梁", 12), ("宋", 8), ("郑", 8), ("谢", 5),
    ("韩", 8), ("唐", 4), ("冯", 7), ("于", 6), ("董", 6), ("萧", 2), ("肖", 4), ("程", 6),
    ("曹", 6), ("袁", 5), ("邓", 3), ("许", 5), ("傅", 5), ("沈", 5), ("曾", 1), ("彭", 3),
    ("吕", 5), ("苏", 5), ("卢", 5), ("蒋", 4), ("蔡", 2), ("贾", 6), ("丁", 4), ("魏", 6),
    ("薛", 6), ("叶", 2), ("阎", 5), ("余", 2), ("潘", 3), ("杜", 4), ("戴", 3), ("夏", 3),
    ("钟", 1), ("汪", 1), ("田", 4), ("任", 4), ("姜", 3), ("范", 8), ("方", 3), ("石", 3),
    ("姚", 3), ("谭", 1), ("廖", 1), ("邹", 1), ("熊", 1), ("金", 2), ("陆", 2), ("郝", 3),
    ("孔", 2), ("白", 3), ("崔", 3), ("康", 3), ("毛", 2), ("邱", 2), ("秦", 3), ("江", 2),
    ("史", 8), ("顾", 2), ("侯", 3), ("邵", 2), ("孟", 3), ("龙", 2), ("万", 2), ("段", 3),
    ("雷", 10), ("钱", 2), ("汤", 2), ("尹", 2), ("黎", 1), ("易", 1), ("常", 3), ("武", 3),
    ("乔", 2), ("贺", 3), ("赖", 1), ("龚", 1), ("文", 2), ("党", 14), ("吉", 4), ("同", 3),
    ("路", 4), ("师", 2), ("屈", 2), ("车", 1), ("拓", 1), ("申", 2), ("惠", 1), ("卫", 1),
)  # fmt: skip
SURNAME_SET = frozenset(s for s, _w in SURNAMES)

# Given-name characters by generation and sex (1 male, 2 female).
_GIVEN = {
    ("old", "1"): "国建志德明文华振学福庆永生俊忠宝祥有林荣发保兴民海军金平成春安贵山",
    ("old", "2"): "秀英兰桂芳玉珍凤梅琴花淑云翠霞莲娥爱菊荣香彩素粉巧芝银玲",
    ("mid", "1"): "伟强磊军勇杰涛斌超明刚平辉鹏华飞波宁峰亮红健东龙建斌锋利军宏卫新永",
    ("mid", "2"): "芳娜敏静丽艳娟霞燕玲婷红梅琳慧丽萍莉娟晶颖倩蓉洁佳艳丹小",
    ("new", "1"): "浩宇轩子涵泽博文一诺俊杰睿皓宸晨阳鑫铭航辰佳瑞恒毅旭昊然",
    ("new", "2"): "欣怡梓涵诗语嘉萱雨彤可馨悦思佳若婉琪雅清妍梦瑶紫依晨菲",
}
_GIVEN_LISTS = {k: list(dict.fromkeys(v)) for k, v in _GIVEN.items()}

# pypinyin reads a few characters differently when they are surnames.
_SURNAME_PINYIN = {
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "仇": "qiu",
    "查": "zha",
    "朴": "piao",
    "盖": "ge",
}
_PINYIN: dict[str, str] = {}


def pinyin(name: str) -> str:
    """Lower-case pinyin without tones or spaces ("党建国" → "dangjianguo"), cached per character;
    the first character is read as a surname."""
    out = []
    for i, ch in enumerate(name):
        if i == 0 and ch in _SURNAME_PINYIN:
            out.append(_SURNAME_PINYIN[ch])
            continue
        py = _PINYIN.get(ch)
        if py is None:
            py = "".join(lazy_pinyin(ch)).lower()
            _PINYIN[ch] = py
        out.append(py)
    return "".join(out)


class Names:
    """Chinese names: a weighted national surname, or one of a village's common surnames."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._surname = Picker.of(SURNAMES)

    def surname(self, local: tuple[str, ...] = ()) -> str:
        if local and self._rng.random() < 0.45:
            return local[self._rng.randrange(len(local))]
        return self._surname(self._rng)

    def given(self, sex: str, birth_year: int) -> str:
        era = "old" if birth_year < 1965 else "mid" if birth_year < 1992 else "new"
        pool = _GIVEN_LISTS[(era, "2" if sex == "2" else "1")]
        rng = self._rng
        first = pool[rng.randrange(len(pool))]
        if rng.random() < (0.22 if era == "new" else 0.3):
            return first
        second = pool[rng.randrange(len(pool))]
        return first + second

    def full(self, sex: str, birth_year: int, surname: str | None = None) -> str:
        return (surname or self.surname()) + self.given(sex, birth_year)

    def village_surnames(self, village_name: str) -> tuple[str, ...]:
        """Three surnames common in a village; a village named after a clan (吉家咀, 秦庄, 王村)
        has that surname first."""
        named = len(village_name) > 1 and village_name[0] in SURNAME_SET and village_name[1] in "家庄村寨堡"
        picks = [village_name[0]] if named else []
        while len(picks) < 3:
            s = self._surname(self._rng)
            if s not in picks:
                picks.append(s)
        return tuple(picks)


class IdNumbers:
    """Unique GB 11643 ID numbers: region + birth date + sequence (odd for men, even for women)
    + MOD 11-2 check character. ``taken`` is shared by everyone who needs a number."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self.taken: set[str] = set()

    def new(self, region: str, birth: date, sex: str) -> str:
        head = f"{region}{birth.year:04d}{birth.month:02d}{birth.day:02d}"
        odd = 1 if sex == "1" else 0
        rng = self._rng
        while True:
            body = f"{head}{rng.randrange(500) * 2 + odd:03d}"
            if body not in self.taken:
                self.taken.add(body)
                return body + id_check_char(body)


# Mobile blocks in common use, weighted (China Mobile > China Unicom > China Telecom).
_MOBILE_BLOCKS = Picker.of(
    [(b, 6) for b in ("139", "138", "137", "136", "135", "134", "150", "151", "152", "157", "158", "159")]
    + [(b, 6) for b in ("182", "183", "187", "188", "198", "147", "178")]
    + [(b, 4) for b in ("130", "131", "132", "155", "156", "185", "186", "166", "176")]
    + [(b, 3) for b in ("133", "153", "177", "180", "181", "189", "199", "173", "191")]
)


class Phones:
    """Unique 11-digit mobile numbers in assigned blocks, and 0913 (渭南) landlines."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._taken: set[str] = set()

    def mobile(self) -> str:
        rng = self._rng
        while True:
            number = f"{_MOBILE_BLOCKS(rng)}{rng.randrange(100_000_000):08d}"
            if number not in self._taken:
                self._taken.add(number)
                return number

    def landline(self) -> str:
        return f"0913-55{self._rng.randrange(100_000):05d}"


# GB 11714 organisation code check (positions 9–17 of a credit code).
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_BODY = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _org_code(rng: random.Random) -> str:
    body = "".join(_ORG_BODY[rng.randrange(10 if i < 2 else len(_ORG_BODY))] for i in range(8))
    total = sum(int(ch, 36) * w for ch, w in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


class CreditCodes:
    """Unique GB 32100 unified social credit codes for a region.

    ``kind`` is the two leading characters: registration authority + type, e.g. "91" enterprise,
    "92" individual business, "93" farmers' co-operative, "11" government body, "12" public
    institution, "51" social organisation, "Y1" other. Then the 6-digit region, a 9-character
    organisation code with its GB 11714 check, and the GB 32100 check character.
    """

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._taken: set[str] = set()

    def new(self, kind: str, region: str) -> str:
        assert all(ch in CREDIT_CODE_ALPHABET for ch in kind)
        while True:
            body = kind + region + _org_code(self._rng)
            if body not in self._taken:
                self._taken.add(body)
                return body + credit_check_char(body)
