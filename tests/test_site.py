"""The course site in a real browser: Debian's Chromium, driven by Playwright, on the site that `make site` builds.

Every page loads with no console error, no failed request and no request to another host; its mathematics is
typeset (no raw ``$$``); every image loads and has alt text; every link inside the site resolves, anchors
included. A screenshot of each page goes to build/site-screenshots/. The checks are functions of a page, and
the first tests run them on a small site with one fault of each kind, so each check is seen to fail.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

import nbformat
import pytest

from course_tools import browser
from course_tools import site as course_site

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "build" / "site"
SCREENSHOTS = ROOT / "build" / "site-screenshots"
CHAPTERS = course_site.chapters(ROOT / "notebooks")
PAGES = ["index.html", "search.html", "genindex.html", *[f"notebooks/{p.stem}.html" for p in CHAPTERS]]
WAIT_MS = 20_000

_missing = browser.missing()
pytestmark = pytest.mark.skipif(_missing is not None and not os.environ.get("CI"), reason=f"{_missing}")


# ------------------------------------------------------------------------------------------------ checks
class PageLog:
    """What a page did while it loaded: console errors, uncaught exceptions, requests and their failures."""

    def __init__(self, page) -> None:
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.failed: list[str] = []
        page.on("console", lambda m: self.errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))
        page.on("response", lambda r: self.failed.append(f"{r.url} (HTTP {r.status})") if r.status >= 400 else None)


def open_page(page, url: str) -> PageLog:
    """Load ``url`` and wait until the network is idle and MathJax, where the page has it, has typeset."""
    log = PageLog(page)
    page.goto(url, wait_until="networkidle", timeout=WAIT_MS)
    if page.evaluate("() => typeof window.MathJax !== 'undefined'"):
        page.wait_for_function("() => window.MathJax.startup && window.MathJax.startup.promise", timeout=WAIT_MS)
        page.evaluate("() => window.MathJax.startup.promise")
    page.evaluate("""() => Promise.all([...document.images].map(i => i.complete ? null :
                     new Promise(r => { i.onload = i.onerror = r; })))""")
    return log


def load_problems(log: PageLog, base: str) -> list[str]:
    """Console errors, uncaught exceptions, failed requests and requests to any host but the site's."""
    host = urlparse(base).netloc
    outside = sorted({u for u in log.requests if urlparse(u).scheme in ("http", "https", "ws", "wss")
                      and urlparse(u).netloc != host})
    return log.errors + [f"failed request: {f}" for f in log.failed] + [f"request to another host: {u}" for u in outside]


def math_problems(page) -> list[str]:
    """Raw TeX left in the text (``$$``, ``\\(``, ``\\[``) and maths elements MathJax did not typeset."""
    text = page.inner_text("body")
    found = [f"raw TeX {mark!r} in the page's text" for mark in ("$$", "\\(", "\\[") if mark in text]
    pending = page.evaluate("""() => [...document.querySelectorAll('.math')]
                                       .filter(e => !e.querySelector('mjx-container')).length""")
    if pending:
        found.append(f"{pending} maths element(s) not typeset by MathJax")
    return found


def image_problems(page) -> list[str]:
    """Images that did not load (naturalWidth 0) or have no alt text."""
    images = page.evaluate("""() => [...document.images].map(i => ({src: i.getAttribute('src'),
                                        width: i.naturalWidth, alt: (i.getAttribute('alt') || '').trim()}))""")
    found = [f"image does not load: {i['src']}" for i in images if i["width"] == 0]
    return found + [f"image has no alt text: {i['src']}" for i in images if not i["alt"]]


def link_problems(page, base: str, cache: dict[str, set[str] | None]) -> list[str]:
    """Links inside the site (same host) whose page does not exist or lacks the anchor they point to.

    ``cache`` maps a fetched address to the ids on it (None for a page that does not exist), shared between pages.
    """
    host = urlparse(base).netloc
    hrefs = page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))")
    found = []
    for href in dict.fromkeys(hrefs):
        target = urljoin(page.url, href)
        if urlparse(target).scheme not in ("http", "https") or urlparse(target).netloc != host:
            continue
        address, anchor = urldefrag(target)
        if address not in cache:
            response = page.request.get(address, timeout=WAIT_MS)
            if not response.ok:
                cache[address] = None
            elif "html" in response.headers.get("content-type", ""):
                cache[address] = set(re.findall(r'\bid="([^"]+)"', response.text()))
            else:
                cache[address] = set()
        ids = cache[address]
        if ids is None:
            found.append(f"broken link {href!r}: {address} does not exist")
        elif anchor and address == urldefrag(page.url)[0]:         # this page: its live document
            if page.evaluate("a => !document.getElementById(a)", anchor):
                found.append(f"broken link {href!r}: no element with id {anchor!r} on this page")
        elif anchor and anchor not in ids:
            found.append(f"broken link {href!r}: no element with id {anchor!r} on {address}")
    return found


# --------------------------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def built():
    """The site, built as `make site` builds it (a rebuild re-reads only the chapters that changed)."""
    return course_site.build(ROOT / "notebooks", output=SITE)


@pytest.fixture(scope="module")
def context():
    with browser.chromium(timeout_ms=WAIT_MS) as ctx:
        yield ctx


@pytest.fixture(scope="module")
def server(built):
    with browser.serve(SITE) as base:
        yield base


@pytest.fixture(scope="module")
def link_cache():
    return {}


# ------------------------------------------------------------------------------- the checks can fail
BROKEN_SITE = {
    "index.html": """<!doctype html><html><head><title>t</title><link rel="icon" href="data:,"></head><body>
        <p>$$x^2$$</p><a href="other.html">ok</a><a href="missing.html">gone</a><a href="other.html#nowhere">anchor</a>
        <a href="#here">here</a><span id="here"></span><img src="pixel.svg"><img src="none.png" alt="lost">
        <img src="http://198.51.100.7/x.png" alt="outside"><script>console.error("boom")</script></body></html>""",
    "other.html": '<!doctype html><html><head><link rel="icon" href="data:,"></head><body><p id="there">x</p></body></html>',
    "pixel.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="2" height="2"><rect width="2" height="2"/></svg>',
}


def test_each_check_reports_the_fault_it_looks_for(tmp_path, context):
    for name, text in BROKEN_SITE.items():
        (tmp_path / name).write_text(text)
    # Requests to another host are answered here (an offline machine could not tell them from failures).
    page = context.new_page()
    page.route(re.compile(r"^http://198\.51\.100\.7/.*"), lambda route: route.fulfill(status=404, body="no"))
    try:
        with browser.serve(tmp_path) as base:
            log = open_page(page, base + "index.html")
            loading = load_problems(log, base)
            links = link_problems(page, base, {})
            maths, images = math_problems(page), image_problems(page)
    finally:
        page.close()
    assert "console error: boom" in loading
    assert any("none.png (HTTP 404)" in p for p in loading)
    assert "request to another host: http://198.51.100.7/x.png" in loading
    assert links == ["broken link 'missing.html': " + base + "missing.html does not exist",
                     "broken link 'other.html#nowhere': no element with id 'nowhere' on " + base + "other.html"]
    assert maths == ["raw TeX '$$' in the page's text"]
    assert images == [f"image does not load: {'none.png'}", "image does not load: http://198.51.100.7/x.png",
                      "image has no alt text: pixel.svg"]


# ------------------------------------------------------------------------------------------ the site
def test_the_site_has_every_chapter_in_the_course_order(built, context, server):
    assert built["chapters"] == [p.stem for p in CHAPTERS] and len(CHAPTERS) >= 10
    page = context.new_page()
    try:
        page.goto(server + "index.html", timeout=WAIT_MS)
        toc = page.eval_on_selector_all("nav.bd-links a.reference.internal", "els => els.map(e => e.getAttribute('href'))")
    finally:
        page.close()
    chapters = [h for h in toc if h.startswith("notebooks/")]
    assert chapters == [f"notebooks/{p.stem}.html" for p in CHAPTERS]


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_cleanly_with_maths_images_and_links(name, built, context, server, link_cache):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = context.new_page()
    try:
        log = open_page(page, server + name)
        problems = load_problems(log, server) + math_problems(page) + image_problems(page) + \
            link_problems(page, server, link_cache)
        page.screenshot(path=str(SCREENSHOTS / (name.replace("/", "_").removesuffix(".html") + ".png")), timeout=WAIT_MS)
        images = page.evaluate("() => document.images.length")
    finally:
        page.close()
    assert problems == []
    if name.startswith("notebooks/"):
        nb = nbformat.read(ROOT / name.replace(".html", ".ipynb"), as_version=4)
        stored = sum("image/png" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))
        assert images >= stored, f"{stored} figures stored in the notebook, {images} images on the page"


def test_solutions_are_folded_away_and_each_chapter_links_its_notebooks(built, context, server):
    page = context.new_page()
    try:
        for path in CHAPTERS:
            nb = nbformat.read(path, as_version=4)
            solutions = sum("solution" in c.metadata.get("tags", []) for c in nb.cells)
            page.goto(server + f"notebooks/{path.stem}.html", timeout=WAIT_MS)
            folded = page.locator("details.hide.above-input:not([open])").count()
            assert folded == solutions, f"{path.name}: {solutions} solutions, {folded} folded"
            downloads = page.eval_on_selector_all(".course-downloads a.download", "els => els.map(e => e.href)")
            assert [u.rsplit("/", 1)[-1] for u in downloads] == [path.name, path.name]
            for url in downloads:
                copy = nbformat.reads(page.request.get(url, timeout=WAIT_MS).text(), as_version=4)
                assert len(copy.cells) == len(nb.cells)
    finally:
        page.close()


def test_search_finds_the_chapters_that_teach_a_word(built, context, server):
    page = context.new_page()
    try:
        started = time.perf_counter()
        page.goto(server + "search.html?q=pooling", timeout=WAIT_MS)
        page.wait_for_selector("#search-results li", timeout=WAIT_MS)
        hits = page.eval_on_selector_all("#search-results li a", "els => els.map(e => e.getAttribute('href'))")
    finally:
        page.close()
    assert any("05_pooling_and_invariance" in h for h in hits), hits
    assert time.perf_counter() - started < WAIT_MS / 1000


# ------------------------------------------------------------------------------ make setup's browser step
@pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")
@pytest.mark.parametrize("present", [True, False])
def test_make_installs_chromium_only_when_no_browser_is_there(tmp_path, present):
    """`make browser` (part of make setup) with a stand-in apt-get and sudo that record what they are asked."""
    calls = tmp_path / "calls"
    for name, body in (("apt-get", f'echo "apt-get $*" >> {calls}'), ("sudo", '[ "$1" = -n ] && shift; exec "$@"')):
        (tmp_path / name).write_text(f"#!/bin/sh\n{body}\n")
        (tmp_path / name).chmod(0o755)
    browsers = "/bin/sh" if present else str(tmp_path / "no-chromium")
    done = subprocess.run(["make", "--no-print-directory", "-C", str(ROOT), "browser", f"BROWSERS={browsers}"],
                          capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, PATH=f"{tmp_path}:{os.environ['PATH']}"))
    assert done.returncode == 0, done.stderr
    if present:
        assert not calls.exists() and done.stdout == ""
    else:
        assert calls.read_text().splitlines() == [
            "apt-get update -q", "apt-get install -y -q --no-install-recommends chromium fonts-liberation"]
        assert "installing Chromium" in done.stdout
