"""The embed (widget/embed.js) on a page of ANOTHER origin: a host site on a second local
port puts the one documented <script> tag on its page, under a strict CSP of its own.

Same bot and helpers as test_widget.py; Playwright's locators reach into the open shadow
root, so the same conversation helpers work on the host page."""

from __future__ import annotations

import http.server
import threading
from typing import Iterator, List
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.test_widget import (
    ARTIFACTS,
    AXE,
    USER,
    assert_triage_card,
    bot_count,
    chromium,  # noqa: F401 - the module-scoped browser fixture
    finish_self_check_by_buttons,
    new_context,
    run_axe,
    say,
    stored_rows,
    wait_for_reply,
    wait_idle,
)

pytestmark = pytest.mark.browser

# The host site's own style: if any of it reached the chat, or the chat's reached the page,
# the checks below would see it.
HOST_CSS = """
body { font-family: serif; font-size: 22px; color: #333; }
p, div, button { color: rgb(139, 0, 0) !important; letter-spacing: 3px; }
.button, .bubble { border: 5px dotted rgb(0, 0, 255); }
"""


def host_page(bot: str, **options: str) -> str:
    attrs = " ".join(f'data-{k}="{v}"' for k, v in options.items())
    return f"""<!doctype html>
<html lang="nb"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Klinikken – rådgivning</title>
<link rel="stylesheet" href="/host.css"></head>
<body><header><p>Klinikken</p></header>
<main><h1>Rådgivning om rus</h1><p class="bubble">Vertssidens egen tekst.</p>
<button type="button" class="button">Vertssidens knapp</button></main>
<script src="{bot}/embed.js" defer {attrs}></script>
</body></html>"""


@pytest.fixture(scope="module")
def host(servers) -> Iterator[str]:
    """The host site, on the origin the bot allows (servers.host_origin)."""
    bot = f"http://localhost:{servers.rasa_port}"
    port = urlparse(servers.host_origin).port
    # The host's CSP lets in only itself and the bot: the snippet needs nothing inline.
    csp = (
        f"default-src 'self'; script-src 'self' {bot}; style-src 'self' {bot}; "
        f"connect-src {bot}; img-src 'self' data:"
    )

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            path = urlparse(self.path)
            if path.path == "/host.css":
                body, kind = HOST_CSS.encode(), "text/css"
            elif path.path == "/":
                # ?session, ?open, ?left: the snippet's data- options
                options = {"storage": "session" if "session" in path.query else "local"}
                if "open" in path.query:
                    options["open"] = "true"
                if "left" in path.query:
                    options["position"] = "left"
                body = host_page(bot, **options).encode()
                kind = "text/html; charset=utf-8"
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Security-Policy", csp)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # quiet
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield servers.host_origin
    server.shutdown()
    server.server_close()


@pytest.fixture
def context(chromium: Browser) -> Iterator[BrowserContext]:  # noqa: F811
    context = new_context(chromium)
    yield context
    context.close()


def open_panel(page: Page, url: str) -> Page:
    page.goto(url)
    page.get_by_role("button", name="Chat med Veivis").click()
    expect(page.locator(".msg--bot").first).to_be_visible()
    wait_idle(page)
    return page


def local_storage(page: Page):
    return page.evaluate("() => JSON.parse(localStorage.getItem('veivis.chat.v1'))")


def test_embedded_chat_works_on_another_origin_and_nothing_leaks(
    context: BrowserContext, servers, host
):
    ARTIFACTS.mkdir(exist_ok=True)
    urls: List[str] = []
    errors: List[str] = []
    context.on("request", lambda r: urls.append(r.url))
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    launcher = page.get_by_role("button", name="Chat med Veivis")
    page.goto(host + "/")
    expect(launcher).to_have_attribute("aria-expanded", "false")
    assert not [u for u in urls if "/webhooks/" in u], "nothing is sent before the panel opens"

    open_panel(page, host + "/")
    expect(launcher).to_have_attribute("aria-expanded", "true")
    panel = page.get_by_role("dialog", name="Veivis – anonym chat om rus")
    expect(panel.get_by_role("link", name="Ring 113").first).to_have_attribute("href", "tel:113")

    finish_self_check_by_buttons(page)
    assert_triage_card(page)
    page.screenshot(path=str(ARTIFACTS / "embed-desktop-outcome.png"))
    # The summary, as on the page; Escape closes the summary, not the panel.
    page.get_by_role("button", name="Lagre oppsummering").last.click()
    summary = page.get_by_role("dialog", name="Oppsummering fra Veivis")
    expect(summary).to_contain_text("Oppsummering av sjekken")
    expect(summary.get_by_role("link", name="Last ned som tekstfil")).to_be_visible()
    page.keyboard.press("Escape")
    expect(summary).to_be_hidden()
    expect(panel).to_be_visible()
    say(page, "kjæresten min puster ikke")
    card = page.locator(".triage[data-triage='emergency']").last
    expect(card.get_by_role("link", name="Ring 113")).to_be_in_viewport()

    # Neither side's CSS reaches the other.
    bubble = page.locator(".bubble--bot").first
    assert bubble.evaluate("e => getComputedStyle(e).color") != "rgb(139, 0, 0)"
    assert "dotted" not in bubble.evaluate("e => getComputedStyle(e).borderTopStyle")
    host_button = page.get_by_role("button", name="Vertssidens knapp")
    assert host_button.evaluate("e => getComputedStyle(e).borderTopStyle") == "dotted"
    assert host_button.evaluate("e => getComputedStyle(e).borderRadius") == "0px"

    assert not [e for e in errors if "Content Security Policy" in e], errors
    for url in urls:
        if url.startswith(("data:", "blob:")):
            continue
        assert urlparse(url).hostname in {"localhost", "127.0.0.1"}, url
    assert any(u.startswith(f"http://localhost:{servers.rasa_port}/webhooks/") for u in urls)

    # «Start på nytt», as on the page
    page.get_by_role("button", name="Start på nytt").click()
    expect(page.locator(USER)).to_have_count(0)
    expect(page.locator(".msg--bot").first).to_contain_text("Veivis")


def test_local_storage_keeps_the_conversation_and_delete_removes_it_everywhere(
    context: BrowserContext, servers, host
):
    page = open_panel(context.new_page(), host + "/")
    say(page, "Hvem kan jeg ringe?")
    sender = local_storage(page)["sender"]
    assert stored_rows(servers, sender) > 0

    page.reload()
    page.get_by_role("button", name="Chat med Veivis").click()
    expect(page.locator(USER)).to_have_text(["Hvem kan jeg ringe?"])
    assert local_storage(page)["sender"] == sender

    page.on("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Slett samtalen").click()
    expect(page.get_by_role("status").filter(has_text="slettet")).to_contain_text(
        "fra denne nettleseren og fra serveren"
    )
    assert stored_rows(servers, sender) == 0
    assert local_storage(page) is None
    expect(page.locator(USER)).to_have_count(0)


def test_session_storage_keeps_nothing_in_the_browser(context: BrowserContext, servers, host):
    page = open_panel(context.new_page(), host + "/?session")
    say(page, "Hvem kan jeg ringe?")
    # nothing in either of the browser's stores: the page's memory only
    assert local_storage(page) is None
    assert page.evaluate("() => sessionStorage.getItem('veivis.chat.v1')") is None
    expect(page.get_by_text("I nettleseren lagres den ikke")).to_be_attached()
    expect(page.get_by_text("i nettleseren blir den liggende")).to_be_hidden()

    # reloaded: a new conversation (the old one is still on the server until deleted)
    page.reload()
    page.get_by_role("button", name="Chat med Veivis").click()
    expect(page.locator(".msg--bot").first).to_be_visible()  # the greeting again
    expect(page.locator(USER)).to_have_count(0)


def test_axe_on_the_host_page_with_the_panel_open(context: BrowserContext, servers, host):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci`")
    # axe is injected by the test, which the host's CSP would refuse: a context without it.
    ctx = context.browser.new_context(bypass_csp=True, locale="nb-NO")
    try:
        page = open_panel(ctx.new_page(), host + "/")
        run_axe(page, "embed, greeting")
        finish_self_check_by_buttons(page)
        run_axe(page, "embed, outcome")
    finally:
        ctx.close()


def test_keyboard_only_in_the_embed(context: BrowserContext, servers, host):
    page = context.new_page()
    page.goto(host + "/")
    launcher = page.get_by_role("button", name="Chat med Veivis")
    page.locator("body").focus()
    for _ in range(10):
        page.keyboard.press("Tab")
        if launcher.evaluate("b => b.getRootNode().activeElement === b"):
            break
    else:
        pytest.fail("Tab never reached the launcher")
    page.keyboard.press("Enter")
    box = page.get_by_label("Skriv en melding")
    expect(box).to_be_focused()
    wait_idle(page)
    before = bot_count(page)
    page.keyboard.type("hva er nalokson?")
    page.keyboard.press("Enter")
    wait_for_reply(page, before)
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="Veivis – anonym chat om rus")).to_be_hidden()
    assert launcher.evaluate("b => b.getRootNode().activeElement === b"), "focus is back"


def test_on_a_phone_with_the_keyboard_open_ring_113_is_visible(chromium: Browser, servers, host):  # noqa: F811
    context = new_context(
        chromium, viewport={"width": 360, "height": 640}, has_touch=True, is_mobile=True
    )
    try:
        page = context.new_page()
        page.goto(host + "/")
        page.get_by_role("button", name="Chat med Veivis").tap()
        expect(page.locator(".msg--bot").first).to_be_visible()
        wait_idle(page)
        box = page.get_by_label("Skriv en melding")
        box.tap()
        page.set_viewport_size({"width": 360, "height": 340})  # as by an on-screen keyboard
        before = bot_count(page)
        box.fill("han har tatt en overdose og svarer ikke")
        box.press("Enter")
        wait_for_reply(page, before)
        card = page.locator(".triage[data-triage='emergency']").last
        expect(card.get_by_role("link", name="Ring 113")).to_be_in_viewport()
        page.screenshot(path=str(ARTIFACTS / "embed-phone-emergency-keyboard.png"))
        width = page.evaluate("() => document.scrollingElement.scrollWidth")
        assert width <= 360, f"horizontal scroll at 360 px: {width}"
    finally:
        context.close()


def test_open_on_load_and_position_left(context: BrowserContext, servers, host):
    page = context.new_page()
    page.goto(host + "/?open&left")
    panel = page.get_by_role("dialog", name="Veivis – anonym chat om rus")
    expect(panel).to_be_visible()
    expect(page.locator(".msg--bot").first).to_be_visible()  # the greeting, unasked
    launcher = page.get_by_role("button", name="Chat med Veivis")
    expect(launcher).to_have_attribute("aria-expanded", "true")
    box, width = launcher.bounding_box(), page.viewport_size["width"]
    assert box["x"] < width / 2, "the launcher sits in the lower left corner"
    assert panel.bounding_box()["x"] < width / 2
    page.get_by_role("button", name="Lukk", exact=True).click()
    expect(panel).to_be_hidden()
    expect(launcher).to_be_focused()
