"""Token features for the address sequence tagger (pure; no ORM, no Django).

An address is cut into tokens: a run of ASCII digits, a run of ASCII letters, a run of white
space, or any other single character (the labelled set writes numbers as one token, so a digit
run is one decision for the tagger). Tokens are read through a per-character normalisation that
keeps offsets (full-width → half-width, traditional → simplified), so spans found on the
normalised text are spans of the text as given.

Each token gets string features:

* the token and its neighbours (±3) with bigrams and trigrams, digit runs by length only (the
  numbers themselves carry no label information);
* the token's class and its position from either end;
* **lexicon** features: the B/M/E/S position of the token inside every match of an entity string
  seen with a label in the training file, with how reliably that string is that label (its
  "link" share: times labelled over times it occurs), and the label of the longest match. During
  training the lexicon is built *without* the address's own fold (jack-knifing), so the tagger
  learns how far to trust a match for a name it has never seen; at run time the lexicon of the
  whole training file is used;
* **gazetteer** features from the national division list shipped with ybss
  (``ybss/core/data/regions.json``): provinces, cities and counties, full and short names;
* **trigger** features: the nearest character to the left and to the right that usually ends an
  entity of some label (路 → road, 幢 → houseno …), learnt from the training file, with its
  distance, and the label of the trigger after that, so a token deep inside a long name knows
  what kind of name it is in;
* **repeat** features: whether the token lies in a run of Chinese characters that occurs again
  earlier or later in the same address (repeated division names are usually noise, "redundant").

``FEATURE_VERSION`` names this feature set; a model records it and is refused by code with
another one.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

FEATURE_VERSION = 1
TOKEN_RE = re.compile(r"[0-9]+|[A-Za-z]+|\s+|.", re.S)
CHINESE_NUMERALS = frozenset("零〇一二两三四五六七八九十百千")
# Characters that end administrative and address units; a class feature, not a rule.
UNIT_CHARS = {
    "省": "prov",
    "市": "city",
    "州": "city",
    "区": "district",
    "县": "district",
    "旗": "district",
    "镇": "town",
    "乡": "town",
    "街": "road",
    "道": "road",
    "路": "road",
    "巷": "road",
    "弄": "road",
    "里": "road",
    "村": "village",
    "组": "group",
    "社": "village",
    "号": "number",
    "栋": "building",
    "幢": "building",
    "座": "building",
    "楼": "building",
    "单": "unit",
    "元": "unit",
    "层": "floor",
    "室": "room",
    "户": "room",
    "苑": "compound",
    "园": "compound",
    "府": "compound",
    "庭": "compound",
    "寓": "compound",
    "厦": "compound",
    "城": "compound",
    "场": "compound",
    "期": "phase",
    "-": "dash",
    "_": "dash",
    "—": "dash",
    "#": "hash",
}
MAX_LEXICON_TOKENS = 16
MIN_TRIGGER_COUNT = 10
MIN_TRIGGER_SHARE = 0.3


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # lazy: the tagger may be imported where the converter is never needed

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=8192)
def char_key(ch: str) -> str:
    """One character, normalised for features: full-width → half-width, traditional →
    simplified, letters upper-cased. Always one character, so offsets are kept."""
    n = unicodedata.normalize("NFKC", ch)
    if len(n) != 1:
        n = ch
    if n > "\u2e80":
        s = _t2s().convert(n)
        if len(s) == 1:
            n = s
    return n.upper() if n.isascii() else n


@dataclass(frozen=True)
class Token:
    text: str  # normalised text of the token
    start: int  # [start, end) offsets into the text as given
    end: int
    kind: str  # "D" digits, "A" letters, "S" space, "C" any other character

    @property
    def key(self) -> str:
        """One character standing for the token in lexicon strings."""
        if self.kind == "D":
            return "0"
        if self.kind == "A":
            return "A"
        if self.kind == "S":
            return " "
        return self.text


def tokenize(text: str) -> list[Token]:
    """Cut ``text`` into tokens (offsets into ``text`` itself)."""
    norm = "".join(char_key(c) for c in text)
    out = []
    for m in TOKEN_RE.finditer(norm):
        t = m.group()
        c = t[0]
        if c.isascii() and c.isdigit():
            kind = "D"
        elif c.isascii() and c.isalpha():
            kind = "A"
        elif c.isspace():
            kind = "S"
        else:
            kind = "C"
        out.append(Token(t, m.start(), m.end(), kind))
    return out


def lexicon_string(tokens: Sequence[Token]) -> str:
    return "".join(t.key for t in tokens)


def _shape(t: Token) -> str:
    if t.kind == "D":
        return f"<D{min(len(t.text), 6)}>"
    if t.kind == "A":
        return t.text if len(t.text) <= 4 else "<A>"
    if t.kind == "S":
        return "<S>"
    return t.text


def _klass(t: Token) -> str:
    if t.kind != "C":
        return t.kind
    c = t.text
    if c in CHINESE_NUMERALS:
        return "N"
    if c in UNIT_CHARS:
        return "U" + UNIT_CHARS[c]
    if unicodedata.category(c).startswith("P") or unicodedata.category(c).startswith("S"):
        return "P"
    if "\u4e00" <= c <= "\u9fff":
        return "H"
    return "O"


class Lexicon:
    """Entity strings (token-key strings) → {label: how reliably the string is that label}.

    The reliability is a bucket of "times seen as an entity of the label" over "times the string
    occurs in the training texts at all": ``h`` (≥ 0.7), ``m`` (≥ 0.3), ``l``; ``""`` when the
    lexicon was not built from texts (a gazetteer)."""

    def __init__(self, entries: dict[str, dict[str, str]] | None = None) -> None:
        self.entries: dict[str, dict[str, str]] = entries or {}
        self.max_len = max((len(k) for k in self.entries), default=0)

    @classmethod
    def build(cls, entities: Iterable[tuple[str, str]], texts: Iterable[str] | None = None) -> Lexicon:
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        for key, label in entities:
            # a key made only of number/letter placeholders ("0", "0A") says nothing
            if 1 <= len(key) <= MAX_LEXICON_TOKENS and key.strip("0A "):
                counts[key][label] += 1
        if texts is None:
            return cls({k: dict.fromkeys(c, "") for k, c in counts.items()})
        maxl = max((len(k) for k in counts), default=0)
        seen: Counter[str] = Counter()
        for text in texts:
            n = len(text)
            for i in range(n):
                for j in range(i + 1, min(n, i + maxl) + 1):
                    if text[i:j] in counts:
                        seen[text[i:j]] += 1
        entries = {}
        for key, c in counts.items():
            total = max(seen[key], sum(c.values()))
            entries[key] = {lab: _bucket(m / total) for lab, m in c.items()}
        return cls(entries)

    def positions(self, key: str, prefix: str) -> list[list[str]]:
        """For each token of ``key``, the features ``prefix:label:B|M|E|S`` (and the same with the
        reliability bucket) of every match, and ``prefix+X:…`` for the longest match."""
        n = len(key)
        out: list[set[str]] = [set() for _ in range(n)]
        longest: list[int] = [0] * n
        best: list[list[str]] = [[] for _ in range(n)]
        entries = self.entries
        maxl = self.max_len
        for i in range(n):
            for j in range(i + 1, min(n, i + maxl) + 1):
                labels = entries.get(key[i:j])
                if not labels:
                    continue
                size = j - i
                for lab, bucket in labels.items():
                    for k in range(i, j):
                        pos = "S" if size == 1 else ("B" if k == i else ("E" if k == j - 1 else "M"))
                        out[k].add(f"{prefix}:{lab}:{pos}")
                        if bucket:
                            out[k].add(f"{prefix}:{lab}:{pos}:{bucket}")
                for k in range(i, j):
                    if size > longest[k]:
                        longest[k] = size
                        pos = "S" if size == 1 else ("B" if k == i else ("E" if k == j - 1 else "M"))
                        best[k] = [f"{prefix}X:{lab}:{pos}" for lab in labels]
        return [sorted(s) + best[k] for k, s in enumerate(out)]

    def to_json(self) -> dict[str, dict[str, str]]:
        return {k: dict(sorted(v.items())) for k, v in sorted(self.entries.items())}

    @classmethod
    def from_json(cls, data: dict[str, dict[str, str]]) -> Lexicon:
        return cls({k: dict(v) for k, v in data.items()})


def _bucket(share: float) -> str:
    return "h" if share >= 0.7 else ("m" if share >= 0.3 else "l")


@lru_cache(maxsize=1)
def division_gazetteer() -> Lexicon:
    """Provinces, cities and counties of China (full and short names) from regions.json."""
    path = Path(__file__).resolve().parents[2] / "core" / "data" / "regions.json"
    regions = json.loads(path.read_text(encoding="utf-8"))["regions"]
    entries: dict[str, dict[str, str]] = defaultdict(dict)
    suffixes = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "地区", "盟")
    for code, name in regions.items():
        if code.endswith("0000"):
            label = "prov"
        elif code.endswith("00"):
            label = "city"
        else:
            label = "district"
        entries[name][label] = ""
        short = name
        for suf in (*suffixes, "省", "市", "区", "县", "旗"):
            if short.endswith(suf) and len(short) - len(suf) >= 2:
                short = short[: -len(suf)]
                break
        if short != name:
            entries[short][label] = ""
    return Lexicon(dict(entries))


@dataclass
class Triggers:
    """Characters that usually end an entity of one label: token key → label."""

    ends: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, sentences: Iterable[tuple[list[Token], list[str]]]) -> Triggers:
        seen: Counter[str] = Counter()
        ending: dict[str, Counter[str]] = defaultdict(Counter)
        for tokens, tags in sentences:
            for i, t in enumerate(tokens):
                if t.kind != "C":
                    continue
                seen[t.key] += 1
                nxt = tags[i + 1] if i + 1 < len(tags) else "O"
                if tags[i] != "O" and not nxt.startswith("I-"):
                    ending[t.key][tags[i][2:]] += 1
        ends = {}
        for key, labels in ending.items():
            label, n = labels.most_common(1)[0]
            if n >= MIN_TRIGGER_COUNT and n / seen[key] >= MIN_TRIGGER_SHARE:
                ends[key] = label
        return cls(ends)


def _repeats(key: str, tokens: Sequence[Token]) -> list[list[str]]:
    """Marks tokens inside a run of two or three Chinese characters that occurs elsewhere in the
    same address, before (``RP``) or after (``RN``): repeated division names are usually noise."""
    n = len(key)
    out: list[list[str]] = [[] for _ in range(n)]
    for size in (2, 3):
        where: dict[str, list[int]] = defaultdict(list)
        for i in range(n - size + 1):
            if all(tokens[k].kind == "C" and "\u4e00" <= key[k] <= "\u9fff" for k in range(i, i + size)):
                where[key[i : i + size]].append(i)
        for positions in where.values():
            if len(positions) < 2:
                continue
            first, last = positions[0], positions[-1]
            for p in positions:
                tags = []
                if p > first:
                    tags.append(f"RP{size}")
                if p < last:
                    tags.append(f"RN{size}")
                for k in range(p, p + size):
                    for t in tags:
                        if t not in out[k]:
                            out[k].append(t)
    return out


def _dist(d: int) -> str:
    return str(d) if d <= 4 else ("5-7" if d <= 7 else "8+")


def token_features(
    tokens: Sequence[Token],
    *,
    lexicon: Lexicon,
    triggers: Triggers,
    gazetteer: Lexicon | None = None,
) -> list[list[str]]:
    """The feature strings of every token (see the module docstring)."""
    n = len(tokens)
    shapes = [_shape(t) for t in tokens]
    klass = [_klass(t) for t in tokens]
    key = lexicon_string(tokens)
    lex = lexicon.positions(key, "L")
    gaz = gazetteer.positions(key, "G") if gazetteer is not None else [[] for _ in range(n)]
    rep = _repeats(key, tokens)
    ends = triggers.ends
    trig = [ends.get(k) if tokens[i].kind == "C" else None for i, k in enumerate(key)]
    right: list[tuple[str, int] | None] = [None] * n
    right2: list[str] = ["<EOS>"] * n
    nxt: tuple[str, int] | None = None
    nxt2 = "<EOS>"
    for i in range(n - 1, -1, -1):
        right[i] = nxt
        right2[i] = nxt2
        if trig[i] is not None:
            nxt2 = ends[nxt[0]] if nxt is not None else "<EOS>"
            nxt = (key[i], i)
    left: list[tuple[str, int] | None] = [None] * n
    left2: list[str] = ["<BOS>"] * n
    prev: tuple[str, int] | None = None
    prev2 = "<BOS>"
    for i in range(n):
        left[i] = prev
        left2[i] = prev2
        if trig[i] is not None:
            prev2 = ends[prev[0]] if prev is not None else "<BOS>"
            prev = (key[i], i)

    def w(i: int) -> str:
        return shapes[i] if 0 <= i < n else ("<BOS>" if i < 0 else "<EOS>")

    def c(i: int) -> str:
        return klass[i] if 0 <= i < n else "_"

    out = []
    for i in range(n):
        f = [
            "b",
            "w=" + w(i),
            "w-1=" + w(i - 1),
            "w+1=" + w(i + 1),
            "w-2=" + w(i - 2),
            "w+2=" + w(i + 2),
            "w-3=" + w(i - 3),
            "w+3=" + w(i + 3),
            "w-2w-1=" + w(i - 2) + w(i - 1),
            "w-1w=" + w(i - 1) + w(i),
            "ww+1=" + w(i) + w(i + 1),
            "w+1w+2=" + w(i + 1) + w(i + 2),
            "w-1w+1=" + w(i - 1) + w(i + 1),
            "w-2w-1w=" + w(i - 2) + w(i - 1) + w(i),
            "w-1ww+1=" + w(i - 1) + w(i) + w(i + 1),
            "ww+1w+2=" + w(i) + w(i + 1) + w(i + 2),
            "c=" + c(i),
            "c-1c=" + c(i - 1) + c(i),
            "cc+1=" + c(i) + c(i + 1),
            "c-1cc+1=" + c(i - 1) + c(i) + c(i + 1),
            "pos=" + _dist(i),
            "rpos=" + _dist(n - 1 - i),
        ]
        f.extend(lex[i])
        f.extend(gaz[i])
        f.extend(rep[i])
        t = trig[i]
        if t is not None:
            f.append("T=" + t)
        r = right[i]
        if r is not None:
            lab = ends[r[0]]
            f.append("R=" + lab)
            f.append("R=" + lab + "@" + _dist(r[1] - i))
            f.append("Rc=" + r[0])
            f.append("RR=" + lab + ">" + right2[i])
        else:
            f.append("R=<EOS>")
        lt = left[i]
        if lt is not None:
            lab = ends[lt[0]]
            f.append("Lt=" + lab)
            f.append("Lt=" + lab + "@" + _dist(i - lt[1]))
            f.append("LL=" + left2[i] + ">" + lab)
        else:
            f.append("Lt=<BOS>")
        out.append(f)
    return out
