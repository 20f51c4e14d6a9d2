"""Debian's Chromium driven by Playwright, and a static file server on loopback: what the browser tests use.

    with serve(Path("build/site")) as base, chromium() as browser:
        page = browser.new_page()
        page.goto(base + "index.html")

Playwright (PyPI, pinned in requirements-site.txt) is pointed at the system Chromium (``/usr/bin/chromium``,
Debian's package ``chromium``, which ``make setup`` installs while it is missing); nothing downloads a browser.
Chromium starts headless with a fresh profile and without its background services (updates, sync, safe
browsing, field trials), so that the only requests it makes are the pages' own.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import socket
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic", "--disable-default-apps", "--disable-extensions",
    "--disable-features=Translate,OptimizationHints,MediaRouter,DialMediaRouteProvider",
    "--metrics-recording-only", "--no-default-browser-check", "--disable-dev-shm-usage",
)


def chromium_path() -> str | None:
    """The system Chromium: ``$CHROMIUM`` if set, else the first of :data:`CHROMIUM_CANDIDATES` found."""
    if os.environ.get("CHROMIUM"):
        return os.environ["CHROMIUM"]
    return next((path for path in CHROMIUM_CANDIDATES if Path(path).exists()), None) or shutil.which("chromium")


def missing() -> str | None:
    """Why the browser tests cannot run here (no Playwright, no Chromium), or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed: make setup installs requirements-site.txt"
    if chromium_path() is None:
        return "Chromium is not installed: make setup installs Debian's package chromium (or set CHROMIUM=path)"
    return None


@contextlib.contextmanager
def chromium(timeout_ms: int = 30_000) -> Iterator[object]:
    """A headless Chromium (a Playwright ``Browser``) with a fresh profile, closed and removed afterwards.

    Args:
        timeout_ms: the default bound on every Playwright wait of the pages it opens.
    """
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if path is None:
        raise FileNotFoundError(missing())
    profile = tempfile.mkdtemp(prefix="course-chromium-")
    try:
        with sync_playwright() as p:
            context = p.chromium.launch_persistent_context(
                profile, executable_path=path, headless=True, args=list(CHROMIUM_FLAGS), timeout=timeout_ms,
                viewport={"width": 1280, "height": 900})
            context.set_default_timeout(timeout_ms)
            try:
                yield context
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 (a free port) in a thread; yield its base address, ending in ``/``."""
    folder = Path(folder)
    if not (folder / "index.html").is_file():
        raise FileNotFoundError(f"{folder} has no index.html; build the site first with make site.")
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
