"""JupyterLab in a real browser: the server `make lab` starts, on a free port with a token, driven in Chromium.

The test opens notebooks/00_setup.ipynb, clears its stored outputs and runs its first cells through the
interface (clicks and Shift+Enter), and sees their new output appear; then it opens a console on the same
kernel, starts an explorer, moves its slider with the keyboard and sees the picture change. The server runs
with its own settings (no autosave) and workspace folders, the notebook on disk is checked to be byte for
byte as it was, and the server and its kernels are stopped whatever happens. Every wait is bounded.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shlex
import shutil
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from course_tools import browser

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "00_setup.ipynb"
START_S = 90          # the server answering
KERNEL_MS = 120_000   # a cell that imports TensorFlow, on two cores
UI_MS = 30_000        # anything else the page does

_missing = browser.missing() or (None if shutil.which("make") else "needs GNU make (make lab-command)")
pytestmark = pytest.mark.skipif(_missing is not None and not os.environ.get("CI"), reason=f"{_missing}")


def lab_command() -> list[str]:
    """`make lab`'s command line, from the Makefile itself (LAB_FLAGS), without its set-up step."""
    done = subprocess.run(["make", "-s", "--no-print-directory", "-C", str(ROOT), "lab-command"], capture_output=True,
                          text=True, timeout=60, check=True)
    argv = shlex.split(done.stdout.strip())
    argv[0] = str(ROOT / argv[0]) if not Path(argv[0]).is_absolute() else argv[0]
    return argv


def _answering(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture
def lab(tmp_path):
    """The server on 127.0.0.1:<free port> with a random token; yields its base address and the token."""
    settings = tmp_path / "settings" / "@jupyterlab" / "docmanager-extension"
    settings.mkdir(parents=True)
    (settings / "plugin.jupyterlab-settings").write_text(json.dumps({"autosave": False}))
    port, token = browser.free_port(), secrets.token_hex(16)
    argv = lab_command() + [
        "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--LabApp.user_settings_dir={tmp_path / 'settings'}",
        f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}"]
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), COURSE_PROFILE="ci")
    log = open(tmp_path / "server.log", "w")
    server = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + START_S
        while not _answering(f"{base}api/status?token={token}"):
            if server.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(f"JupyterLab did not answer within {START_S} s (exit {server.poll()}):\n"
                            + (tmp_path / "server.log").read_text()[-3000:])
            time.sleep(0.5)
        yield base, token
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)           # the server and the kernels it started
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=20)
        log.close()


def _menu(page, menu: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=menu).first.click()
    page.locator(".lm-Menu-itemLabel", has_text=item).first.click()


def _run_cell(page, index: int) -> None:
    """Select cell ``index`` by clicking its prompt area, then run it with Shift+Enter."""
    cell = page.locator(".jp-NotebookPanel:visible .jp-Cell").nth(index)
    cell.locator(".jp-InputPrompt").first.click()
    page.keyboard.press("Escape")
    page.keyboard.press("Shift+Enter")


def test_lab_runs_the_first_cells_and_an_explorer_moves(lab):
    base, token = lab
    stored = hashlib.sha256(NOTEBOOK.read_bytes()).hexdigest()
    try:
        with browser.chromium(timeout_ms=UI_MS) as context:
            page = context.new_page()
            page.goto(f"{base}lab/tree/notebooks/{NOTEBOOK.name}?token={token}&reset", timeout=UI_MS)
            panel = page.locator(".jp-NotebookPanel:visible")
            panel.locator(".jp-Cell").first.wait_for(timeout=UI_MS)
            page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for(timeout=KERNEL_MS)
            panel.locator(".jp-OutputArea-output").first.wait_for(timeout=UI_MS)     # the stored outputs
            _menu(page, "Edit", "Clear Outputs of All Cells")
            page.wait_for_function("() => !document.querySelector('.jp-NotebookPanel .jp-OutputArea-output')",
                                   timeout=UI_MS)

            _run_cell(page, 1)                                                      # the setup cell
            setup = panel.locator(".jp-Cell").nth(1).locator(".jp-OutputArea-output")
            setup.filter(has_text="seed: 0").wait_for(timeout=KERNEL_MS)
            assert "profile: ci" in setup.inner_text() and "versions: Python" in setup.inner_text()
            _run_cell(page, 3)                                                      # the pins, against requirements.txt
            pins = panel.locator(".jp-Cell").nth(3).locator(".jp-OutputArea-output")
            pins.filter(has_text="pinned").first.wait_for(timeout=KERNEL_MS)
            assert "keras" in pins.inner_text() and "installed" in pins.inner_text()

            _menu(page, "File", "New Console for Notebook")
            prompt = page.locator(".jp-CodeConsole:visible .jp-CodeConsole-promptCell .cm-content")
            prompt.wait_for(timeout=UI_MS)
            prompt.click()
            page.keyboard.type("from course_utils import explorers\nexplorers.windows_explorer()")
            page.keyboard.press("Shift+Enter")
            console = page.locator(".jp-CodeConsole:visible")
            picture = console.locator(".widget-image").last
            picture.wait_for(timeout=KERNEL_MS)
            page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=picture.element_handle(),
                                   timeout=UI_MS)
            before = picture.get_attribute("src")
            readout = console.locator(".widget-slider", has_text="stride s").locator(".widget-readout").first
            assert readout.inner_text().strip() == "2"
            handle = console.locator(".widget-slider", has_text="stride s").locator(".noUi-handle").first
            handle.focus()
            page.keyboard.press("ArrowRight")                                        # stride 2 -> 3
            page.wait_for_function("([img, old]) => img.getAttribute('src') !== old && img.complete && img.naturalWidth > 0",
                                   arg=[picture.element_handle(), before], timeout=KERNEL_MS)
            assert readout.inner_text().strip() == "3"
            page.screenshot(path=str(_screenshot_path()), timeout=UI_MS)
    finally:
        assert hashlib.sha256(NOTEBOOK.read_bytes()).hexdigest() == stored, "the test changed the notebook on disk"


def _screenshot_path() -> Path:
    folder = ROOT / "build" / "site-screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "jupyterlab_explorer.png"
