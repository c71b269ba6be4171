"""The rule-based reader of Chinese addresses: gazetteer + a few compiled patterns (pure).

:func:`analyse` turns a text into tokens, each a police level with a canonical value and a
``[start, end)`` span into the original text. The steps:

1. :func:`ybss.addresses.parsing.text.clean`: NFKC, traditional → simplified, no punctuation.
2. The gazetteer's automaton finds the names it knows (leftmost-longest). Each match is accepted
   only when it fits what was read before it: a division must lie inside the last division read
   and below it; short forms of provinces, cities and counties (渭南, 合阳) only in the leading run
   of divisions; another county's short form only under its own province or city; the county's
   streets, compounds and groups only inside the county (and a group inside its village).
   Accepted names are protected: their numerals stay as they are (三池村, 路一村, 七一村).
3. Between the names: Chinese numerals that count something become digits (三组 → 3组, 十二号楼 →
   12号楼, 二〇一室 → 201室, 负一层/地下一层 → -1层), then one pattern reads numbers with their
   unit words (号, 附N号, 号楼/栋/幢/座, 单元, 层/楼, 室/户, 组, the 12-3-1001 and 3-1001 shorthands)
   and another reads unknown names by their suffix (…镇, …村, …路, …小区).
4. A last pass decides what bare numbers and ambiguous words are from their neighbours (凤凰路18
   → door number; 3号楼2单元501 → room; 3楼2单元 → building, 5楼501 → floor).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ybss.addresses.naming import building_label

from .gazetteer import Entry, Gazetteer
from .numerals import cn_to_int
from .text import clean

_PREFIX_LEN = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}
DIVISION_LEVELS = ("province", "city", "county", "town", "community", "village")
_RANK = {"province": 1, "city": 2, "county": 3, "town": 4, "community": 5, "village": 5}
#: Levels below the divisions, for :func:`_assign`'s check of division suffixes inside names.
_BELOW = {"group", "road", "door_number", "compound", "building", "unit", "floor", "room", "poi"}
_DEEPER = _BELOW | set(_RANK)

_CN = "零〇○一二两三四五六七八九十百千"
_UNIT_WORDS = "号楼|号|栋|幢|座|单元|层|楼|室|户|村民小组|小组|组|队"
#: Chinese numerals that count something: before a unit word, or after 附/第.
_CN_NUMBER = re.compile(
    rf"(?P<neg>负|地下)?(?P<num>[{_CN}]+)(?=(?:{_UNIT_WORDS}))"
    rf"|(?:(?<=[附第层楼室])|(?<=单元))(?P<num2>[{_CN}]+)"
    r"|(?P<num3>[一二三四五六七八九][〇零○][〇零○一二三四五六七八九]+)"  # 五〇一: read digit by digit
)
_NEG_DIGITS = re.compile(r"(?:负|地下)(?=\d+(?:层|楼))")
_MAYBE_NUMERAL = re.compile(f"[{_CN}负地]")

_NUM = re.compile(
    r"(?P<s3>(?P<s3a>[A-Z]?\d+)-(?P<s3b>\d+)-(?P<s3c>B?\d+)(?:室|号|户)?)"
    r"|(?P<bld>第?(?P<bn>[A-Z]?\d+[A-Z]?|[A-Z])(?:号楼|号栋|号幢|号座|栋|幢|座|#楼|#))"
    r"|(?P<s2>(?P<s2a>\d+)-(?P<s2b>B?\d+)(?P<s2s>号|室|户)?)"
    r"|(?P<sub>[附之](?P<subn>\d+)号?)"
    r"|(?P<door>(?P<dn>\d+)[号弄](?P<dy>院)?)"
    r"|(?P<unit>第?(?P<un>\d+|[A-Z])单元)"
    r"|(?P<floor>第?(?P<fn>-?\d+)层|B(?P<fb>\d{1,2})层?(?!\d)|(?P<fl>-?\d+)楼)"
    r"|(?P<room>(?P<rn>B?\d+)(?:室|户|房|号房))"
    r"|(?P<group>第?(?P<gn>\d+)(?:村民小组|小组|组|队))"
    r"|(?P<num>[A-Z]?\d+[A-Z]?)"
)
_NAME = re.compile(
    r"(?P<country>中华人民共和国|中国)"
    r"|(?P<assist>斜对面|对面|对过|旁边|门口|附近|隔壁|东侧|西侧|南侧|北侧|往东|往西|往南|往北|交叉口|路口)"
    r"|(?P<name>[^\d]+?)(?P<suffix>街道办事处|街道办|街道|镇|乡|社区|居委会|村委会|新村|村|经济开发区|开发区|"
    r"工业园区|工业园|高新区|大道|大街|路|街|巷|胡同|弄|小区|花园|家园|公寓|佳苑|雅苑|苑|华庭|名邸|山庄|家属院|"
    r"家属楼|大院|广场|大厦|自治县|县|区|市(?!场))"
)
_SUFFIX_LEVEL = {
    "街道办事处": "town",
    "街道办": "town",
    "街道": "town",
    "镇": "town",
    "乡": "town",
    "社区": "community",
    "居委会": "community",
    "村委会": "village",
    "村": "village",
    "经济开发区": "devzone",
    "开发区": "devzone",
    "工业园区": "devzone",
    "工业园": "devzone",
    "高新区": "devzone",
    "大道": "road",
    "大街": "road",
    "路": "road",
    "街": "road",
    "巷": "road",
    "胡同": "road",
    "弄": "road",
    "自治县": "county",
    "县": "county",
    "区": "county",
    "市": "city",
}


@dataclass(slots=True)
class Token:
    """One piece of the cleaned text: ``level`` is a police level, or ``country``/``assist``/
    ``devzone``/``other``/``redundant``; ``start``/``end`` index the cleaned text."""

    level: str
    start: int
    end: int
    value: str
    code: str = ""
    kind: str = ""  # the pattern that read it ("bld", "num", "name", "gaz", …)
    #: for numbers: the pattern's groups as (text, start, end) in the cleaned text
    parts: tuple[tuple[str, int, int], ...] = ()


@dataclass(slots=True)
class Analysis:
    text: str
    cleaned: str
    offsets: list[int] | None
    tokens: list[Token]
    codes: dict[str, str]

    def span(self, tok: Token) -> tuple[int, int]:
        """``tok``'s ``[start, end)`` in the original text."""
        o = self.offsets
        if o is None:
            return tok.start, tok.end
        return o[tok.start], (o[tok.end - 1] + 1 if tok.end > tok.start else o[tok.start])


def _as_number(value: str) -> str | None:
    """The number ``value`` writes, in Arabic digits without leading zeros: "0501" → "501",
    "１８" (full-width) → "18", "十八" → "18"; None when it is not a plain number."""
    v = value.strip().removesuffix("号")
    if v.isdecimal():  # also full-width digits, which int() reads (not superscripts)
        return str(int(v))
    n = cn_to_int(v)
    return None if n is None else str(n)


def canon_number(value: str) -> str:
    """Digits without leading zeros ("0501" → "501", "十八" → "18"); anything else upper-cased."""
    number = _as_number(value) if value else None
    if number is not None:
        return number
    return value.upper()


_BUILDING_SUFFIX = re.compile(r"(?:号楼|号栋|号幢|号座|栋|幢|座|#楼|#|号|楼)$")


def canon_building(value: str) -> str:
    """A building as compared: "3号楼", "3栋", "第3幢", "03" → "3"; "A座" stays "A座"."""
    v = value.strip().upper().removeprefix("第")
    stem = _BUILDING_SUFFIX.sub("", v)
    number = _as_number(stem) if stem else None
    if number is not None:
        return number
    return v


_NUMBER_PART = re.compile(r"-?B?[A-Z]?\d+[A-Z]?|[A-Z]")
_FLOOR = re.compile(r"第?(-?)(B?)(\d+)")


def numeric_value(level: str, text: str) -> str:
    """The canonical value of a numbered part from its text (digits already Arabic):
    building via :func:`canon_building`; floor as a signed integer (B1 → -1); door number,
    sub-number, group, unit and room as :func:`canon_number` of their number (18号 → 18,
    附3号 → 3, 第2单元 → 2, 0501室 → 501, B101室 → B101)."""
    if level == "building":
        return canon_building(text)
    if level == "floor":
        m = _FLOOR.match(text.removeprefix("第"))
        if m is None:
            return text
        n = int(m.group(3))
        return str(-n if (m.group(1) or m.group(2)) else n)
    m = _NUMBER_PART.search(text)
    return canon_number(m.group(0)) if m else text


# --------------------------------------------------------------------------------------------
# Step 2: the gazetteer pass


class _Context:
    __slots__ = ("code", "element", "foreign", "lead_end", "rank")

    def __init__(self) -> None:
        self.code = ""  # the deepest division accepted so far
        self.rank = 0
        self.lead_end = 0  # end of the leading run of divisions (short forms are accepted there)
        self.foreign = False  # a division outside the home county was read
        self.element = False  # a street, compound or group was read: no division after it


def _inside(code: str, ctx_code: str, ctx_rank: int) -> bool:
    return not ctx_code or code.startswith(ctx_code[: _PREFIX_LEN[ctx_rank]])


def _choose(gz: Gazetteer, entries: tuple[Entry, ...], start: int, ctx: _Context) -> list[Entry]:
    """The entries under one surface that fit the context (several when a name is ambiguous)."""
    fit: list[Entry] = []
    for e in entries:
        if e.rank <= 5:
            if e.rank <= ctx.rank or ctx.element:
                continue
            if not _inside(e.code, ctx.code, ctx.rank):
                continue
            if e.rank <= 3 and e.short:
                if start > ctx.lead_end:
                    continue
                if not e.home and not ctx.code:
                    continue  # another county's short form needs its province or city first
            if e.rank >= 4 and not ctx.code and not e.home:
                continue
        else:
            if ctx.foreign or not e.home:
                continue
            if e.level == "group":
                if ctx.rank == 5 and e.code != ctx.code:
                    continue
            elif ctx.code and not e.code.startswith(ctx.code[: _PREFIX_LEN[min(ctx.rank, 4)]]):
                continue
        fit.append(e)
    if len(fit) > 1:
        # prefer the home county's and the full forms; keep ties (an ambiguous name)
        best = min((not e.home, e.short) for e in fit)
        fit = [e for e in fit if (not e.home, e.short) == best]
        if len({e.rank for e in fit}) > 1:
            top = min(e.rank for e in fit)
            fit = [e for e in fit if e.rank == top]
    return fit


def _choose_cached(gz: Gazetteer, entries: tuple[Entry, ...], start: int, ctx: _Context) -> list[Entry]:
    key = (id(entries), ctx.code, ctx.rank, start <= ctx.lead_end, ctx.foreign, ctx.element)
    memo = gz.memo
    found = memo.get(key)
    if found is None:
        if len(memo) > 200_000:
            memo.clear()
        found = memo[key] = _choose(gz, entries, start, ctx)
    return found


def _gazetteer_tokens(gz: Gazetteer, t: str) -> list[Token]:
    ctx = _Context()
    if t.startswith("中华人民共和国"):
        ctx.lead_end = 7
    elif t.startswith("中国"):
        ctx.lead_end = 2
    out: list[Token] = []
    last_end = 0
    # another county's short form (金华) waits for the division after it (永康市) to confirm it
    pending: tuple[int, int, tuple[Entry, ...]] | None = None
    scan_from = 0
    while gz.size and scan_from < len(t):
        restart = -1
        for end_i, (surface, entries) in gz.automaton.iter_long(t, scan_from):
            start = end_i - len(surface) + 1
            if start < last_end:
                continue
            fit = _choose_cached(gz, entries, start, ctx)
            if not fit and len(surface) > 2:
                for k in range(len(surface) - 1, 1, -1):  # a shorter name at the same place
                    shorter = gz.lookup(surface[:k])
                    if shorter:
                        fit = _choose(gz, shorter, start, ctx)
                        if fit:
                            surface = surface[:k]
                            break
            if not fit:
                if not ctx.code and start <= ctx.lead_end:
                    pending = (start, start + len(surface), entries)
                restart = start + 1  # a name may begin inside the rejected one (合山|东省 → 山东省)
                break
            end = start + len(surface)
            e = fit[0]
            code = e.code if len({f.code for f in fit}) == 1 else ""
            if pending is not None and pending[1] == start and code and e.rank <= 5:
                for p in pending[2]:
                    if p.rank < e.rank and code.startswith(p.code[: _PREFIX_LEN[p.rank]]):
                        out.append(Token(p.level, pending[0], pending[1], p.name, p.code, "gaz"))
                        break
            pending = None
            if e.rank <= 5:
                if code:
                    ctx.code, ctx.rank = code, e.rank
                    if not e.home:
                        ctx.foreign = True
                if start <= ctx.lead_end:
                    ctx.lead_end = end
            else:
                ctx.element = True  # no division after a street or compound
            out.append(Token(e.level, start, end, e.name, code, "gaz"))
            last_end = end
        if restart < 0:
            break
        scan_from = restart
    return out


# --------------------------------------------------------------------------------------------
# Step 3: numerals and patterns between the names


def _convert_numerals(s: str) -> tuple[str, list[int] | None, list[int] | None]:
    """Chinese numerals that count something → digits; returns the text and, when it changed,
    the start and end index in ``s`` of every character of the result."""
    if _MAYBE_NUMERAL.search(s) is None:
        return s, None, None
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    changed = False

    def keep(a: int, b: int) -> None:
        parts.append(s[a:b])
        starts.extend(range(a, b))
        ends.extend(range(a + 1, b + 1))

    for m in _CN_NUMBER.finditer(s):
        group = "num" if m.group("num") else ("num2" if m.group("num2") else "num3")
        value = cn_to_int(m.group(group))
        if value is None:
            continue
        keep(pos, m.start())
        digits = ("-" if m.group("neg") else "") + str(value)
        parts.append(digits)
        starts.extend([m.start()] * len(digits))
        ends.extend([m.end()] * len(digits))
        pos = m.end()
        changed = True
    if not changed:
        m2 = _NEG_DIGITS.search(s)
        if m2 is None:
            return s, None, None
    keep(pos, len(s))
    out = "".join(parts)
    if _NEG_DIGITS.search(out):  # 负1层 / 地下2层 → -1层 / -2层
        parts2: list[str] = []
        st2: list[int] = []
        en2: list[int] = []
        p = 0
        for m in _NEG_DIGITS.finditer(out):
            parts2.append(out[p : m.start()])
            st2.extend(starts[p : m.start()])
            en2.extend(ends[p : m.start()])
            parts2.append("-")
            st2.append(starts[m.start()])
            en2.append(ends[m.end() - 1])
            p = m.end()
        parts2.append(out[p:])
        st2.extend(starts[p:])
        en2.extend(ends[p:])
        out, starts, ends = "".join(parts2), st2, en2
    return out, starts, ends


def _name_tokens(run: str, base: int, out: list[Token]) -> None:
    """Unknown names in a run without digits, typed by their suffix."""
    pos = 0
    for m in _NAME.finditer(run):
        if m.start() > pos:
            out.append(Token("other", base + pos, base + m.start(), run[pos : m.start()], kind="name"))
        if m.group("country"):
            out.append(Token("country", base + m.start(), base + m.end(), m.group(0), kind="name"))
        elif m.group("assist"):
            out.append(Token("assist", base + m.start(), base + m.end(), m.group(0), kind="name"))
        else:
            level = _SUFFIX_LEVEL.get(m.group("suffix"), "compound")
            if level == "village" and m.group("suffix") == "村委会":
                value = m.group("name") + "村"
            else:
                value = m.group(0)
            out.append(Token(level, base + m.start(), base + m.end(), value, kind="name"))
        pos = m.end()
    if pos < len(run):
        out.append(Token("other", base + pos, base + len(run), run[pos:], kind="name"))


def _gap_tokens(t: str, a: int, b: int, out: list[Token]) -> None:
    gap, starts, ends = _convert_numerals(t[a:b])

    def at(i: int, j: int) -> tuple[int, int]:
        if starts is None or ends is None:
            return a + i, a + j
        return a + starts[i], a + ends[j - 1]

    pos = 0
    tokens: list[Token] = []
    for m in _NUM.finditer(gap):
        if m.start() > pos:
            _name_run(gap, pos, m.start(), at, tokens)
        s, e = at(m.start(), m.end())
        kind = _kind(m)
        parts = []
        for name in _GROUPS[kind]:
            text = m.group(name)
            if text is None:
                parts.append(("", s, s))
            else:
                ps, pe = m.span(name)
                if name in _TO_END:
                    pe = m.end()
                parts.append((text, *at(ps, pe)))
        tokens.append(Token("", s, e, m.group(0), kind=kind, parts=tuple(parts)))
        pos = m.end()
    if pos < len(gap):
        _name_run(gap, pos, len(gap), at, tokens)
    out.extend(tokens)


def _name_run(gap: str, i: int, j: int, at, tokens: list[Token]) -> None:  # type: ignore[no-untyped-def]
    run = gap[i:j]
    if run == "-":
        return
    found: list[Token] = []
    _name_tokens(run, 0, found)
    for tok in found:
        s, e = at(i + tok.start, i + tok.end)
        tok.start, tok.end = s, e
        tokens.append(tok)


#: The groups of :data:`_NUM` each kind of match carries, in order.
_GROUPS = {
    "s3": ("s3a", "s3b", "s3c"),
    "bld": ("bn",),
    "s2": ("s2a", "s2b", "s2s"),
    "sub": ("subn",),
    "door": ("dn",),
    "unit": ("un",),
    "floor": ("fn", "fb", "fl"),
    "room": ("rn",),
    "group": ("gn",),
    "num": ("num",),
}
#: Groups whose span runs on to the end of the match (the unit word belongs to the last part).
_TO_END = {"s3c", "s2b"}


def _kind(m: re.Match[str]) -> str:
    return m.lastgroup or "num"


# --------------------------------------------------------------------------------------------
# Step 4: deciding from the neighbours


_PLACES = ("road", "group", "village", "community")


def _assign(tokens: list[Token]) -> list[Token]:
    """Decide the level of every number and of repeated names from their neighbours."""
    out: list[Token] = []
    seen: dict[str, str] = {}
    last_place = ""  # the last place-like level read (road, group, village, compound …)
    n = len(tokens)

    def put(level: str, text: str, start: int, end: int, kind: str) -> None:
        value = numeric_value(level, text)
        out.append(Token(level, start, end, value, kind=kind))
        seen[level] = value

    def put_part(level: str, part: tuple[str, int, int], kind: str) -> None:
        put(level, part[0], part[1], part[2], kind)

    def other(tok: Token) -> None:
        tok.level = "other"
        out.append(tok)

    for i, tok in enumerate(tokens):
        kind = tok.kind
        if kind in ("gaz", "name"):
            level = tok.level
            if level in ("other", "assist", "country", "devzone"):
                if level == "other" and len(tok.value) >= 2 and "poi" not in seen and last_place:
                    tok.level = "poi"
                    seen["poi"] = tok.value
                out.append(tok)
                continue
            deeper = kind == "name" and level in _RANK
            if deeper and any(_RANK.get(x, 6) > _RANK[level] for x in seen if x in _DEEPER):
                tok.level = "other"  # a division suffix after lower levels: in a name (超市)
                out.append(tok)
                continue
            if level in seen:
                repeated = seen[level] == tok.value
                tok.level = "redundant" if repeated else ("poi" if level != "poi" else "other")
                out.append(tok)
                continue
            if level in _PLACES or level in ("compound", "town"):
                last_place = level
            seen[level] = tok.value
            out.append(tok)
            continue
        p = tok.parts
        has = seen.__contains__
        text = tok.value
        if kind == "bld":
            if has("building"):
                other(tok)
            else:
                put("building", text, tok.start, tok.end, kind)
        elif kind == "s3":
            if has("building"):
                other(tok)
            else:
                put_part("building", p[0], kind)
                put_part("unit", p[1], kind)
                put_part("room", p[2], kind)
        elif kind == "s2":
            a, b, suffix = p[0], p[1], p[2][0]
            at_place = last_place in _PLACES and not has("door_number")
            if at_place and (suffix == "号" or not suffix):
                put_part("door_number", a, kind)
                put_part("sub_number", b, kind)
            elif has("building") and not has("unit") and not has("room"):
                put_part("unit", a, kind)
                put_part("room", b, kind)
            elif not has("building") and not has("room"):
                put_part("building", a, kind)
                put_part("room", b, kind)
            else:
                other(tok)
        elif kind == "sub":
            if has("door_number") and not has("sub_number"):
                put("sub_number", text, tok.start, tok.end, kind)
            else:
                other(tok)
        elif kind == "door":
            if has("building") or has("unit") or has("floor"):
                if has("room"):
                    other(tok)
                else:
                    put("room", text, tok.start, tok.end, kind)
            elif has("door_number"):
                if has("building"):
                    other(tok)
                else:
                    put("building", text, tok.start, tok.end, kind)  # 832弄125号: the house in the lane
            elif last_place == "compound" and not has("road") and not has("group"):
                put("building", text, tok.start, tok.end, kind)  # 金水小区3号 = its building 3
            else:
                put("door_number", text, tok.start, tok.end, kind)
        elif kind == "unit":
            if has("unit"):
                other(tok)
            else:
                put("unit", text, tok.start, tok.end, kind)
        elif kind == "floor":
            nxt = tokens[i + 1] if i + 1 < n else None
            if p[2][0] and not has("building") and nxt is not None and nxt.kind in ("unit", "s2"):
                put("building", text, tok.start, tok.end, kind)  # 3楼2单元: building 3
            elif has("floor"):
                other(tok)
            else:
                put("floor", text, tok.start, tok.end, kind)
        elif kind == "room":
            if has("room"):
                other(tok)
            else:
                put("room", text, tok.start, tok.end, kind)
        elif kind == "group":
            if has("group"):
                other(tok)
            else:
                put("group", text, tok.start, tok.end, kind)
                last_place = "group"
        else:  # a bare number
            if (has("building") or has("unit") or has("floor")) and not has("room"):
                put("room", text, tok.start, tok.end, kind)
            elif last_place in _PLACES and not (has("door_number") or has("room") or has("building")):
                put("door_number", text, tok.start, tok.end, kind)
            elif has("compound") and not has("building"):
                put("building", text, tok.start, tok.end, kind)
            else:
                other(tok)
    return out


# --------------------------------------------------------------------------------------------


def analyse(text: str, gz: Gazetteer) -> Analysis:
    """Read ``text`` with the gazetteer ``gz`` (see the module docstring)."""
    t, offsets = clean(text, gz.keep)
    gaz = _gazetteer_tokens(gz, t)
    tokens: list[Token] = []
    pos = 0
    for g in gaz:
        if g.start > pos:
            _gap_tokens(t, pos, g.start, tokens)
        tokens.append(g)
        pos = g.end
    if pos < len(t):
        _gap_tokens(t, pos, len(t), tokens)
    tokens = _assign(tokens)
    codes: dict[str, str] = {}
    for tok in tokens:
        if tok.code and tok.level in _RANK:
            codes[tok.level] = tok.code
    _complete_codes(gz, codes)
    return Analysis(text, t, offsets, tokens, codes)


def _complete_codes(gz: Gazetteer, codes: dict[str, str]) -> None:
    """Fill in the divisions above the deepest one recognised (合阳县 → 陕西省, 渭南市)."""
    deepest = ""
    for known in DIVISION_LEVELS:
        if known in codes:
            deepest = codes[known]
    if not deepest:
        return
    for d in gz.chain(deepest):
        level = {1: "province", 2: "city", 3: "county", 4: "town"}.get(d.rank)
        if level is None:
            level = "community" if d.name.endswith(("社区", "居委会")) else "village"
        codes.setdefault(level, d.code)


def values_of(a: Analysis, gz: Gazetteer) -> dict[str, str]:
    """Canonical value per police level (divisions completed upwards from the deepest known)."""
    values: dict[str, str] = {}
    for tok in a.tokens:
        if tok.level not in _NOT_VALUES:
            values.setdefault(tok.level, tok.value)
    for level, code in a.codes.items():
        if level not in values:
            d = gz.divisions.get(code)
            if d is not None:
                values[level] = d.name
    return values


_NOT_VALUES = frozenset(("other", "assist", "country", "redundant", "devzone"))
_RENDER = {
    "group": "{}组",
    "door_number": "{}号",
    "sub_number": "附{}号",
    "unit": "{}单元",
    "floor": "{}层",
    "room": "{}室",
}


def render(a: Analysis, gz: Gazetteer) -> str:
    """The canonical text: the division chain in full names, then each part in canonical form
    (18号, 附3号, 12号楼, 3单元, -1层, 1001室), unknown text as cleaned, noise dropped."""
    head: list[str] = []
    chain_levels: set[str] = set()
    for level in DIVISION_LEVELS:
        code = a.codes.get(level)
        if code and level not in chain_levels:
            d = gz.divisions.get(code)
            if d is not None:
                head.append(d.name)
                chain_levels.add(level)
    out: list[str] = []
    pending_head = "".join(head)
    for tok in a.tokens:
        level = tok.level
        if level in chain_levels:
            if pending_head:  # the chain goes where the first division was written
                out.append(pending_head)
                pending_head = ""
            continue
        if level == "redundant":
            continue
        if level in _NOT_VALUES:
            out.append(a.cleaned[tok.start : tok.end] if tok.kind != "name" else tok.value)
        else:
            out.append(_render_one(level, tok.value))
    return pending_head + "".join(out)


def _render_one(level: str, value: str) -> str:
    if level == "building":
        return building_label(value)
    fmt = _RENDER.get(level)
    return fmt.format(value) if fmt else value
