"""The large-print screen and the staff panel in a real headless Chromium (Debian's)."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.config import PROJECT_ROOT, TOKEN_ENV, Config
from kiosk.content import load_content
from kiosk.events import Alert
from kiosk.server import ServerHandle
from tests.fake_kiosk import TOKEN, FakeKiosk

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
LONG_ANSWER = " ".join(f"Sentence {n} of a long passage that is read aloud." for n in range(60))
CONTRAST = """(selector) => {
  const parse = (color) => color.match(/[\\d.]+/g).map(Number);
  const linear = (v) => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  const luminance = ([r, g, b]) => 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
  const element = document.querySelector(selector);
  let node = element, background = [255, 255, 255];
  for (; node; node = node.parentElement) {
    const found = parse(getComputedStyle(node).backgroundColor);
    if (found.length < 4 || found[3] > 0) { background = found; break; }
  }
  const [light, dark] = [luminance(parse(getComputedStyle(element).color)), luminance(background)]
    .sort((a, b) => b - a);
  return (light + 0.05) / (dark + 0.05);
}"""
SCREEN_TEXT = ("#state", ".label", "#question", "#answer")


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (make apt-test)")
    ARTIFACTS.mkdir(exist_ok=True)
    with playwright_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=str(CHROMIUM), headless=True, args=ARGS
        )
        yield context
        context.close()


def check_large_print(page: Any) -> None:
    for selector in SCREEN_TEXT:
        size = page.eval_on_selector(selector, "e => parseFloat(getComputedStyle(e).fontSize)")
        assert size >= 48, f"{selector} is {size} px"
        contrast = page.evaluate(CONTRAST, selector)
        assert contrast >= 7, f"{selector} contrast {contrast:.1f}:1"
    fits = "() => document.documentElement.scrollHeight <= innerHeight"
    assert page.evaluate(fits), "the page scrolls"
    answer = "e => e.scrollHeight <= e.clientHeight + 1"
    assert page.eval_on_selector("#answer", answer), "the answer is cut off"


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (1920, 1080)])
def test_screen_shows_the_answer_after_a_question(
    handle: ServerHandle, kiosk: FakeKiosk, browser: Any, width: int, height: int
) -> None:
    page = browser.new_page()
    page.set_viewport_size({"width": width, "height": height})
    page.goto(handle.url + "/")
    expect = playwright_api.expect
    expect(page.locator("#state")).to_have_text("Ready")
    assert not page.is_visible("text=You asked:")  # nothing asked yet
    kiosk.set(state="listening")
    expect(page.locator("#state")).to_have_text("Listening")
    kiosk.set(state="speaking", question="how long does it take", answer="About an hour.")
    expect(page.locator("#answer")).to_have_text("About an hour.")
    expect(page.locator("#question")).to_have_text("how long does it take")
    expect(page.locator("#state")).to_have_text("Speaking")
    assert page.get_attribute("#shape", "class") == "shape speaking"
    assert page.get_attribute("html", "lang") == "en"
    check_large_print(page)
    page.screenshot(path=str(ARTIFACTS / f"screen-answer-{width}x{height}.png"))
    kiosk.set(state="speaking", question="tell me everything", answer=LONG_ANSWER)
    expect(page.locator("#part")).to_contain_text("Part 1 of ")
    check_large_print(page)
    page.screenshot(path=str(ARTIFACTS / f"screen-long-answer-{width}x{height}.png"))


def log_in(page: Any, url: str, token: str) -> None:
    page.goto(url + "/staff")
    page.fill("#token", token)
    page.click("text=Use this token")


def test_staff_panel_button_starts_the_overview(
    handle: ServerHandle, kiosk: FakeKiosk, browser: Any
) -> None:
    kiosk.alerts.append(Alert("staff", "can i talk to someone"))
    kiosk.alerts.append(Alert("emergency", "i feel faint"))
    page = browser.new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, handle.url, TOKEN)
    expect = playwright_api.expect
    expect(page.locator(".alerts li.emergency")).to_contain_text("EMERGENCY")
    page.click("text=Play overview")
    expect(page.locator("#message")).to_have_text("Playing the overview.")
    assert kiosk.calls == ["overview"]
    expect(page.locator("#status")).to_contain_text("speaking")
    emergency = page.eval_on_selector(".alerts li.emergency", "e => getComputedStyle(e).fontSize")
    other = page.eval_on_selector(".alerts li.staff", "e => getComputedStyle(e).fontSize")
    assert float(emergency.removesuffix("px")) > float(other.removesuffix("px"))
    assert page.evaluate(CONTRAST, ".alerts li.emergency") >= 7
    page.screenshot(path=str(ARTIFACTS / "staff-panel.png"), full_page=True)


def test_staff_panel_with_a_wrong_token_does_nothing(
    handle: ServerHandle, kiosk: FakeKiosk, browser: Any
) -> None:
    page = browser.new_page()
    log_in(page, handle.url, "not-the-token")
    playwright_api.expect(page.locator("#message")).to_contain_text("not accepted")
    assert page.is_visible("#login") and not page.is_visible("#controls")
    assert kiosk.calls == []


def test_screen_forgets_the_question_after_a_minute_at_rest(
    handle: ServerHandle, kiosk: FakeKiosk, browser: Any
) -> None:
    page = browser.new_page()
    page.clock.install()
    page.goto(handle.url + "/")
    expect = playwright_api.expect
    kiosk.set(state="speaking", question="is it safe", answer="Your doctor will explain.")
    expect(page.locator("#question")).to_have_text("is it safe")
    kiosk.set(state="idle")
    expect(page.locator("#state")).to_have_text("Ready")
    page.clock.run_for(30_000)
    expect(page.locator("#question")).to_have_text("is it safe")
    page.clock.run_for(31_000)
    expect(page.locator("#question")).to_have_text("")
    expect(page.locator("#answer")).to_have_text("")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_health(port: int, kiosk: subprocess.Popen[str], log: Path) -> None:
    for _ in range(600):  # loading models and pre-rendering speech takes a while on 2 cores
        assert kiosk.poll() is None, f"kiosk run exited: {log.read_text()[-2000:]}"
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("GET", "/api/health")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.5)
        finally:
            connection.close()
    raise AssertionError("kiosk run never answered on its control port")


@pytest.fixture
def real_kiosk(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`kiosk run --typed` (the real runtime and matcher) with answers written to files."""
    port = free_port()
    config = tmp_path / "kiosk.yaml"
    config.write_text(f"server:\n  port: {port}\nusage:\n  database: usage.db\n")
    command = [sys.executable, "-m", "kiosk", "--config", str(config), "run", "--typed"]
    command += ["--answers-dir", str(tmp_path / "answers")]
    env = {**os.environ, TOKEN_ENV: TOKEN}
    log = tmp_path / "kiosk.log"
    with log.open("w") as output:
        kiosk = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=output, stderr=output, text=True, cwd=tmp_path,
            env=env,
        )  # fmt: skip
    try:
        wait_for_health(port, kiosk, log)
        yield f"http://127.0.0.1:{port}", kiosk
    finally:
        kiosk.kill()
        kiosk.wait(timeout=30)


def test_real_kiosk_screen_shows_the_answer_and_the_staff_button_starts_the_overview(
    real_kiosk: tuple[str, subprocess.Popen[str]], browser: Any
) -> None:
    url, kiosk = real_kiosk
    content = load_content(Config().content)
    expected = content.passage_texts(content.intent_passages("duration"))[0].split(".")[0]
    page = browser.new_page()
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(url + "/")
    expect = playwright_api.expect
    expect(page.locator("#state")).to_have_text("Ready", timeout=120_000)  # greeting done
    assert kiosk.stdin is not None
    kiosk.stdin.write("how long does the whole procedure take\n")
    kiosk.stdin.flush()
    question = page.locator("#question")
    expect(question).to_have_text("how long does the whole procedure take", timeout=60_000)
    expect(page.locator("#answer")).to_contain_text(expected, timeout=120_000)
    check_large_print(page)
    page.screenshot(path=str(ARTIFACTS / "screen-real-kiosk-1280x720.png"))
    staff = browser.new_page()
    log_in(staff, url, TOKEN)
    staff.click("text=Play overview")
    expect(staff.locator("#message")).to_have_text("Playing the overview.")
    opening = content.prompts["overview_start"].text.split(".")[0]
    expect(page.locator("#answer")).to_contain_text(opening, timeout=120_000)
    check_large_print(page)
    page.screenshot(path=str(ARTIFACTS / "screen-real-kiosk-overview-1280x720.png"))
