"""Both HTML reports opened in headless Chromium: the DOM after the page's script ran.

The reports come from the demo chain on the bundled sample (reconcile through the emulator on
127.0.0.1, then exposure). Chromium is driven over the Chrome DevTools Protocol (a websocket per
page, ``websocket-client``); every network request the page makes is recorded. Skips, saying why,
when Chromium or ``websocket-client`` is missing (``.ci/run`` installs Chromium when it can).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)"
)


class Page:
    """One browser tab over CDP: navigate, evaluate JavaScript, and the requests it made."""

    def __init__(self, ws_url: str) -> None:
        websocket = pytest.importorskip("websocket", reason="websocket-client is not installed")
        self.ws = websocket.create_connection(ws_url, timeout=30)
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.next_id:
                assert "error" not in msg, msg
                result: dict[str, Any] = msg.get("result", {})
                return result
            self.events.append(msg)

    def wait_for(self, event: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == event for e in self.events):
            assert time.monotonic() < deadline, f"no {event} within {timeout}s"
            self.events.append(json.loads(self.ws.recv()))

    def open(self, path: Path) -> None:
        self.events.clear()
        self.call("Network.enable")
        self.call("Page.enable")
        self.call("Page.navigate", url=path.as_uri())
        self.wait_for("Page.loadEventFired")

    def js(self, expression: str) -> Any:
        got = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        assert "exceptionDetails" not in got, got
        return got["result"].get("value")

    def requests(self) -> list[str]:
        return [
            e["params"]["request"]["url"]
            for e in self.events
            if e.get("method") == "Network.requestWillBeSent"
        ]

    def close(self) -> None:
        self.ws.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tickermap.demo import run_demo

    out = tmp_path_factory.mktemp("demo")
    run_demo(out)
    return out


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    assert CHROMIUM is not None
    profile = tmp_path_factory.mktemp("chromium-profile")
    proc = subprocess.Popen(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-port=0",
         "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().count("\n") >= 1):
            assert proc.poll() is None, "chromium exited at start"
            assert time.monotonic() < deadline, "chromium did not open its DevTools port"
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
            targets = json.load(r)
        tab = next(t for t in targets if t["type"] == "page")
        page = Page(tab["webSocketDebuggerUrl"])
        yield page
        page.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _only_the_file_itself(page: Page, path: Path) -> None:
    """No request but the document (and data: URIs, which never leave the page)."""
    others = [u for u in page.requests() if u != path.as_uri() and not u.startswith("data:")]
    assert others == []
    assert path.as_uri() in page.requests()


def _visible(page: Page, table: str) -> list[str]:
    return list(
        page.js(
            f"Array.from(document.querySelectorAll('#{table} tbody tr'))"
            ".filter(r => !r.hidden).map(r => r.cells[0].textContent)"
        )
    )


def _set(page: Page, selector: str, value: str) -> None:
    page.js(
        f"(() => {{ const el = document.querySelector({json.dumps(selector)});"
        f" el.value = {json.dumps(value)};"
        " el.dispatchEvent(new Event('input', {bubbles: true}));"
        " el.dispatchEvent(new Event('change', {bubbles: true})); })()"
    )


def test_reconcile_report_in_a_browser(demo: Path, browser: Page) -> None:
    path = demo / "report.html"
    universe = pd.read_csv(demo / "universe.csv", dtype=str, keep_default_na=False)
    browser.open(path)
    _only_the_file_itself(browser, path)
    # every ticker of the universe is a row, after the script ran
    shown = _visible(browser, "universe")
    assert sorted(shown) == sorted(universe["bloomberg_ticker"])
    assert browser.js("document.querySelector('.filters .shown').textContent") == (
        f"{len(universe)} of {len(universe)} rows shown"
    )
    # free text hides the other rows
    box = ".filters[data-for=universe] input"
    _set(browser, box, "mmie")
    assert _visible(browser, "universe") == ["MMIE US"]
    _set(browser, box, "")
    # the status filter keeps exactly the rows of that status
    _set(browser, ".filters[data-for=universe] select[data-col='1']", "ok")
    want = universe[universe["status"] == "ok"]["bloomberg_ticker"]
    assert sorted(_visible(browser, "universe")) == sorted(want)
    assert 0 < len(want) < len(universe)
    # exchange on top of status: both must hold
    _set(browser, ".filters[data-for=universe] select[data-col='3']", "KS")
    both = universe[(universe["status"] == "ok") & (universe["exch_code"] == "KS")]
    assert sorted(_visible(browser, "universe")) == sorted(both["bloomberg_ticker"])
    _set(browser, ".filters[data-for=universe] select[data-col='1']", "")
    _set(browser, ".filters[data-for=universe] select[data-col='3']", "")
    # sorting by status puts the worst first (ok last)
    browser.js("document.querySelectorAll('#universe th')[1].click()")
    statuses = browser.js(
        "Array.from(document.querySelectorAll('#universe tbody tr'))"
        ".map(r => r.cells[1].textContent)"
    )
    assert statuses[-1] == "ok" and statuses[0] != "ok"
    # a ticker's link opens its evidence
    browser.js("document.querySelector('#universe tbody a').click()")
    time.sleep(0.3)
    assert browser.js("document.getElementById(location.hash.slice(1)).open") is True
    _only_the_file_itself(browser, path)


def test_exposure_report_in_a_browser(demo: Path, browser: Page) -> None:
    path = demo / "exposure.html"
    unmatched = pd.read_csv(demo / "exposure.unmatched.csv", dtype=str)
    features = pd.read_csv(demo / "exposure.csv")["feature"].unique()
    browser.open(path)
    _only_the_file_itself(browser, path)
    # every unmatched ticker is listed with its reason
    assert sorted(_visible(browser, "unmatched")) == sorted(unmatched["bloomberg_ticker"].unique())
    # the reason filter hides the other rows
    reason = unmatched["reason"].iloc[0]
    _set(browser, ".filters[data-for=unmatched] select", reason)
    want = unmatched[unmatched["reason"] == reason]["bloomberg_ticker"].unique()
    assert sorted(_visible(browser, "unmatched")) == sorted(want)
    # one small chart per feature; the selector shows one
    keys = browser.js("Array.from(document.querySelectorAll('.multiple')).map(e => e.dataset.key)")
    assert sorted(keys) == sorted(features)
    _set(browser, "select[data-show]", str(features[0]))
    shown = browser.js(
        "Array.from(document.querySelectorAll('.multiple')).filter(e => !e.hidden)"
        ".map(e => e.dataset.key)"
    )
    assert shown == [features[0]]
    # the coverage chart has the 80% line
    assert "80%" in browser.js("document.body.innerText")
    _only_the_file_itself(browser, path)


def test_the_request_check_sees_a_fetch(tmp_path: Path, browser: Page) -> None:
    # The detector itself: a page that loads an image from 127.0.0.1 is caught.
    path = tmp_path / "leaky.html"
    path.write_text("<!doctype html><img src='http://127.0.0.1:9/x.png'>", encoding="utf-8")
    browser.open(path)
    with pytest.raises(AssertionError):
        _only_the_file_itself(browser, path)
