"""Chinese numerals → Arabic digits (pure).

``cn_to_int("十二") == 12``, ``cn_to_int("二〇一") == 201``, ``cn_to_int("一百零一") == 101``.
Which numerals in an address are numbers (三组, 十二号楼) and which are names (三里屯) is decided
by the parser (``rules``), which calls this only for runs it has decided are numbers.
"""

from __future__ import annotations

import re

DIGITS = dict(zip("零〇○一二两三四五六七八九", (0, 0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))
UNITS = {"十": 10, "百": 100, "千": 1000}
NUMERAL_CHARS = "".join(DIGITS) + "".join(UNITS)
#: A run of Chinese numeral characters.
NUMERAL_RUN = re.compile(f"[{NUMERAL_CHARS}]+")


def cn_to_int(text: str) -> int | None:
    """The number a run of Chinese numerals writes, or None when it is not a well-formed number.

    Without 十/百/千 the digits are read one by one (二〇一 → 201, 一〇〇一 → 1001); with them, as
    a positional number up to 9999 (十二 → 12, 二十 → 20, 一百零一 → 101, 一千零一 → 1001).
    """
    if not text:
        return None
    if not any(c in UNITS for c in text):
        if not all(c in DIGITS for c in text):
            return None
        if len(text) > 1 and "两" in text:
            return None  # 两 is never a digit inside a digit-by-digit number
        return int("".join(str(DIGITS[c]) for c in text))
    total = 0
    pending: int | None = None
    last_unit = 10_000
    zero_seen = False
    for c in text:
        if c in DIGITS:
            if pending is not None and not zero_seen:
                return None  # two digits in a row inside a positional number
            d = DIGITS[c]
            if d == 0:
                zero_seen = True
                pending = None
                continue
            pending = d
            zero_seen = False
        elif c in UNITS:
            unit = UNITS[c]
            if unit >= last_unit:
                return None
            total += (1 if pending is None else pending) * unit
            pending = None
            last_unit = unit
        else:
            return None
    if pending is not None:
        total += pending
    return total
