"""The chat widget (widget/) in Debian's chromium, against Veivis started like `make run`.

Every test talks to the real bot through the page, with the page's strict CSP on
(except the axe test, which has to inject axe-core). Waits are conditions, never sleeps.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Iterator, List
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

OFFLINE_TEXT = (
    "Jeg får ikke kontakt med Veivis akkurat nå. Prøv igjen om litt. Er noen i fare, ring 113."
)
TRIAGE_HEADINGS = {
    "emergency": "Ring 113 nå",
    "urgent": "Legevakt i dag",
    "gp": "Fastlege snart",
    "self_help": "Informasjon og støtte",
}
USER = ".msg--user .bubble__text"  # the user's words, without the hidden «Du skrev:»
# The answer to pick in each button set of the self-check, in order of preference.
SELF_CHECK_CHOICES = ["Meg selv", "Kokain", "Hver uke", "Ett år eller mer", "Ingen plager", "Nei"]

# The first reply of a fresh Rasa can be slow; the offline message takes 1 + 2 + 4 s of retries.
expect.set_options(timeout=30_000)


# ------------------------------------------------------------------ fixtures


# Module scope: Playwright's sync API runs an event loop until it is stopped, which would
# break asyncio in tests that run after these in the same session.
@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run make deps")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def new_context(chromium: Browser, **kwargs) -> BrowserContext:
    options = {"viewport": {"width": 1280, "height": 800}, "locale": "nb-NO", **kwargs}
    context = chromium.new_context(**options)
    context.set_default_timeout(30_000)
    return context


@pytest.fixture
def context(chromium: Browser) -> Iterator[BrowserContext]:
    context = new_context(chromium)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext, servers) -> Page:
    return open_widget(context.new_page(), servers.url)


# ------------------------------------------------------------------ helpers


def open_widget(page: Page, url: str) -> Page:
    """Load the widget and wait for the automatic greeting."""
    page.goto(url)
    expect(page.locator(".msg--bot").first).to_be_visible()
    wait_idle(page)
    return page


def wait_idle(page: Page) -> None:
    expect(page.locator("#app")).to_have_attribute("data-busy", "false")


def bot_count(page: Page) -> int:
    return page.locator(".msg--bot").count()


def wait_for_reply(page: Page, bots_before: int) -> None:
    """More bot messages than before, and no request under way (no page eval: the CSP)."""
    expect(page.locator(".msg--bot").nth(bots_before)).to_be_attached()
    wait_idle(page)


def say(page: Page, text: str) -> None:
    """Type a message, press Enter, wait for the bot's answer."""
    before = bot_count(page)
    page.get_by_label("Skriv en melding").fill(text)
    page.get_by_label("Skriv en melding").press("Enter")
    expect(page.locator(USER).last).to_have_text(text)
    wait_for_reply(page, before)


def latest_replies(page: Page):
    return page.locator(".quick-replies").last


def click_reply(page: Page, title: str) -> None:
    before = bot_count(page)
    latest_replies(page).get_by_role("button", name=title, exact=True).click()
    expect(page.locator(USER).last).to_have_text(title)
    wait_for_reply(page, before)


def finish_self_check_by_buttons(page: Page) -> List[str]:
    """From the greeting: «Sjekk min egen bruk», then one button per question."""
    click_reply(page, "Sjekk min egen bruk")
    clicked = ["Sjekk min egen bruk"]
    for _ in range(8):
        if page.locator(".triage").count():
            break
        if not latest_replies(page).locator("button:enabled").count():
            said = page.locator(".msg--bot").last.inner_text()
            pytest.fail(f"no outcome and no new question; the bot said: {said!r}")
        titles = latest_replies(page).get_by_role("button").all_inner_texts()
        choice = next((t for t in SELF_CHECK_CHOICES if t in titles), None)
        assert choice, f"no known answer among the buttons {titles}"
        click_reply(page, choice)
        clicked.append(choice)
    expect(page.locator(".triage").last).to_be_visible()
    return clicked


def assert_triage_card(page: Page) -> str:
    card = page.locator(".triage").last
    expect(card).to_be_visible()
    level = card.get_attribute("data-triage")
    assert level in TRIAGE_HEADINGS
    expect(card.get_by_role("heading")).to_have_text(TRIAGE_HEADINGS[level])
    calls = card.locator("a[href^='tel:']")
    assert calls.count() >= 1
    for href in [calls.nth(i).get_attribute("href") for i in range(calls.count())]:
        assert re.fullmatch(r"tel:\d+", href), href
    return level


def storage(page: Page) -> dict:
    return page.evaluate("() => JSON.parse(localStorage.getItem('veivis.chat.v1'))")


# ------------------------------------------------------------------ 1–3 conversations


def test_self_check_by_buttons_ends_with_a_triage_card(page: Page):
    expect(page.locator(".msg--bot").first).to_contain_text("Veivis")
    expect(page.get_by_role("link", name="Ring 113").first).to_have_attribute("href", "tel:113")

    clicked = finish_self_check_by_buttons(page)

    assert page.locator(USER).all_inner_texts() == clicked
    assert_triage_card(page)
    expect(page.locator(".bubble--summary")).to_contain_text("Oppsummering av sjekken")
    # Used button sets are disabled; the clicked answer stays marked.
    first_set = page.locator(".quick-replies").first
    for button in first_set.get_by_role("button").all():
        expect(button).to_be_disabled()
    expect(first_set.locator(".is-chosen")).to_have_text("Sjekk min egen bruk")


def test_self_check_by_typing_ends_with_a_triage_card(page: Page):
    say(page, "Jeg vil sjekke min egen bruk")
    for answer in ["kokain", "hver helg", "et par år", "ingen", "nei"]:
        assert not page.locator(".triage").count(), "the outcome came before all questions"
        say(page, answer)
    if not page.locator(".triage").count():
        said = page.locator(".msg--bot").last.inner_text()
        pytest.fail(f"no outcome after the last answer; the bot said: {said!r}")
    assert_triage_card(page)
    expect(page.locator(".bubble--summary")).to_contain_text("Oppsummering av sjekken")


def test_emergency_card_with_113_is_the_first_reply(page: Page):
    say(page, "kjæresten min puster ikke")
    first_reply = page.locator(".msg--user").last.locator("xpath=following-sibling::div[1]")
    card = first_reply.locator(".triage")
    expect(card).to_have_attribute("data-triage", "emergency")
    expect(card.get_by_role("heading")).to_have_text("Ring 113 nå")
    expect(card.locator("a[href='tel:113']")).to_be_visible()
    expect(card).to_contain_text("Akutt")  # a text label, not colour alone


def test_bot_text_is_formatted_with_safe_links(page: Page):
    say(page, "Hvem kan jeg ringe?")
    reply = page.locator(".bubble--bot").filter(has_text="RUSinfo").last
    expect(reply.locator("li").first).to_be_visible()  # "- " lines are a list
    expect(reply.locator("strong").first).to_be_visible()  # **bold**
    assert "**" not in reply.inner_text()
    link = reply.get_by_role("link", name="rusinfo.no")
    expect(link).to_have_attribute("href", "https://rusinfo.no/")  # bare domain → https
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    for href in page.locator("#log a").evaluate_all("links => links.map(a => a.href)"):
        assert href.startswith(("https://", "http://", "tel:")), href


def test_the_card_texts_and_the_summary_button_come_from_the_payload(page: Page):
    """The widget holds no copy of the levels' texts and no summary marker: it shows what
    the payload says (the bot's answer replaced by one the widget has never seen)."""
    replies = [
        {"custom": {"triage": "urgent", "heading": "Overskrift fra boten", "badge": "Merke",
                    "lead": "Ledetekst fra boten.",
                    "contacts": [{"name": "Legevakt", "phone": "116 117", "url": ""}]}},
        {"text": "Et sammendrag uten noen kjent overskrift"},
        {"custom": {"summary": True}},
        {"text": "Bare tekst"},
    ]  # fmt: skip
    page.route(
        "**/webhooks/rest/webhook",
        lambda route: route.fulfill(status=200, json=replies),
    )
    say(page, "hva som helst")
    card = page.locator(".triage").last
    expect(card).to_have_attribute("data-triage", "urgent")
    expect(card.get_by_role("heading")).to_have_text("Overskrift fra boten")
    expect(card.locator(".triage__badge")).to_have_text("Merke")
    expect(card.locator(".triage__lead")).to_have_text("Ledetekst fra boten.")
    expect(card.get_by_role("link", name="Ring 116 117")).to_have_attribute("href", "tel:116117")
    summary_row = page.locator(".msg--bot").filter(has_text="Et sammendrag")
    expect(summary_row.locator(".bubble--summary")).to_be_visible()
    expect(page.locator(".save-summary")).to_have_count(1)  # «Bare tekst» has none
    summary_row.get_by_role("button", name="Lagre oppsummering").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Et sammendrag uten noen kjent overskrift")
    expect(dialog.locator(".triage")).to_contain_text("Overskrift fra boten")


# ------------------------------------------------------------------ 4 persistence and restart


def test_reload_keeps_the_conversation_and_restart_clears_it(page: Page):
    say(page, "Hvem kan jeg ringe?")
    log_before = page.locator("#log").inner_text()
    sender = storage(page)["sender"]
    bots = bot_count(page)

    page.reload()
    expect(page.locator(USER)).to_have_text(["Hvem kan jeg ringe?"])
    wait_idle(page)
    assert bot_count(page) == bots  # no second greeting
    assert page.locator("#log").inner_text() == log_before
    assert storage(page)["sender"] == sender

    page.get_by_role("button", name="Start på nytt").click()
    expect(page.locator(USER)).to_have_count(0)
    expect(page.locator(".msg--bot").first).to_contain_text("Veivis")  # a new greeting
    wait_idle(page)
    data = storage(page)
    assert data["sender"] != sender
    assert all(e["from"] == "bot" for e in data["transcript"])
    page.reload()
    expect(page.locator(".msg--bot").first).to_be_visible()
    expect(page.locator(USER)).to_have_count(0)


def stored_rows(servers, sender: str) -> int:
    with sqlite3.connect(servers.tracker_db) as db:
        query = "SELECT COUNT(*) FROM events WHERE sender_id = ?"
        return db.execute(query, (sender,)).fetchone()[0]


def test_delete_removes_the_conversation_here_and_on_the_server(page: Page, servers):
    say(page, "Hvem kan jeg ringe?")
    sender = storage(page)["sender"]
    assert stored_rows(servers, sender) > 0
    dialogs: List[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.accept()))

    page.get_by_role("button", name="Slett samtalen").click()

    expect(page.get_by_role("status").filter(has_text="slettet")).to_have_text(
        re.compile("Samtalen er slettet fra denne nettleseren og fra serveren")
    )
    assert dialogs and "kan ikke hentes tilbake" in dialogs[0]
    expect(page.locator("#log .msg")).to_have_count(0)
    assert stored_rows(servers, sender) == 0
    assert storage(page) is None  # nothing left in this browser
    expect(page.get_by_role("button", name="Start en ny samtale")).to_be_focused()
    page.reload()
    expect(page.locator(".msg--bot").first).to_be_visible()  # a new greeting, a new id
    expect(page.locator(USER)).to_have_count(0)
    wait_idle(page)
    assert storage(page)["sender"] != sender


def test_a_failed_delete_keeps_the_conversation_and_says_so(page: Page, servers):
    say(page, "Hvem kan jeg ringe?")
    sender = storage(page)["sender"]
    page.on("dialog", lambda d: d.accept())
    page.route("**/webhooks/rest/conversation/**", lambda route: route.abort())

    page.get_by_role("button", name="Slett samtalen").click()

    expect(page.get_by_role("alert")).to_contain_text("Samtalen ble ikke slettet")
    expect(page.locator(USER)).to_have_text(["Hvem kan jeg ringe?"])
    assert storage(page)["sender"] == sender
    assert stored_rows(servers, sender) > 0


# ------------------------------------------------------------------ 5 escaping


def test_html_typed_by_the_user_is_shown_as_text(page: Page):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    attacks = ["<script>window.__xss=1</script>", '<img src=x onerror="window.__xss=1">']
    for attack in attacks:
        say(page, attack)
    expect(page.locator(USER)).to_have_text(attacks)
    assert page.locator("#log img, #log script").count() == 0
    page.reload()
    expect(page.locator(USER)).to_have_text(attacks)
    assert page.evaluate("() => typeof window.__xss") == "undefined"
    assert page.locator("#log img, #log script").count() == 0
    assert not dialogs


# ------------------------------------------------------------------ 6 nothing leaves localhost


def test_no_request_leaves_localhost(context: BrowserContext, servers):
    urls: List[str] = []
    context.on("request", lambda r: urls.append(r.url))
    page = open_widget(context.new_page(), servers.url)
    finish_self_check_by_buttons(page)
    say(page, "hva er nalokson?")
    page.get_by_role("button", name="Lagre oppsummering").last.click()
    expect(page.locator("#summary")).to_be_visible()
    page.reload()
    expect(page.locator(".triage").last).to_be_visible()

    assert any("/webhooks/rest/webhook" in u for u in urls)
    assert any(u.endswith("/widget/veivis.js") for u in urls)
    for url in urls:
        if url.startswith(("data:", "blob:")):
            url = url.split(":", 1)[1] if url.startswith("blob:") else "http://localhost/"
        assert urlparse(url).hostname in {"localhost", "127.0.0.1"}, url


# ------------------------------------------------------------------ 7 axe-core


def run_axe(page: Page, label: str) -> None:
    if page.evaluate("() => typeof window.axe === 'undefined'"):
        page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    assert results["passes"], "axe did not check anything"
    serious = []
    for v in results["violations"]:
        targets = [n["target"] for n in v["nodes"]][:5]
        print(f"[axe {label}] {v['impact']}: {v['id']} – {v['help']} {targets}")
        if v["impact"] in ("serious", "critical"):
            serious.append(f"{v['id']}: {v['help']} {targets}")
    assert not serious, f"axe ({label}): " + "; ".join(serious)


def test_axe_finds_no_serious_or_critical_violations(chromium: Browser, servers):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci`")
    context = new_context(chromium, bypass_csp=True)
    try:
        page = open_widget(context.new_page(), servers.url)
        run_axe(page, "greeting")
        finish_self_check_by_buttons(page)
        run_axe(page, "outcome")
        page.emulate_media(color_scheme="dark")
        run_axe(page, "outcome, dark")
        page.emulate_media(color_scheme="light")
        page.get_by_role("button", name="Lagre oppsummering").last.click()
        expect(page.locator("#summary")).to_be_visible()
        run_axe(page, "summary")
        page.get_by_role("button", name="Lukk").click()
        page.route("**/webhooks/rest/webhook", lambda route: route.abort())
        page.get_by_label("Skriv en melding").fill("hei")
        page.get_by_label("Skriv en melding").press("Enter")
        expect(page.get_by_role("alert")).to_contain_text("113")
        run_axe(page, "offline")
    finally:
        context.close()


# ------------------------------------------------------------------ 8 keyboard


def test_keyboard_only_reply_button(page: Page):
    page.locator("body").focus()
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.classList.contains('quick-reply')"):
            break
    else:
        pytest.fail("Tab never reached a reply button")
    focused = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return {text: document.activeElement.textContent, outline: s.outlineStyle,"
        " width: parseFloat(s.outlineWidth)}; }"
    )
    assert focused["outline"] != "none" and focused["width"] >= 2, "focus is not visible"

    before = bot_count(page)
    page.keyboard.press("Enter")
    expect(page.locator(USER).last).to_have_text(focused["text"])
    wait_for_reply(page, before)

    # Focus is on the answer: Tab goes FORWARD to its quick replies (not Shift+Tab).
    page.keyboard.press("Tab")
    expect(latest_replies(page).locator("button:focus")).to_have_count(1)
    before = bot_count(page)
    page.keyboard.press("Enter")
    wait_for_reply(page, before)
    # The text field after the log: type and send with the keyboard alone.
    page.get_by_label("Skriv en melding").focus()
    before = bot_count(page)
    page.keyboard.type("hva er nalokson?")
    page.keyboard.press("Enter")
    expect(page.locator(USER).last).to_have_text("hva er nalokson?")
    wait_for_reply(page, before)


# ------------------------------------------------------------------ 9 screenshots and 360 px


def test_screenshots_and_no_horizontal_scroll_at_360px(chromium: Browser, servers):
    ARTIFACTS.mkdir(exist_ok=True)
    for name, size, mobile in [
        ("widget-desktop.png", {"width": 1280, "height": 800}, False),
        ("widget-mobile.png", {"width": 360, "height": 740}, True),
    ]:
        context = new_context(chromium, viewport=size, has_touch=mobile, is_mobile=mobile)
        try:
            page = open_widget(context.new_page(), servers.url)
            finish_self_check_by_buttons(page)
            page.locator(".triage").last.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / name))
            if mobile:
                say(page, "https://example.no/" + "veldig-lang-adresse-" * 12)
                say(page, "x" * 300)
                width = page.evaluate("() => document.scrollingElement.scrollWidth")
                assert width <= 360, f"horizontal scroll at 360 px: {width}"
        finally:
            context.close()
    assert (ARTIFACTS / "widget-desktop.png").stat().st_size > 10_000
    assert (ARTIFACTS / "widget-mobile.png").stat().st_size > 10_000


# ------------------------------------------------------------------ 10 summary


def test_save_summary_builds_it_in_the_browser(page: Page):
    level = None
    finish_self_check_by_buttons(page)
    level = assert_triage_card(page)

    sent: List[str] = []
    page.on("request", lambda r: sent.append(r.url))
    page.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed++; }; }")
    page.get_by_role("button", name="Lagre oppsummering").last.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Oppsummering av sjekken")
    expect(dialog.locator(".triage")).to_contain_text(TRIAGE_HEADINGS[level])

    with page.expect_download() as download_info:
        dialog.get_by_role("link", name="Last ned som tekstfil").click()
    download = download_info.value
    assert download.suggested_filename == "veivis-oppsummering.txt"
    text = Path(download.path()).read_text(encoding="utf-8")
    assert "Oppsummering av sjekken" in text
    assert TRIAGE_HEADINGS[level] in text
    assert "**" not in text

    dialog.get_by_role("button", name="Skriv ut eller lagre som PDF").click()
    assert page.evaluate("() => window.__printed") == 1
    page.emulate_media(media="print")  # the print view: the summary only
    expect(page.locator("#app")).to_be_hidden()
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Lukk")).to_be_hidden()
    page.emulate_media(media="screen")

    assert not [u for u in sent if "/webhooks/" in u], "the summary must not be sent anywhere"


# ------------------------------------------------------------------ 11 bot unreachable


def test_unreachable_bot_gets_a_clear_message_and_keeps_the_text(page: Page):
    attempts: List[str] = []

    def unreachable(route):
        attempts.append(route.request.url)
        route.abort()

    page.route("**/webhooks/rest/webhook", unreachable)
    box = page.get_by_label("Skriv en melding")
    box.fill("hva er abstinenser?")
    box.press("Enter")
    alert = page.get_by_role("alert")
    expect(alert).to_have_text(re.compile(re.escape(OFFLINE_TEXT)))
    expect(alert.get_by_role("link", name="113")).to_have_attribute("href", "tel:113")
    expect(box).to_have_value("hva er abstinenser?")
    expect(page.locator(USER)).to_have_count(0)
    assert len(attempts) == 4  # the first try and three retries

    # The bot is back: «Prøv igjen» sends the kept text.
    page.unroute("**/webhooks/rest/webhook")
    before = bot_count(page)
    alert.get_by_role("button", name="Prøv igjen").click()
    expect(page.locator(USER).last).to_have_text("hva er abstinenser?")
    wait_for_reply(page, before)
    expect(page.get_by_role("alert")).to_be_hidden()
    expect(box).to_have_value("")


def test_server_errors_are_retried_without_bothering_the_user(page: Page):
    failures: List[str] = []

    def flaky(route):
        if len(failures) < 2:
            failures.append(route.request.url)
            route.fulfill(status=503, body="")
        else:
            route.continue_()

    page.route("**/webhooks/rest/webhook", flaky)
    say(page, "Hvem kan jeg ringe?")
    assert len(failures) == 2
    expect(page.get_by_role("alert")).to_be_hidden()


# ------------------------------------------------------------------ 12 phones and tabs


def phone_context(chromium: Browser) -> BrowserContext:
    return new_context(
        chromium, viewport={"width": 360, "height": 640}, has_touch=True, is_mobile=True
    )


def test_phone_numbers_in_bot_text_are_tel_links_that_never_break(page: Page):
    say(page, "Hvem kan jeg ringe?")
    reply = page.locator(".bubble--bot").filter(has_text="RUSinfo").last
    phones = reply.locator("a.phone")
    expect(phones.first).to_be_visible()
    for i in range(phones.count()):
        link = phones.nth(i)
        digits = re.sub(r"\D", "", link.inner_text())
        assert len(digits) in (3, 6, 8), link.inner_text()
        assert link.get_attribute("href") == f"tel:{digits}"
        assert link.evaluate("a => getComputedStyle(a).whiteSpace") == "nowrap"
        # one line box: the number is not split
        assert link.evaluate("a => a.getClientRects().length") == 1


def test_on_a_phone_the_emergency_card_is_in_view_above_the_keyboard(chromium: Browser, servers):
    ARTIFACTS.mkdir(exist_ok=True)
    context = phone_context(chromium)
    try:
        page = open_widget(context.new_page(), servers.url)
        box = page.get_by_label("Skriv en melding")
        box.tap()
        # an on-screen keyboard takes the lower half: the visible viewport shrinks
        page.set_viewport_size({"width": 360, "height": 340})
        before = bot_count(page)
        box.fill("kjæresten min puster ikke")
        box.press("Enter")
        wait_for_reply(page, before)
        card = page.locator(".triage[data-triage='emergency']").last
        call = card.get_by_role("link", name="Ring 113")
        expect(call).to_be_in_viewport()
        expect(box).not_to_be_focused()  # the keyboard closes on a touch device
        page.screenshot(path=str(ARTIFACTS / "widget-phone-emergency-keyboard.png"))
        page.set_viewport_size({"width": 360, "height": 640})  # keyboard gone
        expect(call).to_be_in_viewport()
        expect(card.locator(".triage__lead")).to_be_in_viewport()
    finally:
        context.close()


def test_on_a_phone_the_summary_opens_at_its_top(chromium: Browser, servers):
    context = phone_context(chromium)
    try:
        page = open_widget(context.new_page(), servers.url)
        finish_self_check_by_buttons(page)
        page.get_by_role("button", name="Lagre oppsummering").last.click()
        dialog = page.get_by_role("dialog")
        expect(dialog).to_be_visible()
        expect(dialog.get_by_role("heading", name="Oppsummering fra Veivis")).to_be_in_viewport()
        assert dialog.evaluate("d => d.scrollTop") == 0
        assert dialog.evaluate("d => d.scrollHeight > d.clientHeight"), "fits: proves nothing"
    finally:
        context.close()


def test_two_tabs_show_one_conversation(context: BrowserContext, servers):
    first = open_widget(context.new_page(), servers.url)
    second = open_widget(context.new_page(), servers.url)
    say(first, "Hvem kan jeg ringe?")
    expect(second.locator(USER)).to_have_text(["Hvem kan jeg ringe?"])
    say(second, "hva er nalokson?")
    expect(first.locator(USER)).to_have_text(["Hvem kan jeg ringe?", "hva er nalokson?"])
    assert storage(first) == storage(second)


def test_the_page_still_gives_113_when_the_chat_cannot_load(context: BrowserContext, servers):
    page = context.new_page()
    page.route("**/widget/chat.html", lambda route: route.abort())
    page.goto(servers.url)
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Chatten kunne ikke lastes")
    expect(alert.get_by_role("link", name="113")).to_have_attribute("href", "tel:113")


def test_a_browser_without_es_modules_is_told_so_and_gets_113(context: BrowserContext, servers):
    # Chromium runs modules, so the module is kept away and the page's «nomodule» script
    # (what an old browser runs instead) is run by hand, from the bot like the page does.
    page = context.new_page()
    page.route("**/widget/veivis.js", lambda route: route.abort())
    page.goto(servers.url)
    page.add_script_tag(url=servers.url.rstrip("/") + "/widget/nomodule.js")
    expect(page.get_by_text("Chatten virker ikke i denne nettleseren")).to_be_visible()
    call = page.get_by_role("link", name="Ring 113")
    expect(call).to_be_visible()
    expect(call).to_have_attribute("href", "tel:113")
