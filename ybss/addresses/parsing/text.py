"""Character-level clean-up of an address text, keeping a map back to the original offsets (pure).

:func:`clean` applies, in order: NFKC (full-width → half-width, circled digits …), traditional →
simplified Chinese (OpenCC ``t2s``, only when the text holds a character it would change), the
removal of spaces, punctuation and invisible marks, dash variants → ``-``, ``#`` kept, and ASCII
letters upper-cased. It returns the cleaned text and, when any character moved, the original index
of every cleaned character (``None`` when the two line up one to one).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache

#: Removed: whitespace, punctuation that never carries address meaning, invisible format marks.
_NOISE_CHARS = (
    " \t\r\n\u3000\u00a0,，。.、;；:：\"'“”‘’`()（）[]【】{}<>《》〈〉「」『』!！?？*…·•/\\|_=+@$%^&"
    "\u00ad\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"
)
_NOISE_RE = re.compile("[" + re.escape(_NOISE_CHARS) + "]")
_DASHES = "‐‑‒–—―−~～﹘﹣"
_CHAR_MAP: dict[int, int | str | None] = {ord(c): "-" for c in _DASHES} | {ord(c): None for c in _NOISE_CHARS}
_CHAR_MAP |= {c: c - 32 for c in range(ord("a"), ord("z") + 1)}
_NEEDS_MAP_RE = re.compile("[" + re.escape(_NOISE_CHARS + _DASHES) + "a-z]")


@cache
def _t2s():  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC("t2s")


@cache
def _traditional_re() -> re.Pattern[str]:
    """The characters OpenCC's t2s changes on their own (computed once from the CJK blocks)."""
    chars = [chr(c) for c in range(0x3400, 0x4DC0)] + [chr(c) for c in range(0x4E00, 0xA000)]
    converted = _t2s().convert("\n".join(chars)).split("\n")
    changed = [a for a, b in zip(chars, converted, strict=False) if a != b]
    return re.compile("[" + "".join(changed) + "]")


@cache
def shipped_keep() -> frozenset[str]:
    """Characters of the shipped place names that t2s would change (乾 of 乾县 and 乾落社区 is
    simplified Chinese too): they are never converted."""
    from ybss.core.data import heyang, regions

    names = list(regions().values())
    tree = heyang()
    for town in tree["towns"]:
        names.append(town["name"])
        names.extend(v["name"] for v in town["villages"])
    return keep_of(names)


def keep_of(names: Iterable[str]) -> frozenset[str]:
    """The characters of ``names`` that t2s would change on their own."""
    pattern = _traditional_re()
    return frozenset(c for name in names for c in pattern.findall(name))


def to_simplified(text: str, keep: frozenset[str] | None = None) -> str:
    """Traditional → simplified (phrase-aware OpenCC), skipped when nothing would change; the
    characters in ``keep`` (default :func:`shipped_keep`) stay as they are."""
    if _traditional_re().search(text) is None:
        return text
    converted = _t2s().convert(text)
    keep = shipped_keep() if keep is None else keep
    if keep and len(converted) == len(text) and converted != text:
        converted = "".join(o if o in keep else c for o, c in zip(text, converted, strict=True))
    return converted


def clean(text: str, keep: frozenset[str] | None = None) -> tuple[str, list[int] | None]:
    """``(cleaned, offsets)``; ``offsets[i]`` is the index in ``text`` of cleaned character ``i``,
    plus a final entry ``len(text)``; ``offsets`` is None when ``cleaned[i]`` came from ``text[i]``.
    ``keep``: characters never converted to simplified (default: :func:`shipped_keep`)."""
    s = text
    omap: list[int] | None = None
    if not s.isascii() and not unicodedata.is_normalized("NFKC", s):
        parts: list[str] = []
        omap = []
        for i, ch in enumerate(s):
            n = unicodedata.normalize("NFKC", ch)
            parts.append(n)
            omap.extend([i] * len(n))
        s = "".join(parts)
    if not s.isascii():
        simplified = to_simplified(s, keep)
        if len(simplified) == len(s):
            s = simplified
        else:  # a phrase changed length: convert character by character instead
            s = "".join(to_simplified(ch, keep) if len(to_simplified(ch, keep)) == 1 else ch for ch in s)
    if _NEEDS_MAP_RE.search(s) is not None:
        out: list[str] = []
        newmap: list[int] = []
        for i, ch in enumerate(s):
            r = _CHAR_MAP.get(ord(ch), ch)
            if r is None:
                continue
            out.append(r if isinstance(r, str) else chr(r))
            newmap.append(omap[i] if omap is not None else i)
        s = "".join(out)
        omap = newmap
    if omap is not None:
        omap.append(len(text))
    return s, omap
