"""Chinese first: every message catalogue is complete (no empty or fuzzy entries) and compiled."""

from __future__ import annotations

import gettext
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "ybss"
CATALOGUES = sorted(ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/django.po"))


def _entries(po: Path) -> list[tuple[str, str, bool]]:
    """(msgid, msgstr, fuzzy) for every entry but the header."""
    out = []
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        lines = [ln for ln in block.splitlines() if ln.strip()]
        fuzzy = any(ln.startswith("#,") and "fuzzy" in ln for ln in lines)
        msgid, msgstr, cur = [], [], None
        for ln in lines:
            if ln.startswith("msgid "):
                cur = msgid
                cur.append(ln[6:].strip('"'))
            elif ln.startswith(("msgstr ", "msgstr[0] ")):
                cur = msgstr
                cur.append(ln.split(" ", 1)[1].strip('"'))
            elif ln.startswith("msgid_plural") or ln.startswith("msgstr["):
                cur = None
            elif ln.startswith('"') and cur is not None:
                cur.append(ln.strip('"'))
        if msgid and "".join(msgid):
            out.append(("".join(msgid), "".join(msgstr), fuzzy))
    return out


def test_there_are_catalogues():
    assert len(CATALOGUES) >= 1


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_is_complete_and_compiled(po):
    entries = _entries(po)
    assert entries
    assert [m for m, s, f in entries if not s or f] == []
    with po.with_suffix(".mo").open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)._catalog  # type: ignore[attr-defined]
    keys = {(k[0] if isinstance(k, tuple) else k).split("\x04")[-1] for k in compiled}
    missing = [m for m, _s, _f in entries if m not in keys]
    assert missing == [], "the .mo is older than the .po: run compilemessages"
