"""Unpaired UTF-16 surrogates in what a browser sends over the state websocket become U+FFFD; text that is valid
(emoji, escaped backslashes) passes unchanged. The browser test in tests/e2e/test_abuse_browser.py sends such
text through the real page."""

from __future__ import annotations

import json

import pytest
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocket

from crm_app.api.websocket_text import ValidUnicodeWebSockets, valid_unicode_json


@pytest.mark.parametrize("sent,received", [
    ('"a\\ud800b"', "a\ufffdb"),
    ('"\\udc00 low"', "\ufffd low"),
    ('"\\ud800\\ud800\\udc00"', "\ufffd\U00010000"),
    ('"\\ud83d\\ude00 ok"', "\U0001f600 ok"),
    ('"\\uD83D\\uDE00"', "\U0001f600"),
    ('"\\\\ud800 is text"', "\\ud800 is text"),
    ('"\\\\\\ud800"', "\\\ufffd"),
    ('"plain"', "plain"),
])
def test_unpaired_surrogates_become_replacement_characters(sent: str, received: str):
    cleaned = json.loads(valid_unicode_json(sent))
    assert cleaned == received
    cleaned.encode("utf-8")


async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    text = await websocket.receive_text()
    await websocket.send_text(json.dumps(json.loads(text), ensure_ascii=False))
    await websocket.close()


def test_the_middleware_cleans_frames_before_the_app_reads_them():
    from crm_app import api

    assert any(m.cls is ValidUnicodeWebSockets for m in api.build().user_middleware), "the app's API installs it"
    app = Starlette(routes=[WebSocketRoute("/ws", echo)])
    app.add_middleware(ValidUnicodeWebSockets)
    with TestClient(app).websocket_connect("/ws") as socket:
        socket.send_text('["event",{"draft":"budget \\ud800 report"}]')
        assert json.loads(socket.receive_text()) == ["event", {"draft": "budget \ufffd report"}]
