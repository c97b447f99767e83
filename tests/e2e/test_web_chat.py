"""The web chat page in a real browser: Debian's Chromium driven by Playwright."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from evaluation.expectations import DOCTOR_PROMPTS, ROOT
from knowledge.catalogue import default_catalogue
from knowledge.responses import response_text

CHROMIUM = "/usr/bin/chromium"
SCREENSHOT = ROOT / "tests" / "output" / "web-chat.png"
TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install chromium` (`make test` does, as root)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, web_url, stack) -> Page:
    context = browser.new_context(viewport={"width": 1100, "height": 800})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{web_url}/index.html?server={stack.url}")
    yield page
    context.close()


def open_chat(page: Page) -> None:
    page.locator(".rw-launcher").click()
    expect(page.locator(".rw-new-message")).to_be_visible()


def say(page: Page, text: str) -> None:
    page.locator(".rw-new-message").fill(text)
    page.locator(".rw-new-message").press("Enter")


def expect_reply(page: Page, text: str) -> None:
    expect(page.locator(".rw-response", has_text=text).last).to_be_visible()


# A reply that is exactly one of the doctor prompts (the welcome message also says "doctor").
DOCTOR_PROMPT = re.compile(r"^\s*(" + "|".join(re.escape(prompt) for prompt in DOCTOR_PROMPTS) + r")\s*$")


def expect_doctor_prompt_count(page: Page, at_least: int) -> None:
    """Wait until at least this many doctor prompts are shown."""
    expect(page.locator(".rw-response").filter(has_text=DOCTOR_PROMPT).nth(at_least - 1)).to_be_visible()


def test_describe_a_symptom_pick_a_suggestion_and_reload(page):
    catalogue = default_catalogue()
    # The disclaimer is the domain's, emergency numbers included.
    expect(page.locator(".disclaimer")).to_have_text(response_text("utter_disclaimer"))
    open_chat(page)
    # The welcome message says what the assistant does and that it is not a doctor.
    expect(page.locator(".rw-response").first).to_contain_text("not a doctor")

    say(page, "my head keeps pulling to the left on its own")
    dystonia = catalogue["cervical_dystonia"]
    expect_reply(page, dystonia.summary[:60])
    expect_doctor_prompt_count(page, 1)

    suggestion = page.locator(".rw-reply", has_text=catalogue[dystonia.related[0]].title).first
    expect(suggestion).to_be_visible()
    suggestion.click()
    expect_reply(page, catalogue[dystonia.related[0]].summary[:60])
    expect_doctor_prompt_count(page, 2)

    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))

    page.reload()
    # The widget restores its open or closed state from storage after it mounts.
    expect(page.locator(".rw-launcher")).to_be_visible()
    try:
        page.locator(".rw-new-message").wait_for(state="visible", timeout=3000)
    except PlaywrightTimeoutError:
        open_chat(page)
    expect_reply(page, dystonia.summary[:60])
    expect_reply(page, catalogue[dystonia.related[0]].summary[:60])


def test_an_emergency_message_stands_out(page):
    open_chat(page)
    say(page, "I suddenly have the worst headache of my life")
    emergency = page.locator(".rw-response.emergency")
    expect(emergency.first).to_be_visible()
    expect(emergency.first).to_contain_text("EMERGENCY")
    color = emergency.first.evaluate("element => getComputedStyle(element).backgroundColor")
    assert color == "rgb(179, 38, 30)"
    # Only the emergency message: the doctor prompt after it is an ordinary reply.
    expect(page.locator(".rw-response").last).not_to_have_class("rw-response emergency")
    assert emergency.count() == 1


MARKUP = [
    '<img src=x onerror="window.__injected = 1">',
    "<script>window.__injected = 2</script>",
    '<a href="javascript:window.__injected = 3">neck</a>',
    "[neck](javascript:window.__injected=4) **bold** <b>tag</b>",
]


def test_markup_typed_into_the_chat_is_shown_as_text_never_run(page):
    open_chat(page)
    for text in MARKUP:
        say(page, text)
        # The person's own message is shown exactly as typed, as text.
        expect(page.locator(".rw-client", has_text=text).last).to_be_visible()
    page.wait_for_timeout(2000)
    assert page.evaluate("window.__injected") is None
    # Nothing the person typed came back inside the assistant's replies as markup.
    assert page.locator(".rw-response img, .rw-response script, .rw-response a[href^='javascript']").count() == 0
    for link in page.locator(".rw-client a").all():
        assert not (link.get_attribute("href") or "").startswith("javascript")


def stored_session_id(page: Page) -> str | None:
    """The conversation id rasa-webchat keeps in the browser."""
    return page.evaluate("(JSON.parse(localStorage.getItem('chat_session') || '{}') || {}).session_id || null")


def test_the_visit_summary_is_shown_and_prints_alone(page):
    open_chat(page)
    say(page, "my head keeps pulling to the left on its own")
    expect_doctor_prompt_count(page, 1)
    say(page, "[neck](javascript:window.__injected=5) <img src=x onerror='window.__injected=6'>")
    expect_doctor_prompt_count(page, 1)
    say(page, "what should I tell my doctor")

    summary = page.locator(".rw-response.visit-summary")
    expect(summary).to_have_count(1)
    expect(summary).to_contain_text('"my head keeps pulling to the left on its own"')
    expect(summary).to_contain_text(default_catalogue()["cervical_dystonia"].title)
    button = summary.locator(".print-summary")
    expect(button).to_have_text(response_text("utter_print_summary"))
    # The person's own words are quoted as text, never run.
    assert page.locator(".visit-summary img, .visit-summary script, .visit-summary a[href^='javascript']").count() == 0
    assert page.evaluate("window.__injected") is None

    page.evaluate("window.print = () => { window.__printed = true; }")
    button.click()
    assert page.evaluate("window.__printed") is True
    page.emulate_media(media="print")
    visibility = "element => getComputedStyle(element).visibility"
    assert summary.evaluate(visibility) == "visible"
    assert page.locator(".disclaimer").evaluate(visibility) == "hidden"
    assert page.locator(".rw-client").first.evaluate(visibility) == "hidden"
    assert not button.is_visible()
    page.emulate_media(media="screen")


def test_forgetting_erases_the_conversation_on_the_server_and_in_the_page(page, stack):
    open_chat(page)
    say(page, "my head keeps pulling to the left on its own")
    expect_doctor_prompt_count(page, 1)
    session_id = stored_session_id(page)
    assert session_id and stack.tracker(session_id)["events"]

    say(page, "please forget me")
    page.locator(".rw-reply", has_text="Yes, delete it").first.click()

    # The page reloads without its stored copy and says what happened.
    expect(page.locator("#notice")).to_have_text(response_text("utter_conversation_forgotten"))
    expect(page.locator(".rw-launcher")).to_be_visible()
    try:
        page.locator(".rw-new-message").wait_for(state="visible", timeout=3000)
    except PlaywrightTimeoutError:
        open_chat(page)
    expect(page.locator(".rw-response").first).to_be_visible()
    assert page.locator(".rw-client", has_text="pulling to the left").count() == 0
    assert stored_session_id(page) != session_id
    assert not [event for event in stack.tracker(session_id)["events"] if event["event"] in ("user", "bot")]
