"""/contribute in a real browser (headless Chromium), over real HTTP (the local server), with
axe-core's accessibility checks, under the page's own Content-Security-Policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.accessibility import axe_run
from support.browser import chromium, open_page, served_site, wait_until_loaded

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("contribute-browser")]


@pytest.fixture(scope="module")
def base_url(dir_served):
    """The local server serving the API dataset, as `make serve` runs it."""
    with served_site(Path(dir_served.url)) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium; without it the test fails and says how to install it."""
    with chromium() as driver:
        yield driver


def violations(browser) -> list[str]:
    results, _ = axe_run(browser)
    assert len(results["passes"]) > 10  # axe did run its rules on the page
    return [f"{v['id']}: {v['help']}" for v in results["violations"]]


def csp_reports(browser) -> list[str]:
    return [e["message"] for e in browser.get_log("browser") if "Content Security" in e["message"]]


@pytest.mark.parametrize(
    "path",
    [
        "/contribute",
        "/contribute?lang=fa",
        "/contribute?kind=claim",
        "/contribute?kind=event&lang=fa",
    ],
)
def test_each_page_passes_axe_and_breaks_no_csp_rule(browser, base_url, path):
    open_page(browser, base_url + path)
    assert browser.find_element("tag name", "h1").text
    assert violations(browser) == []
    assert csp_reports(browser) == []


def submit(browser, selector: str) -> None:
    """Click a submit button and wait for the page it loads: reading the next page's
    elements before the old one is gone finds nothing, or the old page's."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.wait import WebDriverWait

    button = browser.find_element("css selector", selector)
    button.click()

    def gone(driver) -> bool:
        # chromedriver reports a node of the unloaded page either as stale or, at times, as
        # "Node with given id does not belong to the document": both mean the page moved on.
        try:
            return expected_conditions.staleness_of(button)(driver)
        except WebDriverException as error:
            if "does not belong to the document" in str(error):
                return True
            raise

    WebDriverWait(browser, 30).until(gone)
    wait_until_loaded(browser)


def test_a_broken_record_submitted_through_the_form_shows_its_errors_beside_the_fields(
    browser, base_url
):
    from selenium.webdriver.support.select import Select

    open_page(browser, base_url + "/contribute")
    Select(browser.find_element("id", "kind")).select_by_value("person")
    submit(browser, 'form[action="/contribute"][method=get] button')
    browser.find_element("id", "f-name").send_keys("Jane Example")
    browser.find_element("id", "f-names-0-name").send_keys("Jane Example")
    browser.find_element("id", "f-names-0-lang").send_keys("english")
    browser.find_element("id", "f-sources-0-source").send_keys("sources/no-such-report")
    submit(browser, "button[value=check]")

    lang = browser.find_element("id", "f-names-0-lang")
    assert lang.get_attribute("aria-invalid") == "true"
    assert lang.get_attribute("value") == "english"
    beside = browser.find_element("id", "f-names-0-lang-errors")
    assert "does not match the pattern" in beside.text
    assert beside.get_attribute("id") in lang.get_attribute("aria-describedby")
    source = browser.find_element("id", "f-sources-0-source-errors")
    assert "sources/no-such-report does not exist" in source.text
    assert "'categories' is required" in browser.find_element("id", "f-categories-errors").text
    assert "problem" in browser.find_element("id", "problems").text
    assert violations(browser) == []

    # Fixed, the record is valid and offered for download.
    lang.clear()
    lang.send_keys("en")
    source_input = browser.find_element("id", "f-sources-0-source")
    source_input.clear()
    source_input.send_keys("sources/amnesty-2018-report")
    browser.find_element("id", "f-categories-2").click()
    submit(browser, "button[value=check]")
    assert "data/people/jane-example.json" in browser.find_element("id", "valid").text
    assert browser.find_element("css selector", "button[value=download]")
    assert violations(browser) == []


def test_a_broken_record_on_the_persian_form_shows_persian_problems_axe_passes(browser, base_url):
    open_page(browser, base_url + "/contribute?kind=person&lang=fa")
    browser.find_element("id", "f-name").send_keys("Jane Example")
    browser.find_element("id", "f-born").send_keys("summer 1960")
    submit(browser, "button[value=check]")
    born = browser.find_element("id", "f-born-errors").text
    assert "تاریخی به صورت EDTF نیست" in born and "1988-07-28" in born
    assert (
        "«دسته‌ها» (/categories) را باید پر کنید."
        in browser.find_element("id", "f-categories-errors").text
    )
    assert violations(browser) == []
