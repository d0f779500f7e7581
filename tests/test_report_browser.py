"""The report in a real headless browser (Debian's chromium through its own chromedriver).

Selenium is driven with ``Service('/usr/bin/chromedriver')`` so Selenium Manager
never downloads a driver or browser: the test uses exactly the chromium that
``.ci/browser.sh`` installs from Debian. Skipped (with the reason) only when
chromium is absent and we are not in CI; in CI a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from report_helpers import HOSTILE_WORKERS, allocate_small_authority

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
ARTEFACTS = Path(__file__).resolve().parents[1] / "artefacts"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    "--window-size=1280,900",
)


def _browser_or_skip() -> None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if not missing:
        return
    message = f"{', '.join(missing)} not installed; run .ci/browser.sh"
    if os.environ.get("CI"):
        pytest.fail(f"in CI the browser test must run: {message}")
    pytest.skip(message)


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    _browser_or_skip()
    selenium = pytest.importorskip(
        "selenium", reason="selenium not installed (pip install selenium)"
    )
    del selenium
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="caseweight-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield browser
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def report_page(driver: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    proposal = allocate_small_authority(tmp_path_factory.mktemp("authority"))
    driver.get((proposal / "report.html").as_uri())
    return driver


def _by_css(driver: Any, selector: str) -> list[Any]:
    from selenium.webdriver.common.by import By

    return list(driver.find_elements(By.CSS_SELECTOR, selector))


def test_loads_with_no_console_errors_and_runs_no_injected_script(report_page: Any) -> None:
    from selenium.common.exceptions import NoAlertPresentException

    severe = [e for e in report_page.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert severe == []
    with pytest.raises(NoAlertPresentException):
        report_page.switch_to.alert.text  # noqa: B018
    assert HOSTILE_WORKERS["SW2"] in report_page.find_element("id", "load").text
    # our own script ran (the CSP hash matched): it fills in the filter count
    assert _by_css(report_page, '[data-count-for="moves-table"]')[0].text.endswith("shown")


def test_charts_are_drawn_with_a_size(report_page: Any) -> None:
    charts = _by_css(report_page, "svg.chart")
    assert len(charts) >= 5
    for chart in charts:
        assert chart.size["width"] > 100 and chart.size["height"] > 50
    bars = _by_css(report_page, "svg.load-chart .worker-bar")
    assert len(bars) == 8
    widths = [
        float(b.find_elements("css selector", "rect")[2].get_attribute("width")) for b in bars
    ]
    assert sum(w > 0 for w in widths) >= 6  # everyone but the leaver holds someone


def _points(driver: Any) -> list[float]:
    return list(
        driver.execute_script(
            "return Array.from(document.querySelectorAll('#moves-table tbody tr'))"
            ".map(r => parseFloat(r.cells[5].getAttribute('data-v')))"
        )
    )


def _shown(driver: Any, column: int) -> list[str]:
    """Text of ``column`` in the moves rows the browser actually shows (one round trip)."""
    return list(
        driver.execute_script(
            "return Array.from(document.querySelectorAll('#moves-table tbody tr'))"
            ".filter(r => r.offsetParent !== null).map(r => r.cells[arguments[0]].textContent)",
            column,
        )
    )


def test_clicking_a_header_sorts_the_table(report_page: Any) -> None:
    header = next(h for h in _by_css(report_page, "#moves-table thead th") if h.text == "Points")
    original = _points(report_page)
    header.click()
    assert header.get_attribute("aria-sort") == "ascending"
    assert _points(report_page) == sorted(original)
    header.click()
    assert header.get_attribute("aria-sort") == "descending"
    assert _points(report_page) == sorted(original, reverse=True)


def test_filters_hide_rows_that_do_not_match(report_page: Any) -> None:
    from selenium.webdriver.support.ui import Select

    total = len(_by_css(report_page, "#moves-table tbody tr"))
    select = Select(
        _by_css(report_page, 'select[data-filter-for="moves-table"][data-column="4"]')[0]
    )
    reason = select.options[1].text
    select.select_by_visible_text(reason)
    shown = _shown(report_page, 4)
    assert 0 < len(shown) < total
    assert set(shown) == {reason}
    select.select_by_index(0)
    box = _by_css(report_page, 'input[data-filter-for="moves-table"]')[0]
    box.send_keys("YP001")
    assert set(_shown(report_page, 0)) == {"YP001"}
    box.clear()
    box.send_keys(" ")  # clear() does not fire input; a blank query shows everything
    assert len(_shown(report_page, 0)) == total


def test_clicking_a_worker_bar_opens_their_list_of_young_people(report_page: Any) -> None:
    bar = _by_css(report_page, "svg.load-chart .worker-bar")[1]
    target = bar.get_attribute("data-target")
    report_page.execute_script(
        "arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", bar
    )
    assert report_page.find_element("id", target).get_attribute("open") is not None


def test_print_hides_navigation_and_filters(report_page: Any) -> None:
    report_page.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert not _by_css(report_page, "nav.toc")[0].is_displayed()
        assert not _by_css(report_page, ".filters")[0].is_displayed()
    finally:
        report_page.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def test_screenshot_saved_as_an_artefact(report_page: Any) -> None:
    report_page.refresh()  # as a manager first sees it: nothing sorted, filtered or opened
    report_page.execute_script("window.scrollTo(0, 0)")
    height = report_page.execute_script("return document.documentElement.scrollHeight")
    report_page.set_window_size(1280, min(int(height), 12000))
    ARTEFACTS.mkdir(exist_ok=True)
    target = ARTEFACTS / "report.png"
    assert report_page.save_screenshot(str(target))
    assert target.stat().st_size > 50_000
