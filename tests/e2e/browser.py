"""What the browser tests share: Debian's Chromium, driven headless by Playwright (its own browser
downloads are never used), and a record of every request and page error."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

# `make test` installs Chromium when it is missing, so in CI this never skips.
requires_chromium = pytest.mark.skipif(
    shutil.which(CHROMIUM) is None, reason=f"{CHROMIUM} is not installed (`make test` installs it)"
)


@dataclass
class Traffic:
    """Everything the browser asked for, and what went wrong on the page."""

    urls: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def hosts(self) -> set[str]:
        return {urlsplit(u).netloc for u in self.urls if urlsplit(u).scheme in ("http", "https", "ws", "wss")}


def launch() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def recording_context(browser: Browser, **options: Any) -> Iterator[tuple[BrowserContext, Traffic]]:
    """A fresh context whose requests are recorded in the Traffic it yields with it."""
    context = browser.new_context(**options)
    context.set_default_timeout(20_000)
    traffic = Traffic()
    context.on("request", lambda request: traffic.urls.append(request.url))
    yield context, traffic
    context.close()
