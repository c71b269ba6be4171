"""Pure scoring for the duplicate checks (``quality.dedup``): name forms, blocking keys, and the
pairwise comparison of two persons or two units. No ORM: plain records in, plain results out.

Persons are compared the Fellegi–Sunter way: each compared field falls into one *level* (the
ID numbers are "one digit apart", the names "sound the same", the houses are "the same"), each
level has an m probability (how often a true duplicate pair shows it) and a u probability (how
often two different people who already share a birth date and a spoken name show it), and the
evidence adds up as match weights ``log2(m / u)`` on top of the prior odds of such a pair. For
the fields where how common a value is matters — the registered domicile, a phone, a house —
u is the value's share of the county's people (term frequency), read from the data at each run:
sharing a family's door plate says much more than sharing a 2,000-person village code. The
result is a match probability with every part of it visible (:class:`PairScore`).

The m and u values below are set from what duplicates are, not fitted to a generator:

* A duplicate pair always has two different ID strings (the database holds a document number
  once), so an ID that is merely different says little either way; an ID one keystroke away (one
  digit changed, two neighbours swapped, 15 vs 18 digits) says a lot, because two valid resident
  ID numbers are never one keystroke apart (the MOD 11-2 check catches every single change and
  every swap) — one of the two must be a typo. One slip in the first 17 digits with the check
  character recomputed (both valid) is weaker evidence: siblings' numbers often look like that.
* Members of one household share a house, a domicile and often a phone: those three together
  count at most ``CONTEXT_CAP``, so that a twin (another given name) never adds up to a duplicate.
* Among different people who share a birth date and a spoken name (a county of 220,000 has
  about a hundred such pairs) the names are the same or homophones; a traditional-character or
  pinyin spelling of a Chinese name is rare, so it is evidence of the same person.
* A duplicate entered separately often has its own phone, house or domicile (another collector,
  another time), so a *different* value costs little; a *shared* value is strong evidence.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from itertools import permutations, product
from operator import attrgetter

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from ybss.core.identifiers import ID_CHECK_CHARS, ID_WEIGHTS, id15_to_18

# --------------------------------------------------------------------------------------------
# Name forms


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


_SEPARATORS = re.compile(r"[\s·・•.．,，、_\-]+")
_NAME_SPLIT = re.compile(r"[\s,，、;；/]+")


def is_cjk(ch: str) -> bool:
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x2FFFF or 0xF900 <= o <= 0xFAFF


@lru_cache(maxsize=262_144)
def norm_name(name: str) -> str:
    """A name as compared for equality: NFKC, no spaces or separators (· . -), lower-case."""
    text = unicodedata.normalize("NFKC", name or "")
    return _SEPARATORS.sub("", text).lower()


_T2S_CHAR: dict[str, str] = {}


def _t2s_char(ch: str) -> str:
    got = _T2S_CHAR.get(ch)
    if got is None:
        got = _T2S_CHAR[ch] = _t2s().convert(ch) if is_cjk(ch) else ch
    return got


@lru_cache(maxsize=262_144)
def simplified(name: str) -> str:
    """``norm_name`` in simplified characters (OpenCC t2s, character by character: a name is no
    phrase, and both sides of a comparison go the same way)."""
    return "".join(map(_t2s_char, norm_name(name)))


@lru_cache(maxsize=65_536)
def _letters(text: str) -> str:
    """Latin letters only, lower-case, tone marks dropped; ü/v read as u (lü = lu = lv)."""
    decomposed = unicodedata.normalize("NFKD", text)
    out = [c for c in decomposed.lower() if "a" <= c <= "z"]
    return "".join(out).replace("v", "u")


_LATIN_CACHE: dict[str, bool] = {}


def is_latin(name: str) -> bool:
    """True for a name written in Latin letters (a pinyin or foreign spelling), not characters."""
    if name and "\u4e00" <= name[0] <= "\u9fff":
        return False
    got = _LATIN_CACHE.get(name)
    if got is None:
        n = norm_name(name)
        got = _LATIN_CACHE[name] = bool(n) and not any(is_cjk(c) for c in n) and bool(_letters(n))
    return got


_READINGS: dict[str, tuple[str, ...]] = {}


def _readings(ch: str) -> tuple[str, ...]:
    """Toneless pinyin readings of one character, the usual one first (ü as u); the letters of
    a Latin character; nothing for anything else."""
    got = _READINGS.get(ch)
    if got is not None:
        return got
    if is_cjk(ch):
        from pypinyin import Style, pinyin

        found = pinyin(ch, heteronym=True, style=Style.NORMAL, errors="ignore")
        out: list[str] = []
        for r in found[0] if found else ():
            r = _letters(r)
            if r and r not in out:
                out.append(r)
        got = tuple(out)
    else:
        letters = _letters(ch)
        got = (letters,) if letters else ()
    _READINGS[ch] = got
    return got


MAX_KEYS = 16
_KEYS_CACHE: dict[str, frozenset[str]] = {}


def name_keys(name: str) -> frozenset[str]:
    """How a name is said: toneless pinyin of its simplified form, one key per combination of the
    characters' readings (a polyphonic surname such as 曾 zeng/ceng gives two), at most
    ``MAX_KEYS``. A Latin-letter name gives its letters in every order of its words (Wei Zhang,
    Zhang Wei). 张伟, 张玮 and 張偉 share ``zhangwei``."""
    got = _KEYS_CACHE.get(name)
    if got is None:
        got = _KEYS_CACHE[name] = _name_keys(name)
    return got


_PRIMARY: dict[str, str] = {}


def primary_key(name: str) -> str:
    """The one usual way to say a name: each character's usual reading (Latin letters as
    written). Blocks on most of the ID number use it alone (see ``blocking_keys``)."""
    got = _PRIMARY.get(name)
    if got is None:
        if is_latin(name):
            got = _letters(name)
        else:
            got = "".join(r[0] for r in map(_readings, simplified(name)) if r)
        _PRIMARY[name] = got
    return got


def _name_keys(name: str) -> frozenset[str]:
    if is_latin(name):
        words = [_letters(w) for w in _NAME_SPLIT.split(unicodedata.normalize("NFKC", name))]
        words = [w for w in words if w]
        if not words:
            return frozenset()
        if len(words) > 4:
            return frozenset({"".join(words)})
        return frozenset("".join(p) for p in permutations(words))
    options = [r for r in map(_readings, simplified(name)) if r]
    if not options:
        return frozenset()
    total = 1
    for i, opts in enumerate(options):
        if len(opts) > 1:
            if total * len(opts) > MAX_KEYS:
                options[i] = opts[:1]
            else:
                total *= len(opts)
    if total == 1:
        return frozenset(("".join(o[0] for o in options),))
    return frozenset("".join(combo) for combo in product(*options))


def former_names(text: str) -> set[str]:
    """The former names field split into names, each as ``simplified``."""
    return {simplified(n) for n in _NAME_SPLIT.split(text or "") if n.strip()}


# --------------------------------------------------------------------------------------------
# ID numbers


def norm_id(id_type: str, number: str) -> str:
    """A document number as compared: NFKC (full-width digits), no spaces, upper-case; for a
    resident ID number the letter O read as a zero and a 15-digit number in its 18-digit form."""
    if number.isascii() and number.isalnum():
        text = number.upper()
    else:
        text = "".join(unicodedata.normalize("NFKC", number or "").split()).upper()
    if id_type == "111" and "O" in text[:17]:
        text = text[:17].replace("O", "0") + text[17:]  # the letter O typed for a zero
    if id_type == "111" and len(text) == 15 and text.isdigit():
        try:
            return id15_to_18(text)
        except ValueError:
            return text
    return text


def id_valid(id18: str) -> bool:
    """True when ``id18`` is 17 digits and the right MOD 11-2 check character (GB 11643)."""
    if len(id18) != 18 or not id18[:17].isdigit():
        return False
    return (
        ID_CHECK_CHARS[sum(int(d) * w for d, w in zip(id18[:17], ID_WEIGHTS, strict=True)) % 11] == id18[17]
    )


def birth_from_id(id18: str) -> date | None:
    if len(id18) != 18 or not id18[:14].isdigit():
        return None
    try:
        return date(int(id18[6:10]), int(id18[10:12]), int(id18[12:14]))
    except ValueError:
        return None


def _one_slip(a: str, b: str) -> str:
    """ "typo" (one character changed), "swap" (two neighbours swapped) or "" for equal-length
    strings."""
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    if len(diff) == 1:
        return "typo"
    if len(diff) == 2:
        i, j = diff
        if j == i + 1 and a[i] == b[j] and a[j] == b[i]:
            return "swap"
    return ""


def compare_ids(type_a: str, a: str, type_b: str, b: str) -> str:
    """Level of two normalised document numbers: "same"; "typo" (one character changed, added or
    dropped: for resident ID numbers, one of the two then fails its check); "swap" (two
    neighbours swapped, likewise); "swap_recheck" and "recheck" (a swap or one changed digit in
    the first 17 and the check character recomputed: both numbers valid, as siblings' numbers
    can be); "other"; or "" (not comparable)."""
    if not a or not b or (type_a == "111") != (type_b == "111"):
        return ""
    if a == b:
        return "same"
    if len(a) != len(b):
        return "typo" if abs(len(a) - len(b)) == 1 and Levenshtein.distance(a, b) == 1 else "other"
    if type_a == "111" and len(a) == 18:
        body_a, body_b = a[:17], b[:17]
        if body_a == body_b:
            return "typo"  # the check character mistyped
        slip = _one_slip(body_a, body_b)
        if not slip:
            return "other"
        if a[17] == b[17]:
            return slip
        return "recheck" if slip == "typo" else "swap_recheck"
    return _one_slip(a, b) or "other"


# --------------------------------------------------------------------------------------------
# Persons


@dataclass(slots=True)
class PersonRec:
    """What the comparison reads of one person; ``houses`` are the houses of their current
    residences, ``doors`` the door plates of those houses."""

    id: int
    id_type: str
    id_number: str
    name: str
    birth_date: date | None = None
    sex: str = ""
    pinyin: str = ""
    former_names: str = ""
    phones: tuple[str, ...] = ()
    hukou_code: str = ""
    hukou_text: str = ""
    hukou_address_id: int | None = None
    foreign_name: str = ""
    houses: tuple[int, ...] = ()
    doors: tuple[int, ...] = ()
    status: str = "accepted"
    # derived (``prepare``)
    id18: str = ""
    id_birth: date | None = None
    dob: date | None = None

    def prepare(self) -> PersonRec:
        """Derive the compared forms; a birth date outside 1890–2100 counts as missing."""
        self.id18 = norm_id(self.id_type, self.id_number)
        self.id_birth = _plausible(birth_from_id(self.id18)) if self.id_type == "111" else None
        self.dob = _plausible(self.birth_date) or self.id_birth
        return self


def _plausible(day: date | None) -> date | None:
    return day if day is not None and 1890 <= day.year <= 2100 else None


_PERSON_KEYS: dict[tuple[str, str], frozenset[str]] = {}


def person_keys(p: PersonRec) -> frozenset[str]:
    """Spoken-name keys of a person: their name's and their foreign name's (the pinyin field
    adds nothing: the name's keys hold every reading of its characters)."""
    if not p.foreign_name:
        return name_keys(p.name)
    cache_key = (p.name, p.foreign_name)
    keys = _PERSON_KEYS.get(cache_key)
    if keys is None:
        keys = _PERSON_KEYS[cache_key] = name_keys(p.name) | name_keys(p.foreign_name)
    return keys


def blocking_keys(p: PersonRec) -> list[str]:
    """The blocks a person falls in besides their ID number (``person_pairs`` pairs equal ID
    numbers itself): (birth date, spoken name); (ID number without its birth date, usual
    reading of the name); and (ID region and birth part, spoken name) when the ID number's birth
    part is not the birth date field (left empty or mistyped)."""
    keys = person_keys(p)
    out: list[str] = []
    if p.dob is not None:
        d = f"d{p.dob.toordinal()}:"
        out.extend([d + k for k in keys])
    if p.id_type == "111" and len(p.id18) == 18:
        # The number without digits 7-15 (birth date and first sequence digit): a slip there
        # moves the birth date that forms read off the number, so the birth date blocks miss
        # it; a slip anywhere else leaves the birth date (or makes it unreadable, and the form
        # keeps the one typed). With the name's usual reading only: cheap, and a polyphonic
        # name on top of such a slip is rare.
        n, k = p.id18, primary_key(p.name)
        if k:
            out.append(f"s{n[:6]}{n[15:17]}:{k}")
        if p.birth_date is None or p.id_birth != p.birth_date:
            r = f"r{p.id18[:14]}:"
            out.extend([r + k for k in keys])
    return out


# Levels: (m, u). The weight of a level is log2(m / u); "tf" levels take u from the data.
PRIOR_LOG2_ODDS = 0.0  # a candidate pair (see blocking_keys): even odds before the evidence
LEVELS: dict[str, dict[str, tuple[float, float]]] = {
    "id": {
        "same": (0.15, 1e-6),  # one number written two ways: 15/18 digits, full-width, letter O
        "typo": (0.35, 5e-5),  # one keystroke: one of the two fails its check
        "swap": (0.10, 5e-5),
        # both valid: about 1 in 300 numbers of one region and birth date is a swap of another
        "swap_recheck": (0.05, 0.003),
        # both valid, one digit apart: 3 in 100 namesakes' numbers, and twins' numbers, look so too
        "recheck": (0.10, 0.03),
        "other": (0.40, 0.98),
    },
    "name": {
        "same": (0.55, 0.55),
        "traditional": (0.10, 0.002),
        "pinyin": (0.10, 0.001),
        "former": (0.05, 0.001),
        "homophone": (0.15, 0.44),
        "similar": (5e-5, 0.05),  # 张伟/张磊: a twin's name looks like this, not a typo's
        "different": (1e-4, 0.95),
    },
    "birth_date": {"same": (0.97, 0.97), "from_id": (0.02, 0.02), "different": (0.01, 0.97)},
    "sex": {"same": (0.98, 0.9), "different": (0.02, 0.1)},  # names mostly tell the sex already
    "hukou": {
        "address": (0.5, 0.0),  # tf: people with this domicile address
        "division": (0.2, 0.0),  # tf: people with this domicile division
        "different": (0.3, 0.99),
    },
    "phone": {"same": (0.5, 0.0), "different": (0.5, 1.0)},  # tf: people with this number
    "house": {"same": (0.5, 0.0), "door": (0.2, 0.0), "different": (0.5, 1.0)},  # tf: occupants
}
#: ID levels that are one slip apart.
NEAR_IDS = frozenset({"typo", "swap", "recheck", "swap_recheck"})
#: Shared rare values can say "this is one person" on their own, but never more than this.
TF_CAP = 12.0
#: A household shares its house, domicile and often a phone: together they count as one piece
#: of evidence (at most this much), not three, so family members never add up to one person.
CONTEXT_CAP = 10.0
CONTEXT = ("hukou", "phone", "house")


@dataclass
class Frequencies:
    """How many people hold each value (for the term-frequency u of shared values)."""

    total: int = 1
    hukou_code: Mapping[str, int] = field(default_factory=dict)
    hukou_text: Mapping[str, int] = field(default_factory=dict)
    hukou_address: Mapping[int, int] = field(default_factory=dict)
    phone: Mapping[str, int] = field(default_factory=dict)
    house: Mapping[int, int] = field(default_factory=dict)
    door: Mapping[int, int] = field(default_factory=dict)

    @classmethod
    def of(cls, people: Iterable[PersonRec]) -> Frequencies:
        """Count the values of ``people`` (domicile texts as written: a pair's shared text is
        looked up under both spellings)."""
        from collections import Counter
        from itertools import chain

        people = list(people)
        get = lambda name: [v for v in map(attrgetter(name), people) if v]  # noqa: E731
        return cls(
            total=max(len(people), 1),
            hukou_code=Counter(get("hukou_code")),
            hukou_text=Counter(get("hukou_text")),
            hukou_address=Counter(get("hukou_address_id")),
            phone=Counter(chain.from_iterable(p.phones for p in people)),
            house=Counter(chain.from_iterable(p.houses for p in people)),
            door=Counter(chain.from_iterable(p.doors for p in people)),
        )


@lru_cache(maxsize=131_072)
def norm_hukou(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def same_address_text(a: str, b: str) -> bool:
    """Two normalised address texts name one place: equal, or one is the other without its
    leading province, city or county (陕西省渭南市合阳县坊镇… / 坊镇…)."""
    if a == b:
        return True
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return len(short) >= 8 and long_.endswith(short)


#: The term frequencies assume a county-sized base: on a few test records, one shared house
#: would otherwise be "common" and say nothing.
MIN_POPULATION = 20_000


def _tf_weight(m: float, count: int, total: int) -> float:
    u = max(count, 1) / max(total, MIN_POPULATION)
    return max(0.0, min(TF_CAP, math.log2(m / u)))


def _w(field_: str, level: str) -> float:
    m, u = LEVELS[field_][level]
    return math.log2(m / u)


def compare_names(a: PersonRec, b: PersonRec) -> str:
    """Level of two persons' names (see ``LEVELS["name"]``)."""
    na, nb = norm_name(a.name), norm_name(b.name)
    if not na or not nb:
        return ""
    if na == nb:
        return "same"
    sa, sb = simplified(a.name), simplified(b.name)
    if sa == sb:
        return "traditional"
    la, lb = is_latin(a.name), is_latin(b.name)
    if la != lb:
        latin, other = (a, b) if la else (b, a)
        theirs = set(name_keys(other.name))
        if other.pinyin:
            theirs.add(_letters(other.pinyin))
        if other.foreign_name:
            theirs |= name_keys(other.foreign_name)
        if name_keys(latin.name) & theirs:
            return "pinyin"
    elif la and lb and name_keys(a.name) & name_keys(b.name):
        return "same"  # Zhang Wei / WEI ZHANG
    if sa in former_names(b.former_names) or sb in former_names(a.former_names):
        return "former"
    if not la and not lb and name_keys(a.name) & name_keys(b.name):
        return "homophone"
    if fuzz.ratio(sa, sb) >= 50:
        return "similar"
    return "different"


def _hukou(a: PersonRec, b: PersonRec, f: Frequencies) -> tuple[str, float]:
    if a.hukou_address_id and a.hukou_address_id == b.hukou_address_id:
        return "address", _tf_weight(0.5, f.hukou_address.get(a.hukou_address_id, 1), f.total)
    ta, tb = norm_hukou(a.hukou_text), norm_hukou(b.hukou_text)
    if ta and tb and same_address_text(ta, tb):
        n = max(f.hukou_text.get(a.hukou_text, 1), f.hukou_text.get(b.hukou_text, 1))
        return "address", _tf_weight(0.5, n, f.total)
    if a.hukou_code and a.hukou_code == b.hukou_code:
        return "division", _tf_weight(0.2, f.hukou_code.get(a.hukou_code, 1), f.total)
    if (a.hukou_code and b.hukou_code) or (ta and tb):
        return "different", _w("hukou", "different")
    return "", 0.0


def _phone(a: PersonRec, b: PersonRec, f: Frequencies) -> tuple[str, float]:
    shared = set(a.phones) & set(b.phones)
    if shared:
        n = min(f.phone.get(p, 1) for p in shared)
        return "same", _tf_weight(0.5, n, f.total)
    if a.phones and b.phones:
        return "different", _w("phone", "different")
    return "", 0.0


def _house(a: PersonRec, b: PersonRec, f: Frequencies) -> tuple[str, float]:
    shared = set(a.houses) & set(b.houses)
    if shared:
        n = min(f.house.get(h, 1) for h in shared)
        return "same", _tf_weight(0.5, n, f.total)
    doors = set(a.doors) & set(b.doors)
    if doors:
        n = min(f.door.get(d, 1) for d in doors)
        return "door", _tf_weight(0.2, n, f.total)
    if a.houses and b.houses:
        return "different", _w("house", "different")
    return "", 0.0


@dataclass(frozen=True)
class PairScore:
    """The comparison of two records: level and weight per field, total weight, probability."""

    levels: dict[str, str]
    weights: dict[str, float]
    weight: float
    probability: float


def probability(weight: float) -> float:
    return 1.0 / (1.0 + 2.0 ** (-weight)) if weight > -60 else 0.0


def score_persons(a: PersonRec, b: PersonRec, f: Frequencies) -> PairScore:
    """Compare two prepared persons (``PersonRec.prepare``): see the module docstring."""
    levels: dict[str, str] = {}
    weights: dict[str, float] = {}

    def put(name: str, level: str, weight: float) -> None:
        if level:
            levels[name] = level
            weights[name] = round(weight, 2)

    lvl = compare_ids(a.id_type, a.id18, b.id_type, b.id18)
    put("id", lvl, _w("id", lvl) if lvl else 0.0)
    lvl = compare_names(a, b)
    put("name", lvl, _w("name", lvl) if lvl else 0.0)
    if a.dob is not None and b.dob is not None:
        lvl = "same" if a.dob == b.dob else "different"
        read_off = a.dob == a.id_birth and b.dob == b.id_birth
        if lvl == "different" and read_off and levels.get("id") in NEAR_IDS:
            lvl = "from_id"  # the slip in the number, read off into the birth date: counted once
        put("birth_date", lvl, _w("birth_date", lvl))
    if a.sex and b.sex and a.sex in "12" and b.sex in "12":
        lvl = "same" if a.sex == b.sex else "different"
        put("sex", lvl, _w("sex", lvl))
    put("hukou", *_hukou(a, b, f))
    put("phone", *_phone(a, b, f))
    put("house", *_house(a, b, f))
    shared = sum(weights[k] for k in CONTEXT if weights.get(k, 0) > 0)
    if shared > CONTEXT_CAP:
        weights["household_overlap"] = round(CONTEXT_CAP - shared, 2)
    total = PRIOR_LOG2_ODDS + sum(weights.values())
    return PairScore(levels, weights, round(total, 2), probability(total))


STATUS_ORDER = {"accepted": 0, "pending": 1, "returned": 2, "draft": 3}


def person_rank(p: PersonRec) -> tuple[int, int, int, int]:
    """Which of two duplicates to keep (the smaller): accepted before drafts, a valid 18-digit ID
    number before a typo or a 15-digit one, a name in characters before one in pinyin, older."""
    raw = "".join((p.id_number or "").split()).upper()
    good_id = p.id_type != "111" or (len(raw) == 18 and id_valid(raw))
    return (STATUS_ORDER.get(p.status, 4), 0 if good_id else 1, 1 if is_latin(p.name) else 0, p.id)


# --------------------------------------------------------------------------------------------
# Units


@dataclass(slots=True)
class UnitRec:
    id: int
    name: str
    credit_code: str = ""
    address_id: int | None = None
    door_id: int | None = None
    legal_rep_name: str = ""
    legal_rep_id: str = ""
    legal_rep_phone: str = ""
    status: str = "accepted"


_LEGAL_FORMS = re.compile(r"(股份有限公司|有限责任公司|有限公司|公司|个体工商户|个体)$")
_UNIT_PUNCT = re.compile(r"[\s()（）\[\]【】<>《》\"'“”‘’·・•.．,，、_\-:：]+")
#: Characters that tell two units apart when their names differ in just one of them
#: (一店/二店, 东街店/西街店): not a typo.
DISTINGUISHING = set("东西南北中上下前后左右新老旧大小内外正副甲乙丙丁一二三四五六七八九十分总")


def norm_credit(code: str) -> str:
    return "".join(unicodedata.normalize("NFKC", code or "").split()).upper()


def unit_core(name: str, prefixes: Iterable[str] = ()) -> str:
    """A unit name reduced to what tells it apart: simplified, no punctuation or brackets, without
    leading place names (``prefixes``: 陕西省, 渭南, 合阳县 …) and the legal form (有限责任公司)."""
    text = _UNIT_PUNCT.sub("", _t2s().convert(unicodedata.normalize("NFKC", name or "")))
    changed = True
    while changed:
        changed = False
        for p in prefixes:
            if p and text.startswith(p) and len(text) > len(p) + 1:
                text = text[len(p) :]
                changed = True
    core = _LEGAL_FORMS.sub("", text)
    return core or text


def one_apart(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1 or Levenshtein.distance(a, b) != 1:
        return False
    for op in Levenshtein.opcodes(a, b):
        if op.tag == "equal":
            continue
        changed = set(a[op.src_start : op.src_end]) | set(b[op.dest_start : op.dest_end])
        if changed & DISTINGUISHING or any(c.isdigit() for c in changed):
            return False
    return True


def compare_unit_names(a: str, b: str, prefixes: Iterable[str] = ()) -> str:
    """Level of two unit names: "same" (equal once normalised), "traditional", "core" (equal
    without place names and legal form), "homophone" (same pinyin), "typo" (one character apart,
    not one that tells units apart), "similar", "different"."""
    na, nb = norm_name(a), norm_name(b)
    if na == nb:
        return "same"
    if simplified(a) == simplified(b):
        return "traditional"
    ca, cb = unit_core(a, prefixes), unit_core(b, prefixes)
    if ca == cb:
        return "core"
    if len(ca) == len(cb) and name_keys(ca) & name_keys(cb):
        return "homophone"
    if min(len(ca), len(cb)) >= 4 and one_apart(ca, cb):
        return "typo"
    if fuzz.ratio(ca, cb) >= 85:
        return "similar"
    return "different"


UNIT_PRIOR_LOG2_ODDS = -2.0  # two units at one door plate are usually two shops
UNIT_WEIGHTS: dict[str, dict[str, float]] = {
    "credit_code": {"same": 14.0, "typo": 6.0, "different": -8.0},
    "name": {
        "same": 9.0,
        "traditional": 9.0,
        "core": 8.0,
        "homophone": 6.0,
        "typo": 5.0,
        "similar": 2.0,
        "different": -6.0,
    },
    "address": {"same": 1.0, "door": 0.0, "different": -1.0},
    "legal_rep": {"id": 4.0, "phone": 3.0, "name": 1.5, "different": -1.0},
}


def _credit_level(a: str, b: str) -> str:
    if not a or not b:
        return ""
    if a == b:
        return "same"
    if len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1:
        return "typo"
    if len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 2:
        d = [i for i in range(len(a)) if a[i] != b[i]]
        if d[1] == d[0] + 1 and a[d[0]] == b[d[1]] and a[d[1]] == b[d[0]]:
            return "typo"
    return "different"


def score_units(a: UnitRec, b: UnitRec, prefixes: Iterable[str] = ()) -> PairScore:
    """Compare two units (same credit code anywhere, or any two units at one door plate)."""
    levels: dict[str, str] = {}
    weights: dict[str, float] = {}

    def put(name: str, level: str) -> None:
        if level:
            levels[name] = level
            weights[name] = UNIT_WEIGHTS[name][level]

    put("credit_code", _credit_level(norm_credit(a.credit_code), norm_credit(b.credit_code)))
    put("name", compare_unit_names(a.name, b.name, prefixes))
    if a.address_id and a.address_id == b.address_id:
        put("address", "same")
    elif a.door_id and a.door_id == b.door_id:
        put("address", "door")
    elif a.address_id and b.address_id:
        put("address", "different")
    ia, ib = norm_id("111", a.legal_rep_id), norm_id("111", b.legal_rep_id)
    if ia and ia == ib:
        put("legal_rep", "id")
    elif a.legal_rep_phone and a.legal_rep_phone == b.legal_rep_phone:
        put("legal_rep", "phone")
    elif a.legal_rep_name and simplified(a.legal_rep_name) == simplified(b.legal_rep_name):
        put("legal_rep", "name")
    elif ia and ib:
        put("legal_rep", "different")
    total = UNIT_PRIOR_LOG2_ODDS + sum(weights.values())
    return PairScore(levels, weights, round(total, 2), probability(total))


def unit_rank(u: UnitRec) -> tuple[int, int, int]:
    """Which of two duplicate units to keep: accepted first, one with a credit code, older."""
    return (STATUS_ORDER.get(u.status, 4), 0 if u.credit_code else 1, u.id)


def clear_caches() -> None:
    """Drop the per-name caches (a scan fills them with the county's names)."""
    _LATIN_CACHE.clear()
    _KEYS_CACHE.clear()
    _PERSON_KEYS.clear()
    _PRIMARY.clear()
    for f in (norm_name, simplified, _letters, norm_hukou):
        f.cache_clear()
