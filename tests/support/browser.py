"""Headless Chromium (Debian's ``chromium`` and ``chromium-driver``) driven by Selenium, and the
API served over real HTTP for it to load.

A machine without Chromium fails these tests loudly: the pages are part of what ``make test``
checks, and a silent skip would let them break unseen.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from support.localserver import free_port, running

ROOT = Path(__file__).resolve().parents[2]
INSTALL_HINT = (
    "the browser tests need Chromium and its driver: "
    "`sudo apt-get install chromium chromium-driver` (Debian/Ubuntu); see the README"
)
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def chromium_paths() -> tuple[str, str]:
    """The Chromium binary and chromedriver, or a failed test that says how to install them."""
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if binary is None or driver is None:
        missing = " and ".join(
            name for name, path in (("chromium", binary), ("chromedriver", driver)) if not path
        )
        pytest.fail(f"{missing} not found on PATH: {INSTALL_HINT}", pytrace=False)
    return binary, driver


@contextmanager
def chromium(width: int = 1280, height: int = 1000, lang: str = "en-US"):
    """A headless Chromium session."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver_path = chromium_paths()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        f"--window-size={width},{height}",
        f"--lang={lang}",
        "--hide-scrollbars",
    ):
        options.add_argument(argument)
    # The console log, where Chromium reports Content-Security-Policy violations.
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def wait_until_loaded(driver, timeout: float = 30) -> None:
    """Wait for the page's load event. ``driver.get`` usually returns after it, but
    chromedriver can hand back control while the document is still "interactive" (seen in
    CI on a busy machine), so reading it at once would race the load."""
    from selenium.webdriver.support.wait import WebDriverWait

    WebDriverWait(driver, timeout).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )


def open_page(driver, url: str) -> None:
    """Load ``url`` and return once the page has finished loading."""
    driver.get(url)
    wait_until_loaded(driver)


@contextmanager
def served_site(store: Path):
    """The local server serving ``store`` on a free port, as ``make serve`` runs it."""
    port = free_port()
    command = [sys.executable, "-m", "devserver", "--host", "127.0.0.1", "--port", str(port)]
    env = {**os.environ, "DATASET_STORE": str(store)}
    with running(command, port, subprocess.DEVNULL, env) as base:
        yield base


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def status(url: str, accept: str = BROWSER_ACCEPT) -> int:
    """The status ``url`` answers a browser with, redirects not followed."""
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with _opener.open(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
