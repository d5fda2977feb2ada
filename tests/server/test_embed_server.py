"""What another site needs from the bot to embed the chat: /embed.js, and CORS for the
allowed origins only (VEIVIS_ALLOWED_ORIGINS, veivis/serve.py)."""

import json
import urllib.error
import urllib.request
import uuid

import pytest

from veivis.serve import allowed_origins


def request(url: str, method: str = "GET", origin: str = "", body: bytes = b"", **headers):
    if origin:
        headers["Origin"] = origin
    req = urllib.request.Request(url, data=body or None, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def test_embed_js_is_served_as_javascript(servers):
    status, headers, body = request(f"http://127.0.0.1:{servers.rasa_port}/embed.js")
    assert status == 200
    assert headers["Content-Type"].startswith("text/javascript")
    assert b"attachShadow" in body


def test_the_widget_modules_are_javascript_with_cors(servers):
    """Module scripts need a JavaScript type, and from another site CORS (embed.js imports
    widget/veivis.js, which imports widget/js/*.js)."""
    from pathlib import Path

    widget = Path(__file__).resolve().parents[2] / "widget"
    modules = ["veivis.js", *sorted(f"js/{p.name}" for p in (widget / "js").glob("*.js"))]
    assert len(modules) > 1
    for module in modules:
        url = f"http://127.0.0.1:{servers.rasa_port}/widget/{module}"
        status, headers, _ = request(url, origin=servers.host_origin)
        assert status == 200, module
        kind = headers["Content-Type"].split(";")[0]
        assert kind in ("text/javascript", "application/javascript"), (module, kind)
        assert headers.get("Access-Control-Allow-Origin") == servers.host_origin, module


def test_cors_allows_the_configured_origin_and_no_other(servers):
    base = f"http://127.0.0.1:{servers.rasa_port}"
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    status, headers, _ = request(
        f"{base}/webhooks/rest/webhook", "OPTIONS", servers.host_origin, **preflight
    )
    assert status in (200, 204)
    assert headers.get("Access-Control-Allow-Origin") == servers.host_origin

    body = json.dumps({"sender": f"cors-{uuid.uuid4()}", "message": "hei"}).encode()
    status, headers, _ = request(
        f"{base}/webhooks/rest/webhook",
        "POST",
        servers.host_origin,
        body,
        **{"Content-Type": "application/json"},
    )
    assert status == 200 and headers.get("Access-Control-Allow-Origin") == servers.host_origin
    # the markup the panel fetches, and the delete
    status, headers, _ = request(f"{base}/widget/chat.html", origin=servers.host_origin)
    assert status == 200 and headers.get("Access-Control-Allow-Origin") == servers.host_origin
    status, headers, _ = request(
        f"{base}/webhooks/rest/conversation/x",
        "OPTIONS",
        servers.host_origin,
        **{"Access-Control-Request-Method": "DELETE"},
    )
    assert headers.get("Access-Control-Allow-Origin") == servers.host_origin
    assert "DELETE" in headers.get("Access-Control-Allow-Methods", "")

    status, headers, _ = request(
        f"{base}/webhooks/rest/webhook", "OPTIONS", "https://evil.example", **preflight
    )
    assert "Access-Control-Allow-Origin" not in headers


def test_allowed_origins_are_read_from_the_environment():
    env = {"VEIVIS_ALLOWED_ORIGINS": "https://klinikk.no, https://www.kommune.no/"}
    assert allowed_origins(env) == ["https://klinikk.no", "https://www.kommune.no"]
    assert allowed_origins({}) == []
    with pytest.raises(ValueError):
        allowed_origins({"VEIVIS_ALLOWED_ORIGINS": "klinikk.no/chat"})
