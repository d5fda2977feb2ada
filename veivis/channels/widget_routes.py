"""Serve the chat widget (widget/) on the bot's own origin: /, /embed.js and /widget/*.

Rasa's app only answers «Hello from Rasa» at /, and channels can only add routes under
/webhooks/<name>/. The channel's blueprint therefore adds these routes when Rasa
registers it (WidgetBlueprint.register), so the page, its scripts and the REST
endpoint share one origin: no CDN. Replacing the handler of Rasa's / route relies on
Rasa internals, listed in veivis/rasa_internals.py. Another site embeds the chat with
<script src="https://BOT/embed.js" defer></script>; its origin must be allowed by CORS
(VEIVIS_ALLOWED_ORIGINS, read by veivis/serve.py), since the panel talks to the bot.
"""

from __future__ import annotations

from pathlib import Path

from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

WIDGET_DIR = Path(__file__).resolve().parents[2] / "widget"

# Everything from this origin only; no inline scripts, so injected HTML cannot run.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'; form-action 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


async def _index(_: Request) -> HTTPResponse:
    return await response.file(WIDGET_DIR / "index.html", headers=SECURITY_HEADERS)


async def _embed(_: Request) -> HTTPResponse:
    # Short-lived cache: a host page picks up a new version of the widget within minutes.
    return await response.file(
        WIDGET_DIR / "embed.js",
        headers={"Cache-Control": "max-age=300", "X-Content-Type-Options": "nosniff"},
        mime_type="text/javascript",
    )


def serve_widget(app: Sanic) -> None:
    for route in app.router.routes:
        if route.path == "":  # Rasa's hello route: the widget takes its place
            route.handler = _index
    app.add_route(_embed, "/embed.js", methods=["GET"], name="veivis_embed")
    app.static("/widget", str(WIDGET_DIR), name="veivis_widget")


class WidgetBlueprint(Blueprint):
    def register(self, app: Sanic, options) -> None:
        super().register(app, options)
        serve_widget(app)
