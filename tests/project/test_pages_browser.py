"""The pages in a real browser: headless Chromium loads them from ``chalice local`` serving this
repository's ``data/``. Persian pages run right to left, nothing scrolls sideways on a 360 px
phone, every link of a record page answers, and axe-core finds no serious or critical
accessibility violation.

Set ``SCREENSHOTS_DIR=docs`` to write the README's screenshots there (``make screenshots``).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from chalicelib.checks.intake import DATA_DIR
from chalicelib.release.publish import publish
from chalicelib.store import open_store
from support.accessibility import axe_run
from support.browser import chromium, open_page, served_site, status, wait_until_loaded
from support.dataset import of
from support.minidata import RELEASE_EPOCH

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("pages-browser")]

RECORD = "/people/mostafa-pour-mohammadi"
EVENT = "/events/1988-prison-massacres"
VICTIM = "/people/abbas-bestareh"
PAGES = {
    "index": "/",
    "list": "/people",
    "claims list": "/claims?property=victim_count",
    "record": RECORD,
    "event": EVENT,
    "timeline": "/events",
    "search": "/search?q=evin",
    "Persian record": RECORD + "?lang=fa",
    "Persian timeline": "/events?lang=fa",
    "source": "/sources/amnesty-2018-blood-soaked-secrets",
    "victim": VICTIM,
    "Persian victim": VICTIM + "?lang=fa",
    "map": "/places",
    "Persian map": "/places?lang=fa",
    "place": "/places/evin-prison",
    "dataset": "/dataset",
    "Persian dataset": "/dataset?lang=fa",
    "contribute": "/contribute?kind=person",
    "Persian contribute": "/contribute?kind=person&lang=fa",
    "history": EVENT + "/history",
    "Persian history": EVENT + "/history?lang=fa",
    "Persian event": EVENT + "?lang=fa",
    "not found": "/no/such/page",
    "Persian not found": "/no/such/page?lang=fa",
}
# The pages the reader's screenshots show, in docs/screenshots/ (make screenshots).
SCREENSHOTS = {
    "victim": VICTIM,
    "official": RECORD,
    "event": EVENT,
    "dataset": "/dataset",
    "contribute": "/contribute?kind=person",
    "map": "/places",
    "not-found": "/no/such/page",
}
PHONE = 390
PHONE_WIDTH = 360


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    store = tmp_path_factory.mktemp("pages") / "store"
    publish(open_store(str(store)), DATA_DIR, epoch=RELEASE_EPOCH)
    with served_site(store) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with chromium() as driver:
        yield driver


@pytest.mark.parametrize("name", list(PAGES))
def test_each_page_loads_as_html_with_a_heading_and_its_stylesheet(browser, site, name):
    open_page(browser, site + PAGES[name])
    assert browser.find_element("tag name", "h1").text.strip(), name
    # The stylesheet applied (the CSP allows 'self' only): the header is a flex row.
    display = browser.execute_script(
        "return getComputedStyle(document.querySelector('header.site')).display"
    )
    assert display == "flex", name


def test_an_unknown_path_is_the_sites_404_page_with_the_other_language_a_click_away(browser, site):
    assert status(site + "/no/such/page") == 404
    assert status(site + "/no/such/page", accept="application/json") == 404
    open_page(browser, site + "/no/such/page?lang=fa")
    assert browser.execute_script("return document.documentElement.lang") == "fa"
    assert browser.find_element("tag name", "h1").text.startswith("یافت نشد")
    other = browser.find_element("css selector", "p.lang a").get_attribute("href")
    assert urlsplit(other).path == "/no/such/page"
    open_page(browser, other)
    assert browser.find_element("tag name", "h1").text.startswith("Not found")


def test_the_persian_page_runs_right_to_left(browser, site):
    open_page(browser, site + RECORD + "?lang=fa")
    assert browser.execute_script("return document.documentElement.lang") == "fa"
    assert browser.execute_script("return getComputedStyle(document.body).direction") == "rtl"
    # The Persian-script name is the title, and the other language is one click away.
    assert browser.find_element("tag name", "h1").text == "مصطفی پورمحمدی"
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.wait import WebDriverWait

    link = browser.find_element("css selector", "p.lang a")
    link.click()
    # Read the next page only once the old one is gone.
    WebDriverWait(browser, 30).until(expected_conditions.staleness_of(link))
    wait_until_loaded(browser)
    assert browser.execute_script("return getComputedStyle(document.body).direction") == "ltr"
    assert browser.find_element("tag name", "h1").text == "Mostafa Pour Mohammadi"


def test_the_english_record_shows_every_claim_with_its_quote_and_source(browser, site):
    open_page(browser, site + EVENT)
    table = browser.find_element("css selector", "h3#property-victim_count + .scroll table")
    rows = table.find_elements("css selector", "tbody tr")
    counts = [c for c in of("claims") if c["property"] == "victim_count"]
    assert len(rows) == len(counts) >= 10  # every victim_count, side by side
    # A row quotes its source wherever the claim has a quote (some were not seen on a page).
    quoted = [c for c in counts if any("quote" in s for s in c["sources"])]
    assert sum(bool(row.find_elements("tag name", "blockquote")) for row in rows) == len(quoted)


PHONE_PAGES = [*PAGES.values(), "/claims?lang=fa", "/people?lang=fa", EVENT + "?lang=fa"]


@pytest.mark.parametrize("path", PHONE_PAGES)
def test_nothing_scrolls_sideways_on_a_360_px_phone(browser, site, path):
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": PHONE_WIDTH, "height": 780, "deviceScaleFactor": 2, "mobile": True},
    )
    try:
        open_page(browser, site + path)
        scroll, client = browser.execute_script(
            "const e = document.documentElement; return [e.scrollWidth, e.clientWidth]"
        )
        assert client == PHONE_WIDTH
        assert scroll <= client, f"{path} is {scroll} px wide at {client} px"
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


@pytest.mark.parametrize("path", [RECORD, EVENT, RECORD + "?lang=fa"])
def test_every_link_on_a_record_page_answers(browser, site, path):
    open_page(browser, site + path)
    hrefs = browser.execute_script("return Array.from(document.links, a => a.href)")
    own = sorted({h.split("#")[0] for h in hrefs if h.startswith(site + "/")})
    assert len(own) > 15
    answers = {url: status(url) for url in own}
    assert {url: code for url, code in answers.items() if code not in (200, 308, 410)} == {}
    # Links to the world are only http(s): no data ever picks a scheme.
    assert all(urlsplit(h).scheme in ("http", "https") for h in hrefs)


@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_serious_or_critical_violation(browser, site, name):
    open_page(browser, site + PAGES[name])
    results, axe = axe_run(browser)
    assert results["passes"], "axe-core did not run"
    bad = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, axe.report(bad)


def _on_a_phone(browser, width: int = PHONE, height: int = 844):
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": True},
    )


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_a_victims_first_phone_screen_shows_name_place_date_and_age(browser, site, lang):
    _on_a_phone(browser)
    try:
        open_page(browser, f"{site}{VICTIM}?lang={lang}")
        bottoms = browser.execute_script(
            """
            const of = s => { const e = document.querySelector(s); return e ? e.getBoundingClientRect().bottom : null; };
            return [of('h1'), of('dl.facts dt + dd'), of('#property-killed_at, dl.facts dd a[href^="/places/"]'),
                    of('dl.facts dd .date'), of('dl.facts dd .count, dl.facts dd ul.facts li')];
            """
        )
        assert all(b is not None and b <= 844 for b in bottoms), bottoms
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_the_event_count_summary_sits_in_its_first_two_screens_at_1280(browser, site):
    open_page(browser, site + EVENT)
    top = browser.execute_script(
        "return document.querySelector('ol.counts').getBoundingClientRect().top"
    )
    height = browser.execute_script("return window.innerHeight")
    assert top < 2 * height, (top, height)


NOBREAK_PAGES = [VICTIM, EVENT, "/dataset", "/events"]


@pytest.mark.parametrize("path", NOBREAK_PAGES)
@pytest.mark.parametrize("lang", ["en", "fa"])
def test_no_date_or_id_breaks_across_lines_at_390_px(browser, site, path, lang):
    """Each date and id is one line box: its client rectangles all sit on one line. (A Persian
    interval may break between its two ends, at its plain spaces; each end is one date.)"""
    _on_a_phone(browser)
    try:
        open_page(browser, f"{site}{path}?lang={lang}")
        broken = browser.execute_script(
            """
            const out = [];
            for (const e of document.querySelectorAll('.date > bdi, bdi.nobreak, bdi.id')) {
              if (e.textContent.includes(' ') && !e.matches('.nobreak, .id')) continue;
              const tops = new Set(Array.from(e.getClientRects(), r => Math.round(r.top)));
              if (tops.size > 1) out.push(e.textContent);
            }
            return out;
            """
        )
        assert broken == []
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_the_map_draws_every_place_inside_iran_and_asks_nothing_of_another_host(browser, site):
    open_page(browser, site + "/places")
    points = browser.execute_script("return document.querySelectorAll('.map svg a circle').length")
    drawn = [
        p
        for p in of("places")
        if "tombstone" not in p
        and p["coordinates"]["basis"] in ("site", "city")
        and 43.5 <= p["coordinates"]["lon"] <= 63.8
    ]
    assert points == len(drawn) > 10
    requests = browser.execute_script(
        "return performance.getEntriesByType('resource').map(r => r.name)"
    )
    assert all(r.startswith(site) for r in requests), requests


def test_reader_screenshots_in_both_languages_at_1280_and_390(site, tmp_path):
    """The first screen of each page a reader is shown, written to SCREENSHOTS_DIR/screenshots
    when it is set (make screenshots), else to a temporary folder."""
    target = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path) / "screenshots"
    target.mkdir(parents=True, exist_ok=True)
    with chromium(width=1280, height=900) as driver:
        for width, height in ((1280, 900), (PHONE, 844)):
            driver.execute_cdp_cmd(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
            )
            for name, path in SCREENSHOTS.items():
                for lang in ("en", "fa"):
                    sep = "&" if "?" in path else "?"
                    open_page(driver, f"{site}{path}{sep}lang={lang}")
                    shot = target / f"{name}-{lang}-{width}.png"
                    assert driver.save_screenshot(str(shot))
                    assert shot.stat().st_size > 10_000
