"""Fixtures every browser test shares: one headless Chromium per test module."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.browser_support import launch_chromium
from tests.support import require_server


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (a missing one skips locally, fails in CI)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require_server("playwright is not installed (pip install playwright)")
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()
