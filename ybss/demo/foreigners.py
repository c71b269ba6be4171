"""A few foreign residents (境外人员) for the demo: passports (证件类型 414), nationality, names in
Latin letters, visas. They rent flats in the county seat, alone or as a couple.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import TYPE_CHECKING

from .common import REFERENCE_DATE, Picker
from .identity import pinyin

if TYPE_CHECKING:
    from .housing import HouseSpec
    from .population import _People

# nationality → ((Chinese surname, Latin surname), …), ((Chinese given name, Latin, sex), …)
PEOPLE: dict[str, tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str, str], ...]]] = {
    "KOR": (
        (("金", "KIM"), ("朴", "PARK"), ("李", "LEE"), ("崔", "CHOI")),
        (("敏俊", "MINJUN", "1"), ("智妍", "JIYEON", "2"), ("成浩", "SUNGHO", "1"), ("秀贤", "SOOHYUN", "2")),
    ),
    "VNM": (
        (("阮", "NGUYEN"), ("陈", "TRAN"), ("黎", "LE")),
        (("氏香", "THI HUONG", "2"), ("氏兰", "THI LAN", "2"), ("文雄", "VAN HUNG", "1")),
    ),
    "PAK": ((("汗·", "KHAN"), ("艾哈迈德·", "AHMED")), (("阿里", "ALI", "1"), ("乌斯曼", "USMAN", "1"))),
    "RUS": (
        (("彼得罗夫", "PETROV"), ("伊万诺娃", "IVANOVA")),
        (("伊万·", "IVAN", "1"), ("安娜·", "ANNA", "2")),
    ),
    "USA": (
        (("史密斯", "SMITH"), ("约翰逊", "JOHNSON")),
        (("约翰·", "JOHN", "1"), ("艾米丽·", "EMILY", "2")),
    ),
    "GBR": ((("布朗", "BROWN"), ("泰勒", "TAYLOR")), (("詹姆斯·", "JAMES", "1"), ("艾玛·", "EMMA", "2"))),
    "MYS": ((("林", "LIM"), ("黄", "WONG")), (("伟明", "WEI MING", "1"), ("美玲", "MEI LING", "2"))),
    "JPN": ((("佐藤", "SATO"), ("铃木", "SUZUKI")), (("健", "KEN", "1"), ("由美", "YUMI", "2"))),
}
NATIONALITIES = Picker.of(
    [("KOR", 25), ("VNM", 25), ("PAK", 12), ("RUS", 8), ("USA", 8), ("GBR", 6), ("MYS", 8), ("JPN", 8)]
)
VISAS = Picker.of([("Z", 40), ("X1", 20), ("Q1", 15), ("M", 10), ("S1", 10), ("R", 5)])
_JOB = {"Z": "外籍员工", "R": "外籍专家", "X1": "留学生", "M": "商务人员", "Q1": "", "S1": ""}
_REASON = {"Z": "work", "R": "work", "M": "business", "X1": "study", "Q1": "family", "S1": "family"}


class Foreigners:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._passports: set[str] = set()

    def passport(self) -> str:
        rng = self.rng
        while True:
            number = f"{'EGKMP'[rng.randrange(5)]}{rng.randrange(10**8):08d}"
            if number not in self._passports:
                self._passports.add(number)
                return number

    def _name(self, nationality: str, sex: str) -> tuple[str, str, str]:
        surnames, givens = PEOPLE[nationality]
        zs, ls = surnames[self.rng.randrange(len(surnames))]
        options = [g for g in givens if g[2] == sex] or list(givens)
        zg, lg, _sex = options[self.rng.randrange(len(options))]
        east = nationality in ("KOR", "VNM", "MYS", "JPN")
        return (zs + zg if east else zg + zs), ls, lg

    def household(self, p: _People, house: HouseSpec, size: int) -> int:
        """One or two foreigners of the same nationality; returns how many were added."""
        rng = self.rng
        v = house.village
        nationality = NATIONALITIES(rng)
        entry = REFERENCE_DATE - timedelta(days=rng.randrange(20, 3 * 365))
        first_pid = len(p.out.persons) + 1
        sex = "1" if rng.random() < 0.6 else "2"
        for k in range(size):
            if k == 1:
                sex = "2" if sex == "1" else "1"
            age = rng.randint(20, 58)
            birth = date.fromordinal(REFERENCE_DATE.toordinal() - int(age * 365.2425) - rng.randrange(365))
            visa = VISAS(rng) if k == 0 else "S1"
            expiry = REFERENCE_DATE + timedelta(days=rng.randrange(30, 720))
            zh, latin_surname, latin_given = self._name(nationality, sex)
            stamp = p.stamper.stamp(v.district)
            pid = len(p.out.persons) + 1
            phone = p.phones.mobile() if rng.random() < 0.8 else ""
            p.out.persons.append(
                [
                    pid,
                    *stamp,
                    v.code,
                    v.district,
                    "414",
                    self.passport(),
                    zh,
                    pinyin(zh.replace("·", "")),
                    "",
                    sex,
                    "",
                    birth.isoformat(),
                    phone,
                    "",
                    "",
                    "",
                    None,
                    "21" if rng.random() < 0.6 else "31",
                    "20" if size == 2 else "10",
                    _JOB[visa],
                    "",
                    False,
                    nationality,
                    latin_surname,
                    latin_given,
                    visa,
                    expiry.isoformat(),
                    entry.isoformat(),
                    (expiry - timedelta(days=rng.randrange(0, 30))).isoformat(),
                ]
            )
            p.out.ages.append(age)
            p._last_stamp = stamp
            relation = "02" if k == 0 else ("12" if sex == "2" else "11")
            p.residence(pid, house, "foreign", relation, _REASON[visa], entry, house.rented, False, False)
        house.householder = first_pid
        house.household_kind = "foreign"
        house.since = entry
        return size
