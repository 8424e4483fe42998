"""The built study site, loaded in a real browser (Debian's headless Chromium, driven by
Selenium through the system chromedriver; .ci/run installs both): every page opens, every
image loads, every internal link and anchor resolves, and the claims page lists the whole
inventory. Its screenshot is left in build/book/claims.png for a person to look at."""

import os
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import NO_DATA

from alnb import book, paper_claims
from alnb.experiments import ROOT

BROWSER, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
NO_BROWSER = "headless Chromium not found: apt-get install chromium chromium-driver (CI does)"


@pytest.fixture(scope="module")
def site():
    if not os.environ.get("ALNB_DATA_DIR"):
        pytest.skip(NO_DATA)
    if not (BROWSER and DRIVER):
        if os.environ.get("CI"):
            pytest.fail(NO_BROWSER)
        pytest.skip(NO_BROWSER)
    return book.build(ROOT / "build" / "book")


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = BROWSER
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


BROKEN_IMAGES = "return [...document.images].filter(i => !(i.complete && i.naturalWidth > 0))" \
                ".map(i => i.src)"
LINKS = "return [...document.querySelectorAll('a[href]')].map(a => a.href)"


def _missing(href: str, html: Path) -> str | None:
    """Why an internal link does not resolve, or None."""
    url = urlsplit(href)
    target = Path(unquote(url.path))
    if not target.resolve().is_relative_to(html.resolve()):
        return f"{href} leaves the site"
    if target.is_dir():
        target = target / "index.html"
    if not target.exists():
        return f"{href}: no such file"
    if url.fragment and target.suffix == ".html" and \
            f'id="{unquote(url.fragment)}"' not in target.read_text():
        return f"{href}: no element with that id"
    return None


def test_every_page_opens_with_its_images_and_internal_links(site, browser):
    pages = sorted(p for p in site.rglob("*.html")
                   if not p.relative_to(site).parts[0].startswith("_"))  # theme fragments
    assert len(pages) >= 17  # index, 10 pages of book/, 6 notebooks
    problems = []
    for page in pages:
        browser.get(page.as_uri())
        assert browser.execute_script("return document.readyState") == "complete"
        assert browser.title, f"{page} has no title"
        problems += [f"{page.name}: image {src} did not load"
                     for src in browser.execute_script(BROKEN_IMAGES)]
        for href in browser.execute_script(LINKS):
            if href.startswith("file:"):
                why = _missing(href, site)
                problems += [f"{page.name}: {why}"] if why else []
    assert not problems, "\n".join(problems[:20])


def test_the_claims_page_lists_the_inventory_and_is_screenshot(site, browser):
    from selenium.webdriver.common.by import By

    browser.get((site / "book" / "claims.html").as_uri())
    ids = [e.get_attribute("id") for e in browser.find_elements(By.CSS_SELECTOR, ".claim-id")]
    assert ids == [c.id for c in paper_claims.CLAIMS]
    assert "By verdict" in browser.find_element(By.TAG_NAME, "body").text
    shot = site.parent / "claims.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000


def test_a_notebook_page_shows_its_figures_and_claims(site, browser):
    from selenium.webdriver.common.by import By

    browser.get((site / "notebooks" / "01_training_modes.html").as_uri())
    images = browser.find_elements(By.CSS_SELECTOR, "img")
    assert len(images) >= 8  # one per figure cell
    assert "Claims of Section 3, checked" in browser.find_element(By.TAG_NAME, "body").text
    assert "Margin beats Random early" in browser.find_element(By.TAG_NAME, "body").text
