"""Serve the chat widget (widget/) on the bot's own origin: / and /widget/*.

Rasa's app only answers «Hello from Rasa» at /, and channels can only add routes under
/webhooks/<name>/. The channel's blueprint therefore adds these routes when Rasa
registers it (WidgetBlueprint.register), so the page, its scripts and the REST
endpoint share one origin: no CORS, no CDN.
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


def serve_widget(app: Sanic) -> None:
    for route in app.router.routes:
        if route.path == "":  # Rasa's hello route: the widget takes its place
            route.handler = _index
    app.static("/widget", str(WIDGET_DIR), name="veivis_widget")


class WidgetBlueprint(Blueprint):
    def register(self, app: Sanic, options) -> None:  # type: ignore[override]
        super().register(app, options)
        serve_widget(app)
