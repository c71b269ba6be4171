"""Household make-up for the demo: sizes, members with their relation to the householder
(GB/T 4761 codes from the ``relation`` code list), sex and age, and the age-dependent personal
codes (education, marital status, occupation). Pure.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from .common import Picker

OWNER_SIZES = Picker.of([(1, 24), (2, 31), (3, 18), (4, 15), (5, 7), (6, 5)])
TENANT_SIZES = Picker.of([(1, 36), (2, 30), (3, 20), (4, 11), (5, 3)])


@dataclass(slots=True)
class Member:
    relation: str
    sex: str
    age: int
    role: str  # H householder, S spouse, C child, CS child's spouse, G grandchild, P parent
    surname_of: int = 0  # index of the member whose surname this one carries (self if own)
    married: bool = False


def _other(sex: str) -> str:
    return "2" if sex == "1" else "1"


def _clamp(age: int) -> int:
    return max(0, min(95, age))


def members(rng: random.Random, size: int, *, tenant: bool, elderly_bias: float = 0.0) -> list[Member]:
    """The members of one household of ``size`` people, householder first.

    Tenants are younger (work-age householders); ``elderly_bias`` (0–1) raises the share of older
    owner householders, as in villages whose young people work elsewhere.
    """
    if size == 1:
        if tenant:
            age = rng.randint(19, 48)
        elif rng.random() < 0.55 + 0.2 * elderly_bias:
            age = rng.randint(58, 92)
        else:
            age = rng.randint(20, 57)
        h = Member("02", "1" if rng.random() < 0.6 else "2", age, "H")
        return [h]
    kind = rng.random()
    if size == 2:
        if tenant:
            kind = 0.7 if kind < 0.55 else 0.95  # a young couple or a parent with a child
        if kind < 0.6 + 0.2 * elderly_bias:
            return _couple(rng, rng.randint(55, 86))
        if kind < 0.85:
            return _couple(rng, rng.randint(22, 54))
        h_age = rng.randint(36, 76)
        return _with_children(rng, [Member("02", "2" if rng.random() < 0.4 else "1", h_age, "H")], 1)
    if size == 3:
        h_age = rng.randint(24, 46) if tenant else rng.randint(26, 62)
        return _with_children(rng, _couple(rng, h_age), 1)
    if size == 4:
        if kind < 0.65 or tenant:
            return _with_children(rng, _couple(rng, rng.randint(28, 54)), 2)
        return _with_parents(rng, _with_children(rng, _couple(rng, rng.randint(28, 50)), 1), 1)
    if size == 5:
        if kind < 0.6 or tenant:
            return _with_parents(rng, _with_children(rng, _couple(rng, rng.randint(30, 50)), 2), 1)
        return _three_generations(rng, 1)
    if kind < 0.5:
        return _with_parents(rng, _with_children(rng, _couple(rng, rng.randint(30, 50)), 2), 2)
    return _three_generations(rng, 2)


def _couple(rng: random.Random, h_age: int) -> list[Member]:
    h_sex = "1" if rng.random() < 0.86 else "2"
    gap = rng.randint(-1, 6)
    s_age = _clamp(h_age - gap if h_sex == "1" else h_age + gap)
    return [
        Member("02", h_sex, h_age, "H", 0, married=True),
        Member("12" if h_sex == "1" else "11", _other(h_sex), max(18, s_age), "S", 1, married=True),
    ]


def _father_index(family: list[Member]) -> int:
    """Children carry the father's surname: the householder's, or the spouse's when the
    householder is a woman with a husband in the household."""
    if family[0].sex == "2" and len(family) > 1 and family[1].role == "S":
        return 1
    return 0


def _with_children(rng: random.Random, family: list[Member], n: int) -> list[Member]:
    h_age = family[0].age
    father = _father_index(family)
    sons = daughters = 0
    for _ in range(n):
        sex = "1" if rng.random() < 0.52 else "2"
        age = _clamp(h_age - rng.randint(22, 34))
        if sex == "1":
            sons += 1
            rel = "21" if n == 1 else ("22", "23", "24")[min(sons - 1, 2)]
        else:
            daughters += 1
            rel = "31" if n == 1 else ("32", "33", "34")[min(daughters - 1, 2)]
        family.append(Member(rel, sex, age, "C", father))
    return family


def _with_parents(rng: random.Random, family: list[Member], n: int) -> list[Member]:
    h_age = family[0].age
    p_age = _clamp(h_age + rng.randint(23, 32))
    if n == 1:
        sex = "2" if rng.random() < 0.6 else "1"  # widowed mothers outnumber fathers
        family.append(Member("52" if sex == "2" else "51", sex, max(p_age, h_age + 18), "P", len(family)))
        if sex == "1":
            family[-1].surname_of = 0
        return family
    family.append(Member("51", "1", _clamp(p_age + rng.randint(0, 4)), "P", 0, married=True))
    family.append(Member("52", "2", p_age, "P", len(family), married=True))
    return family


def _three_generations(rng: random.Random, grandchildren: int) -> list[Member]:
    """Householder couple, a married son with his wife, and grandchildren."""
    family = _couple(rng, rng.randint(50, 70))
    h = family[0]
    family[0].sex, family[1].sex = "1", "2"
    family[0].relation, family[1].relation = "02", "12"
    son_age = _clamp(h.age - rng.randint(23, 32))
    family.append(Member("22", "1", max(son_age, 20), "C", 0, married=True))
    son = len(family) - 1
    family.append(
        Member("38", "2", max(18, family[son].age - rng.randint(-1, 4)), "CS", len(family), married=True)
    )
    for k in range(grandchildren):
        sex = "1" if rng.random() < 0.52 else "2"
        age = _clamp(family[son].age - rng.randint(21, 32) - k * rng.randint(1, 4))
        family.append(Member("41" if sex == "1" else "42", sex, age, "G", son))
    return family


# --------------------------------------------------------------------------------------------
# Personal codes by age

_EDU_YOUNG = Picker.of([("21", 16), ("31", 20), ("61", 20), ("44", 6), ("47", 4), ("71", 29), ("81", 5)])
_EDU_MID = Picker.of([("21", 6), ("31", 10), ("61", 20), ("41", 6), ("71", 45), ("81", 13)])
_EDU_OLD = Picker.of([("21", 1), ("31", 2), ("61", 10), ("71", 30), ("81", 40), ("83", 7), ("90", 10)])
_EDU_STUDENT = Picker.of([("20", 25), ("30", 20), ("61", 25), ("71", 25), ("44", 5)])


def education(rng: random.Random, age: int, birth_year: int) -> str:
    """A GB/T 4658 education code that fits the age (pupils are "in" the level they attend)."""
    if age < 6:
        return ""
    if age < 12:
        return "80"
    if age < 15:
        return "70"
    if age < 18:
        return "60" if rng.random() < 0.7 else "40"
    if age < 23:
        return _EDU_STUDENT(rng)
    if birth_year >= 1985:
        return _EDU_YOUNG(rng)
    if birth_year >= 1965:
        return _EDU_MID(rng)
    return _EDU_OLD(rng)


def marital(rng: random.Random, m: Member, household_size: int) -> str:
    """A GB/T 2261.2 marital-status code consistent with the household."""
    if m.age < 16:
        return ""
    if m.married:
        r = rng.random()
        return "20" if r < 0.85 else "21" if r < 0.95 else "22"
    if m.age < 25:
        return "10"
    if m.age >= 60:
        return "30" if rng.random() < 0.7 else "20"
    r = rng.random()
    if m.age < 35:
        return "10" if r < 0.6 else "20"
    return "20" if r < 0.7 else "40" if r < 0.85 else "10"


URBAN_JOBS = Picker.of(
    [("职员", 20), ("个体经营", 16), ("工人", 12), ("教师", 5), ("医护人员", 4), ("司机", 6),
     ("服务员", 6), ("公务员", 3), ("自由职业", 6), ("无业", 8), ("务工", 14)]
)  # fmt: skip
RURAL_JOBS = Picker.of([("农民", 70), ("务工", 16), ("个体经营", 6), ("司机", 3), ("无业", 5)])
INFLOW_JOBS = Picker.of([("务工", 55), ("经商", 22), ("个体经营", 10), ("司机", 5), ("服务员", 8)])


def occupation(rng: random.Random, age: int, *, urban: bool, inflow: bool) -> str:
    if age < 6:
        return ""
    if age < 19:
        return "学生"
    if age < 23 and rng.random() < 0.5:
        return "学生"
    if age >= 60:
        if urban:
            return "离退休人员" if rng.random() < 0.6 else "无业"
        return "农民" if age < 75 else "无业"
    if rng.random() < 0.12:
        return ""
    if inflow:
        return INFLOW_JOBS(rng)
    return URBAN_JOBS(rng) if urban else RURAL_JOBS(rng)
