"""Reading labelled address files in the BIO format of the public address-parsing set (pure).

One token and its tag a line, separated by white space; a blank line between addresses. A token
is usually one character, but a number is often one token ("602 B-roadno"): every character of
a token takes the token's label (the first its B-/I-, the rest I-). Label names are compared in
lower case (the set spells ``devZone`` and ``devzone``, ``subRoad`` and ``subroad``). BIOES
files are read too (S- as B-, E- and M- as I-).
"""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from ybss.core.errors import InvalidInput

Sentence = tuple[str, list[str]]  # (text, one tag per character)
_PREFIX = {"B": "B", "I": "I", "S": "B", "E": "I", "M": "I"}


class BioFormatError(InvalidInput):
    code = "bio_format"


def parse_bio(lines: str) -> list[Sentence]:
    """Parse BIO text (see the module docstring); :class:`BioFormatError` names the first bad
    line."""
    sentences: list[Sentence] = []
    chars: list[str] = []
    tags: list[str] = []
    for lineno, raw in enumerate(lines.splitlines(), start=1):
        line = raw.strip()
        if not line:
            if chars:
                sentences.append(("".join(chars), tags))
                chars, tags = [], []
            continue
        parts = line.split()
        if len(parts) != 2:
            raise BioFormatError(
                fields={"file": [_("Line %(line)d: expected a token and a tag.") % {"line": lineno}]}
            )
        token, tag = parts
        if tag == "O":
            chars.append(token)
            tags.extend("O" for _c in token)
            continue
        prefix, sep, label = tag.partition("-")
        if not sep or prefix.upper() not in _PREFIX or not label:
            raise BioFormatError(
                fields={
                    "file": [
                        _("Line %(line)d: %(tag)s is not a BIO tag (B-label, I-label or O).")
                        % {"line": lineno, "tag": tag}
                    ]
                }
            )
        label = label.lower()
        chars.append(token)
        tags.append(f"{_PREFIX[prefix.upper()]}-{label}")
        tags.extend(f"I-{label}" for _c in token[1:])
    if chars:
        sentences.append(("".join(chars), tags))
    return sentences


def read_bio(path: str | Path) -> list[Sentence]:
    """Read a BIO file into ``(text, per-character tags)`` pairs; :class:`BioFormatError` when
    it is missing, not UTF-8, malformed or holds no labelled address."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise BioFormatError(
            fields={"file": [_("The file %(path)s does not exist.") % {"path": path}]}
        ) from None
    except UnicodeDecodeError:
        raise BioFormatError(fields={"file": [_("The file is not UTF-8 text.")]}) from None
    except OSError as exc:
        raise BioFormatError(
            fields={"file": [_("The file %(path)s cannot be read.") % {"path": path}]}
        ) from exc
    sentences = parse_bio(text)
    if not sentences:
        raise BioFormatError(fields={"file": [_("The file holds no labelled address.")]})
    return sentences
