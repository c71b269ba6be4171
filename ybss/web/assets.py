"""Front-end assets from npm, vendored into this package's static folder.

``package.json`` at the repository root pins the npm packages; ``npm ci`` puts them in
``node_modules/``; :func:`collect_vendor_assets` copies the few built files the pages use into
``ybss/web/static/vendor/``, where ``staticfiles`` finds them with no settings change. The copied
files are committed too, so a checkout works before npm has run. Nothing is ever loaded from a CDN:
police networks are offline (DOMAIN.md §10).
"""

from __future__ import annotations

import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
VENDOR_DIR = Path(__file__).resolve().parent / "static" / "vendor"

#: (file inside node_modules, destination inside static/vendor). Licence files travel with the code.
VENDOR_FILES: tuple[tuple[str, str], ...] = (
    ("modern-normalize/modern-normalize.css", "modern-normalize/modern-normalize.css"),
    ("modern-normalize/license", "modern-normalize/LICENSE.txt"),
    ("leaflet/dist/leaflet.js", "leaflet/leaflet.js"),
    ("leaflet/dist/leaflet.css", "leaflet/leaflet.css"),
    ("leaflet/LICENSE", "leaflet/LICENSE.txt"),
    ("leaflet.markercluster/dist/leaflet.markercluster.js", "leaflet.markercluster/leaflet.markercluster.js"),
    ("leaflet.markercluster/dist/MarkerCluster.css", "leaflet.markercluster/MarkerCluster.css"),
    (
        "leaflet.markercluster/dist/MarkerCluster.Default.css",
        "leaflet.markercluster/MarkerCluster.Default.css",
    ),
    ("leaflet.markercluster/MIT-LICENCE.txt", "leaflet.markercluster/LICENSE.txt"),
    ("echarts/dist/echarts.min.js", "echarts/echarts.min.js"),
    ("echarts/LICENSE", "echarts/LICENSE.txt"),
    ("echarts/NOTICE", "echarts/NOTICE.txt"),
)


#: Edits that keep vendored code from naming anything on the internet: Leaflet's attribution
#: prefix links to leafletjs.com (switched off by map.js, but a link all the same) and its banner
#: names the site. What remains is the SVG namespace name "http://www.w3.org/2000/svg", which
#: createElementNS and xmlns need verbatim and which no browser ever fetches.
#: ECharts needs no edit: its minified build names no site outside its licence banner, only the
#: XML namespace names of its SVG renderer (svg, xlink, xmlns, XML), arguments of
#: ``createElementNS``/``setAttributeNS`` that are identifiers, never requested
#: (tests/web/test_web_assets.py lists them; the browser tests block and record any request).
OFFLINE_EDITS: dict[str, tuple[tuple[str, str], ...]] = {
    # (regular expression, replacement): the patterns match the links without spelling them out.
    "leaflet/leaflet.js": (
        (
            r'<a href="https?://[^"]*" title="A JavaScript library for interactive maps">',
            '<span title="A JavaScript library for interactive maps">',
        ),
        (r'"Leaflet</a>"', '"Leaflet</span>"'),
        (r"interactive maps\. https?://(leafletjs\.com)", r"interactive maps. (\1)"),
    ),
}


def offline_copy(dst_rel: str, data: bytes) -> bytes:
    """``data`` with the edits of ``OFFLINE_EDITS`` for the vendored file ``dst_rel``."""
    edits = OFFLINE_EDITS.get(dst_rel)
    if not edits:
        return data
    text = data.decode("utf-8")
    for pattern, new in edits:
        text = re.sub(pattern, new, text)
    return text.encode("utf-8")


def collect_vendor_assets(node_modules: Path | None = None, dest: Path | None = None) -> list[Path]:
    """Copy the vendored files from ``node_modules`` into ``static/vendor``; return the copies.

    Raises FileNotFoundError naming the missing file when ``npm ci`` has not run. Copies only
    when the content differs, so repeated runs leave timestamps alone.
    """
    src_root = node_modules or REPO_ROOT / "node_modules"
    dst_root = dest or VENDOR_DIR
    written: list[Path] = []
    for src_rel, dst_rel in VENDOR_FILES:
        src = src_root / src_rel
        if not src.is_file():
            raise FileNotFoundError(f"{src} is missing: run `npm ci` at the repository root first")
        dst = dst_root / dst_rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        data = offline_copy(dst_rel, src.read_bytes())
        if not dst.is_file() or dst.read_bytes() != data:
            dst.write_bytes(data)
        written.append(dst)
    return written
