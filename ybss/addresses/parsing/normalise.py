"""``normalise(text)``: an address text in the one canonical form used for comparison.

    normalise("渭南合阳城關鎮鳳凰路十八號 金水小區３栋2单元501")
    == "陕西省渭南市合阳县城关街道凤凰路18号金水小区3号楼2单元501室"

What it does (details in ``text`` and ``rules``): full-width → half-width, traditional →
simplified, spaces and punctuation dropped, Chinese numerals that count something → digits (三组 →
3组, 十二号楼 → 12号楼, 二〇一室 → 201室, 负一层 → -1层) but not inside known names (三池村, 路一村),
unit words in one form (号楼/栋/幢/座 → N号楼, 室/户 → N室, 12-3-1001 → 12号楼3单元1001室), old
names and aliases → today's names (城关镇 → 城关街道, an element's alias → its name), and the
division chain written out in full from the deepest division recognised (渭南合阳 → 陕西省渭南市合阳县).
The result has the shape of ``ybss.addresses.naming.full_name``, so a standard address's own full
name normalises to itself.
"""

from __future__ import annotations

from .gazetteer import Gazetteer, current
from .labels import rule_label_spans
from .shapes import parse_shaped


def normalise(text: str, *, gazetteer: Gazetteer | None = None) -> str:
    """The canonical form of ``text`` (see the module docstring); "" for empty text.

    ``gazetteer`` defaults to the county's current one (``gazetteer.current()``)."""
    if not text or not text.strip():
        return ""
    gz = gazetteer if gazetteer is not None else current()
    return parse_shaped(text, gz, rule_label_spans).normalised
