"""Helpers for the web-page tests."""

from __future__ import annotations

import re

# src="http…", href="//…", url(http…) in a page: any of these would load something from outside.
EXTERNAL_URL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?(?:https?:)?//""", re.I)


def assert_no_external_assets(html: str) -> None:
    match = EXTERNAL_URL.search(html)
    assert match is None, f"external URL in page: {html[max(0, match.start() - 80) : match.end() + 80]}"
