"""The files of a bulletin (通报): PDF, Word and Excel, made from its stored content alone.

Nothing here reads the database: every function takes the content dict that
``bulletin_snapshot`` built (and ``bulletins.bulletin_issue`` completed with the final wording), so
the files of an issued bulletin can always be explained from the row that holds them.

* ``document(content)`` turns the content into what is printed: section headings (一、总体情况 …
  六、下步工作要求), formatted figures, change arrows, table rows. The three renderers share it.
* Charts (the four main rates by station; the county's rates over the period, or the change since
  the previous bulletin) are drawn server-side by matplotlib (Agg) as PNG, with the Noto CJK font
  found through fontconfig at run time, and embedded in the PDF and the Word file.
* PDF: WeasyPrint from ``supervision/bulletin.html`` — an official red-header layout (县公安局 /
  通报 / 第N期 / date, red rule). Only ``data:`` URLs may be fetched while rendering.
* Word: python-docx with the same sections and tables; Excel: openpyxl, a sheet per section.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import io
import subprocess
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

#: Official red (党政机关公文: red header and rule).
RED = "#c00000"
#: Chart colours of the four main rates, in MAIN_RATES order.
PALETTE = ("#c00000", "#1f4e79", "#548235", "#bf8f00")
CHART_DPI = 200
_ZH_NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class RenderedFiles:
    pdf: bytes
    docx: bytes
    xlsx: bytes


# --- formatting ------------------------------------------------------------------------------


def _zh() -> bool:
    return (translation.get_language() or "").startswith("zh")


def heading(n: int, title: str) -> str:
    """``一、总体情况`` in Chinese, ``1. Overall situation`` otherwise."""
    return f"{_ZH_NUMERALS[n - 1]}、{title}" if _zh() else f"{n}. {title}"


def _date(value: str | None) -> str:
    if not value:
        return ""
    day = dt.datetime.fromisoformat(value).date() if "T" in value else dt.date.fromisoformat(value)
    return formats.date_format(day, "DATE_FORMAT")


def _int(n: int | None) -> str:
    return "—" if n is None else f"{n:,}"


def _share(value: float | None) -> str:
    """A 0–1 share as ``97.35%`` (— when missing)."""
    return "—" if value is None else f"{value * 100:.2f}%"


def arrow(change: float | None) -> str:
    if change is None:
        return ""
    return "↑" if change > 0 else "↓" if change < 0 else "→"


def change_text(change: float | None) -> str:
    """``↑ 1.20`` percentage points (signed, with an arrow), or — without a previous figure."""
    if change is None:
        return "—"
    return f"{arrow(change)} {abs(change):.2f}"


def _change_phrase(change: float | None) -> str:
    if change is None:
        return ""
    if change > 0:
        return _("up %(points)s percentage points on the last bulletin") % {"points": f"{change:.2f}"}
    if change < 0:
        return _("down %(points)s percentage points on the last bulletin") % {"points": f"{-change:.2f}"}
    return _("unchanged since the last bulletin")


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def document(content: dict[str, Any]) -> dict[str, Any]:
    """What the bulletin prints, formatted, from ``content`` only."""
    rates = content.get("rates", [])
    main = [r for r in rates if r.get("main")]
    has_previous = content.get("previous") is not None
    sentences = []
    for r in main:
        text = _("%(rate)s %(percent)s (%(done)s of %(all)s)") % {
            "rate": r["label"],
            "percent": r["percent"],
            "done": _int(r["numerator"]),
            "all": _int(r["denominator"]),
        }
        phrase = _change_phrase(r.get("change"))
        sentences.append(_("%(rate)s, %(change)s") % {"rate": text, "change": phrase} if phrase else text)
    rate_rows = [
        {
            "label": r["label"],
            "definition": r.get("definition", ""),
            "numerator": _int(r["numerator"]),
            "denominator": _int(r["denominator"]),
            "percent": r["percent"],
            "change": change_text(r.get("change")),
            "arrow": arrow(r.get("change")),
            "main": r.get("main", False),
        }
        for r in rates
    ]
    main_codes = [r["code"] for r in main]
    station_rows = [
        {
            "name": s["name"],
            "cells": [
                {
                    "percent": s["rates"][c]["percent"],
                    "fraction": f"{_int(s['rates'][c]['numerator'])}/{_int(s['rates'][c]['denominator'])}",
                    "change": change_text(s["rates"][c].get("change")),
                }
                for c in main_codes
                if c in s["rates"]
            ],
        }
        for s in content.get("stations", [])
    ]
    ranking = content.get("ranking", {})
    weights = ranking.get("scheme", {}).get("weights", {})
    components = [
        ("completeness", _("Completeness")),
        ("quality", _("Data quality")),
        ("spot_check", _("Spot checks")),
        ("timeliness", _("Timeliness")),
    ]
    ranking_headers = [f"{label} ({weights.get(k, 0):g})" for k, label in components]
    ranking_rows = [
        {
            "rank": r["rank"],
            "name": r["name"],
            "score": r["score_text"],
            "components": [_share(r.get(k)) for k, _label in components],
        }
        for r in ranking.get("rows", [])
    ]
    problems = content.get("problems", {})
    ptotal = problems.get("total", {})
    spot = content.get("spot_checks", {})
    stotal = spot.get("total", {})
    issued_at = content.get("issued_at")
    supersedes = content.get("supersedes")
    cw = content.get("casework")
    n = 5 if cw is None else 6  # bulletins made before the casework section keep their numbering
    return {
        "county_name": content.get("county", {}).get("name", ""),
        "title": content.get("title", ""),
        "number_text": _("No. %(number)s") % {"number": content.get("number", "")},
        "year": content.get("year"),
        "version": content.get("version", 1),
        "date_text": _date(issued_at) if issued_at else _date(content.get("as_of")),
        "as_of_text": _date(content.get("as_of")),
        "issued": bool(issued_at),
        "issued_by": content.get("issued_by", ""),
        "revision_text": (
            _("Version %(version)s, replaces version %(old)s issued on %(day)s.")
            % {
                "version": content.get("version"),
                "old": supersedes["version"],
                "day": _date(supersedes.get("issued_at")),
            }
            if supersedes
            else ""
        ),
        "headings": [
            heading(1, _("Overall situation")),
            heading(2, _("Station ranking")),
            heading(3, _("Problems found")),
            heading(4, _("Spot checks")),
            heading(n, _("Praise and criticism")),
            heading(n + 1, _("Next steps")),
        ],
        "casework": _casework_doc(cw) if cw is not None else None,
        "intro": _("As of %(day)s, the county’s figures are:") % {"day": _date(content.get("as_of"))},
        "sentences": sentences,
        "overall": pgettext("sentence separator", "; ").join(sentences) + pgettext("sentence end", ".")
        if sentences
        else "",
        "has_previous": has_previous,
        "previous_text": (
            _("Changes are against bulletin No. %(number)s of %(year)s (figures as of %(day)s).")
            % {
                "number": content["previous"].get("number"),
                "year": content["previous"].get("year"),
                "day": _date(content["previous"].get("as_of")),
            }
            if has_previous
            else _("This is the first bulletin: no changes are shown.")
        ),
        "rate_headers": [_("Rate"), _("Done"), _("Total"), _("Rate (%)"), _("Change (points)")],
        "rates": rate_rows,
        "station_headers": [_("Police station"), *[r["short"] for r in main]],
        "stations": station_rows,
        "ranking_weights": _("Weights: %(weights)s; the score is out of 100.")
        % {
            "weights": pgettext("list separator", ", ").join(
                f"{label} {weights.get(k, 0):g}" for k, label in components
            )
        },
        "ranking_headers": [_("Rank"), _("Police station"), _("Score"), *ranking_headers],
        "ranking": ranking_rows,
        "problem_summary": _(
            "%(total)s problems found, %(closed)s closed, %(active)s still open (%(overdue)s overdue); "
            "closure rate %(rate)s."
        )
        % {
            "total": _int(ptotal.get("total", 0)),
            "closed": _int(ptotal.get("closed", 0)),
            "active": _int(ptotal.get("active", 0)),
            "overdue": _int(ptotal.get("overdue", 0)),
            "rate": "—" if ptotal.get("closure_rate") is None else f"{ptotal['closure_rate']:.2f}%",
        },
        "problem_headers": [_("Found"), _("Closed"), _("Open"), _("Overdue"), _("Closure rate")],
        "problems_by_category": _problem_rows(problems.get("by_category", [])),
        "problems_by_station": _problem_rows(problems.get("by_station", [])),
        "spot_summary": _(
            "%(rounds)s spot-check rounds; %(checked)s records checked, %(passed)s agreed with the field; "
            "pass rate %(rate)s."
        )
        % {
            "rounds": _int(spot.get("rounds", 0)),
            "checked": _int(stotal.get("checked", 0)),
            "passed": _int(stotal.get("passed", 0)),
            "rate": stotal.get("percent", "—"),
        },
        "spot_headers": [
            _("Police station"),
            _("Checked"),
            _("Passed"),
            _("Wrong fields"),
            _("Fabricated"),
            _("Pass rate"),
        ],
        "spot_rows": [
            [
                s["name"],
                _int(s["checked"]),
                _int(s["passed"]),
                _int(s["wrong_fields"]),
                _int(s["fabricated"]),
                s["percent"],
            ]
            for s in spot.get("by_station", [])
        ],
        "praise": _lines(content.get("praise")),
        "criticism": _lines(content.get("criticism")),
        "remarks": _lines(content.get("remarks")),
        "target_headers": [_("Unit"), _("Rate"), _("Target"), _("Deadline"), _("Now"), _("Status")],
        "targets": [
            [
                t["unit_name"],
                t["label"],
                t["target_percent"],
                _date(t["deadline"]),
                t["at_deadline_percent"]
                if t["due"] and t.get("at_deadline_percent")
                else t["current_percent"],
                t["status_label"],
            ]
            for t in content.get("targets", [])
        ],
        "labels": {
            "praise": _("Praise"),
            "criticism": _("Criticism"),
            "by_category": _("By category"),
            "by_station": _("By police station"),
            "category": _("Category"),
            "station": _("Police station"),
            "targets": _("Targets coming due"),
            "chart_rates": _("The four main rates by police station"),
            "chart_change": _change_chart_title(content),
            "none": _("None."),
            "as_of": _("Figures as of %(day)s") % {"day": _date(content.get("as_of"))},
            "issued_by": _("Issued by"),
            "draft": _("Draft — not issued"),
        },
    }


def _casework_doc(cw: dict[str, Any]) -> dict[str, Any]:
    """The 服务实战战果 section: a summary of the period, and a table of leads and results by
    station with a county total (categories with nothing anywhere are left out of the table)."""
    cats = [c for c in cw.get("categories", []) if cw.get("total", {}).get(c["code"])]
    sep = pgettext("list separator", ", ")
    sources = sep.join(f"{s['label']} {_int(s['count'])}" for s in cw["leads"]["by_source"] if s["count"])
    results = sep.join(f"{c['label']} {_int(cw['total'][c['code']])}" for c in cats)
    summary = _(
        "From %(start)s to %(end)s: %(leads)s leads recorded%(sources)s; %(opened)s cases opened and "
        "%(solved)s solved; results: %(results)s."
    ) % {
        "start": _date(cw.get("start")),
        "end": _date(cw.get("end")),
        "leads": _int(cw["leads"]["total"]),
        "sources": f" ({sources})" if sources else "",
        "opened": _int(cw["cases"]["opened"]),
        "solved": _int(cw["cases"]["solved"]),
        "results": results or _("none"),
    }
    rows = [
        [
            s["name"],
            _int(s["leads"]),
            _int(s["cases_solved"]),
            *[_int(s["results"].get(c["code"], 0)) for c in cats],
        ]
        for s in cw.get("by_station", [])
    ]
    if rows:
        rows.append(
            [
                _("Total"),
                _int(cw["leads"]["total"]),
                _int(cw["cases"]["solved"]),
                *[_int(cw["total"].get(c["code"], 0)) for c in cats],
            ]
        )
    return {
        "heading": heading(5, _("Results in police work")),
        "summary": summary,
        "headers": [_("Police station"), _("Leads recorded"), _("Cases solved"), *[c["label"] for c in cats]],
        "rows": rows,
    }


def _problem_rows(rows: list[dict[str, Any]]) -> list[list[str]]:
    return [
        [
            r["name"],
            _int(r["total"]),
            _int(r["closed"]),
            _int(r["active"]),
            _int(r["overdue"]),
            "—" if r.get("closure_rate") is None else f"{r['closure_rate']:.2f}%",
        ]
        for r in rows
    ]


def _change_chart_title(content: dict[str, Any]) -> str:
    if len(content.get("history", {}).get("days", [])) >= 2:
        return _("The four main rates of the county over the period")
    return _("Change of the four main rates since the last bulletin, by police station (points)")


# --- charts ----------------------------------------------------------------------------------


@functools.cache
def cjk_font_family() -> str:
    """The Chinese sans-serif face (Noto Sans CJK SC), found with fontconfig and registered with
    matplotlib; "DejaVu Sans" when none is installed (figures stay legible, names may not)."""
    from matplotlib import font_manager

    try:
        out = subprocess.run(
            ["fc-match", "-f", "%{file}", "Noto Sans CJK SC:lang=zh-cn"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        out = ""
    if not out:
        return "DejaVu Sans"
    font_manager.fontManager.addfont(out)
    names = {f.name for f in font_manager.fontManager.ttflist if f.fname == out}
    for wanted in ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC"):
        if wanted in names:
            return wanted
    return sorted(names)[0] if names else "DejaVu Sans"


def _figure(width: float, height: float) -> Any:
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=CHART_DPI)
    return fig


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=CHART_DPI, bbox_inches="tight", metadata={"Software": None})
    return buf.getvalue()


def _style(ax: Any, family: str) -> None:
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    for label in [*ax.get_xticklabels(), *ax.get_yticklabels()]:
        label.set_fontfamily(family)


def chart_rates_by_station(content: dict[str, Any]) -> bytes | None:
    """Grouped bars: the four main rates (%) of every station."""
    import matplotlib

    stations = content.get("stations", [])
    main = [r for r in content.get("rates", []) if r.get("main")]
    if not stations or not main:
        return None
    family = cjk_font_family()
    with matplotlib.rc_context({"font.family": [family, "DejaVu Sans"], "font.size": 8}):
        fig = _figure(7.0, 3.3)
        ax = fig.subplots()
        n = len(main)
        width = 0.8 / n
        xs = range(len(stations))
        for i, r in enumerate(main):
            values = [100 * (s["rates"].get(r["code"], {}).get("value") or 0) for s in stations]
            ax.bar(
                [x - 0.4 + width * (i + 0.5) for x in xs],
                values,
                width=width,
                label=r["short"],
                color=PALETTE[i % len(PALETTE)],
            )
        ax.set_xticks(list(xs))
        ax.set_xticklabels(
            [s["name"] for s in stations],
            rotation=40 if len(stations) > 6 else 0,
            ha="right" if len(stations) > 6 else "center",
        )
        ax.set_ylim(0, 100)
        ax.set_ylabel("%")
        ax.legend(ncol=n, loc="upper center", bbox_to_anchor=(0.5, 1.14), frameon=False)
        _style(ax, family)
        return _png(fig)


def chart_change(content: dict[str, Any]) -> bytes | None:
    """The county's four main rates over the period (a line per rate) when there are two or more
    days of figures; otherwise each station's mean change since the previous bulletin (bars)."""
    import matplotlib

    main = [r for r in content.get("rates", []) if r.get("main")]
    history = content.get("history", {})
    days = history.get("days", [])
    family = cjk_font_family()
    with matplotlib.rc_context({"font.family": [family, "DejaVu Sans"], "font.size": 8}):
        if len(days) >= 2:
            fig = _figure(6.5, 2.8)
            ax = fig.subplots()
            xs = [dt.date.fromisoformat(d) for d in days]
            for i, r in enumerate(main):
                values = history.get("series", {}).get(r["code"], [])
                ax.plot(
                    xs,
                    [None if v is None else 100 * v for v in values],
                    label=r["short"],
                    color=PALETTE[i % len(PALETTE)],
                    linewidth=1.6,
                    marker="o" if len(xs) <= 12 else None,
                    markersize=3,
                )
            ax.set_ylabel("%")
            ax.legend(ncol=len(main), loc="upper center", bbox_to_anchor=(0.5, 1.16), frameon=False)
            fig.autofmt_xdate()
            _style(ax, family)
            return _png(fig)
        moved = [s for s in content.get("stations", []) if s.get("change") is not None]
        if not any(s["change"] for s in moved):
            return None
        fig = _figure(6.5, max(2.0, 0.28 * len(moved) + 0.8))
        ax = fig.subplots()
        names = [s["name"] for s in moved]
        values = [s["change"] for s in moved]
        ax.barh(names, values, color=[PALETTE[0] if v >= 0 else PALETTE[1] for v in values])
        ax.axvline(0, color="#444444", linewidth=0.8)
        ax.invert_yaxis()
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.spines["top"].set_visible(False)
        ax.spines["right"].set_visible(False)
        for label in [*ax.get_xticklabels(), *ax.get_yticklabels()]:
            label.set_fontfamily(family)
        return _png(fig)


def charts(content: dict[str, Any]) -> dict[str, bytes | None]:
    return {"rates": chart_rates_by_station(content), "change": chart_change(content)}


def _data_uri(png: bytes | None) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode() if png else ""


# --- PDF -------------------------------------------------------------------------------------


def render_html(content: dict[str, Any], pictures: dict[str, bytes | None] | None = None) -> str:
    pictures = charts(content) if pictures is None else pictures
    return render_to_string(
        "supervision/bulletin.html",
        {
            "doc": document(content),
            "chart_rates": _data_uri(pictures.get("rates")),
            "chart_change": _data_uri(pictures.get("change")),
            "language": translation.get_language() or "zh-hans",
            "red": RED,
        },
    )


def render_pdf(content: dict[str, Any], pictures: dict[str, bytes | None] | None = None) -> bytes:
    """The bulletin as an A4 PDF (WeasyPrint; the CJK fonts are subset and embedded)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols=("data",))
    return bytes(HTML(string=render_html(content, pictures), url_fetcher=fetcher).write_pdf())


# --- Word ------------------------------------------------------------------------------------


def _docx_font(
    run: Any, *, size: float | None = None, bold: bool = False, color: str | None = None, serif: bool = False
) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    name = "Noto Serif CJK SC" if serif else "Noto Sans CJK SC"
    run.font.name = name
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)
    if size:
        run.font.size = Pt(size)
    run.font.bold = bold
    if color:
        run.font.color.rgb = RGBColor.from_string(color.lstrip("#").upper())


def _docx_rule(paragraph: Any) -> None:
    """A thick red bottom border under ``paragraph`` (the red rule of the header)."""
    from docx.oxml.ns import qn

    ppr = paragraph._p.get_or_add_pPr()
    border = ppr.makeelement(qn("w:pBdr"), {})
    bottom = border.makeelement(
        qn("w:bottom"),
        {qn("w:val"): "thick", qn("w:sz"): "18", qn("w:space"): "1", qn("w:color"): RED.lstrip("#")},
    )
    border.append(bottom)
    ppr.append(border)


def _docx_table(document: Any, headers: list[str], rows: list[list[Any]]) -> None:
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = ""
        _docx_font(cell.paragraphs[0].add_run(str(text)), size=9, bold=True)
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = ""
            _docx_font(cell.paragraphs[0].add_run(str(value)), size=9)


def render_docx(content: dict[str, Any], pictures: dict[str, bytes | None] | None = None) -> bytes:
    """The bulletin as a Word document with the same header, sections, tables and charts."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    pictures = charts(content) if pictures is None else pictures
    doc = document(content)
    d = Document()
    for section in d.sections:
        section.left_margin = section.right_margin = Cm(2.2)
        section.top_margin = Cm(2.5)

    def para(
        text: str = "",
        *,
        size: float = 11,
        bold: bool = False,
        color: str | None = None,
        center: bool = False,
        serif: bool = False,
    ) -> Any:
        p = d.add_paragraph()
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if text:
            _docx_font(p.add_run(text), size=size, bold=bold, color=color, serif=serif)
        return p

    para(doc["county_name"], size=22, bold=True, color=RED, center=True, serif=True)
    para(doc["title"], size=26, bold=True, color=RED, center=True, serif=True)
    para(doc["number_text"], size=14, center=True)
    rule = para(doc["date_text"], size=12, center=True)
    _docx_rule(rule)
    if doc["revision_text"]:
        para(doc["revision_text"], size=10)
    heads = doc["headings"]
    para(heads[0], size=14, bold=True, serif=True)
    para(doc["intro"])
    for s in doc["sentences"]:
        para(s)
    para(doc["previous_text"], size=9, color="#555555")
    _docx_table(
        d,
        doc["rate_headers"],
        [[r["label"], r["numerator"], r["denominator"], r["percent"], r["change"]] for r in doc["rates"]],
    )
    para()
    if doc["stations"]:
        _docx_table(
            d,
            doc["station_headers"],
            [[s["name"], *[f"{c['percent']} ({c['change']})" for c in s["cells"]]] for s in doc["stations"]],
        )
    for key, title in (("rates", doc["labels"]["chart_rates"]), ("change", doc["labels"]["chart_change"])):
        if pictures.get(key):
            para(title, size=10, bold=True, center=True)
            d.add_picture(io.BytesIO(pictures[key] or b""), width=Cm(16))
    para(heads[1], size=14, bold=True, serif=True)
    para(doc["ranking_weights"], size=10)
    _docx_table(
        d,
        doc["ranking_headers"],
        [[r["rank"], r["name"], r["score"], *r["components"]] for r in doc["ranking"]],
    )
    para(heads[2], size=14, bold=True, serif=True)
    para(doc["problem_summary"])
    for key in ("by_category", "by_station"):
        rows = doc[f"problems_{key}"]
        if rows:
            para(doc["labels"][key], size=11, bold=True)
            first = doc["labels"]["category" if key == "by_category" else "station"]
            _docx_table(d, [first, *doc["problem_headers"]], rows)
    para(heads[3], size=14, bold=True, serif=True)
    para(doc["spot_summary"])
    if doc["spot_rows"]:
        _docx_table(d, doc["spot_headers"], doc["spot_rows"])
    if doc["casework"]:
        para(doc["casework"]["heading"], size=14, bold=True, serif=True)
        para(doc["casework"]["summary"])
        if doc["casework"]["rows"]:
            _docx_table(d, doc["casework"]["headers"], doc["casework"]["rows"])
    para(heads[4], size=14, bold=True, serif=True)
    for key in ("praise", "criticism"):
        para(doc["labels"][key], size=11, bold=True)
        for line in doc[key] or [doc["labels"]["none"]]:
            para(line)
    para(heads[5], size=14, bold=True, serif=True)
    for line in doc["remarks"] or [doc["labels"]["none"]]:
        para(line)
    if doc["targets"]:
        para(doc["labels"]["targets"], size=11, bold=True)
        _docx_table(d, doc["target_headers"], doc["targets"])
    if doc["issued"]:
        p = para(f"{doc['county_name']}  {doc['date_text']}", size=11)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


# --- Excel -----------------------------------------------------------------------------------


def _sheet_title(text: str) -> str:
    for ch in "[]:*?/\\":
        text = text.replace(ch, " ")
    return text[:31]


def render_xlsx(content: dict[str, Any]) -> bytes:
    """The bulletin as an Excel workbook, a sheet per section, figures as numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    doc = document(content)
    heads = doc["headings"]
    wb = Workbook()
    bold = Font(bold=True)

    def sheet(title: str, headers: list[str], rows: list[list[Any]], first: bool = False) -> Any:
        ws = wb.active if first else wb.create_sheet()
        ws.title = _sheet_title(title)
        ws.append(headers)
        for c in ws[1]:
            c.font = bold
        for row in rows:
            ws.append(row)
        return ws

    rates = content.get("rates", [])
    ws = sheet(
        heads[0],
        [_("Rate"), _("Done"), _("Total"), _("Rate (%)"), _("Change (points)"), _("Definition")],
        [
            [
                r["label"],
                r["numerator"],
                r["denominator"],
                None if r["value"] is None else round(r["value"] * 100, 2),
                r.get("change"),
                r.get("definition", ""),
            ]
            for r in rates
        ],
        first=True,
    )
    ws.insert_rows(1, 2)
    ws["A1"] = f"{doc['county_name']} {doc['title']} {doc['number_text']}"
    ws["A1"].font = Font(bold=True, color=RED.lstrip("#"), size=14)
    ws["A2"] = doc["labels"]["as_of"]
    main = [r for r in rates if r.get("main")]
    station_headers = [_("Police station")]
    for r in main:
        station_headers += [
            f"{r['short']} %",
            f"{r['short']} {_('Done')}",
            f"{r['short']} {_('Total')}",
            f"{r['short']} {_('Change (points)')}",
        ]
    station_rows = []
    for s in content.get("stations", []):
        row: list[Any] = [s["name"]]
        for r in main:
            v = s["rates"].get(r["code"], {})
            row += [
                None if v.get("value") is None else round(v["value"] * 100, 2),
                v.get("numerator"),
                v.get("denominator"),
                v.get("change"),
            ]
        station_rows.append(row)
    sheet(_("Rates by police station"), station_headers, station_rows)
    weights = content.get("ranking", {}).get("scheme", {}).get("weights", {})
    comps = ("completeness", "quality", "spot_check", "timeliness")
    sheet(
        heads[1],
        doc["ranking_headers"],
        [
            [
                r["rank"],
                r["name"],
                r["score"],
                *[None if r.get(k) is None else round(r[k] * 100, 2) for k in comps],
            ]
            for r in content.get("ranking", {}).get("rows", [])
        ]
        + [[], [_("Weights"), "", "", *[weights.get(k) for k in comps]]],
    )
    problems = content.get("problems", {})
    for key, label in (
        ("by_category", doc["labels"]["by_category"]),
        ("by_station", doc["labels"]["by_station"]),
    ):
        sheet(
            f"{heads[2]} {label}",
            [doc["labels"]["category" if key == "by_category" else "station"], *doc["problem_headers"]],
            [
                [r["name"], r["total"], r["closed"], r["active"], r["overdue"], r.get("closure_rate")]
                for r in problems.get(key, [])
            ],
        )
    spot = content.get("spot_checks", {})
    sheet(
        heads[3],
        doc["spot_headers"],
        [
            [
                s["name"],
                s["checked"],
                s["passed"],
                s["wrong_fields"],
                s["fabricated"],
                round(100 * s["passed"] / s["checked"], 2) if s["checked"] else None,
            ]
            for s in spot.get("by_station", [])
        ],
    )
    cw = content.get("casework")
    if cw is not None:
        cats = cw.get("categories", [])
        ws = sheet(
            doc["casework"]["heading"],
            [_("Police station"), _("Leads recorded"), _("Cases opened"), _("Cases solved"),
             *[c["label"] for c in cats]],
            [
                [s["name"], s["leads"], s["cases_opened"], s["cases_solved"],
                 *[s["results"].get(c["code"], 0) for c in cats]]
                for s in cw.get("by_station", [])
            ]
            + [[_("Total"), cw["leads"]["total"], cw["cases"]["opened"], cw["cases"]["solved"],
                *[cw["total"].get(c["code"], 0) for c in cats]]],
        )  # fmt: skip
        for title, key in ((_("Leads by source"), "by_source"), (_("Leads by state"), "by_state")):
            ws.append([])
            ws.append([title, _("Count")])
            for cell in ws[ws.max_row]:
                cell.font = bold
            for item in cw["leads"][key]:
                ws.append([item["label"], item["count"]])
        ws.append([])
        ws.append([doc["casework"]["summary"]])
    sheet(
        heads[4],
        [_("Kind"), _("Text")],
        [[doc["labels"]["praise"], line] for line in doc["praise"]]
        + [[doc["labels"]["criticism"], line] for line in doc["criticism"]],
    )
    ws = sheet(heads[5], [_("Text")], [[line] for line in doc["remarks"]])
    if doc["targets"]:
        ws.append([])
        ws.append(doc["target_headers"])
        for c in ws[ws.max_row]:
            c.font = bold
        for row in doc["targets"]:
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def render_all(content: dict[str, Any]) -> RenderedFiles:
    """The three files of ``content``; the charts are drawn once for the PDF and Word file."""
    pictures = charts(content)
    return RenderedFiles(
        pdf=render_pdf(content, pictures), docx=render_docx(content, pictures), xlsx=render_xlsx(content)
    )
