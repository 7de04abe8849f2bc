"""A fake Telegram Bot API server on 127.0.0.1 for end-to-end tests.

It implements what busan-bot uses (getMe, getUpdates with long polling and offsets,
sendMessage, editMessageText, answerCallbackQuery, setMyCommands, sendChatAction,
deleteWebhook), checks HTML the way Telegram does (allowed tags, nesting, entities, the
4096-character limit) and can inject faults: 429 with retry_after, 500, dropped connections.
Tests play users with ``say`` and ``press`` and read what the bot sent with ``wait_for``.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "blockquote",
                "tg-spoiler", "span", "tg-emoji"}
BOT = {"id": 999000, "is_bot": True, "first_name": "Busan Bot", "username": "busan_test_bot"}


class HTMLCheck(HTMLParser):
    """Telegram's rules: known tags only, properly nested, no stray '<' or '&'."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.text: list[str] = []
        self.error: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.error = self.error or f"unsupported start tag \"{tag}\""
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.error = self.error or f"unexpected end tag \"{tag}\""
        else:
            self.stack.pop()

    def handle_data(self, data):
        if "<" in data or ">" in data:
            self.error = self.error or "unescaped '<' or '>'"
        if "&" in data:
            self.error = self.error or "unescaped '&'"
        self.text.append(data)

    def handle_entityref(self, name):
        if name not in ("lt", "gt", "amp", "quot"):
            self.error = self.error or f"unsupported entity &{name};"
        self.text.append("x")

    def handle_charref(self, name):
        self.text.append("x")


def check_html(text: str) -> tuple[str | None, int]:
    parser = HTMLCheck()
    parser.feed(text)
    parser.close()
    if parser.stack and not parser.error:
        parser.error = f"can't find end tag corresponding to start tag \"{parser.stack[-1]}\""
    raw_tail = parser.rawdata if hasattr(parser, "rawdata") else ""
    if raw_tail.strip() and not parser.error:
        parser.error = "unfinished markup"
    return parser.error, len("".join(parser.text))


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # clients hanging up mid-poll is normal here


class FakeTelegram:
    def __init__(self, token: str):
        self.token = token
        self.lock = threading.Condition()
        self.updates: list[dict] = []
        self.next_update = 1
        self.next_message = 1
        self.sent: list[dict] = []  # every accepted sendMessage / editMessageText
        self.calls: list[tuple[str, dict]] = []
        self.callback_answers: list[dict] = []
        self.webhooks: list[dict] = []  # setWebhook calls
        self.commands: list[dict] = []
        self.chat_actions: list[dict] = []
        self.rejected: list[tuple[str, str]] = []  # (method, description) we refused
        self.faults: dict[str, list[str]] = {}
        self.server = _Server(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # --------------------------------------------------------------- lifecycle
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> "FakeTelegram":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --------------------------------------------------------------- test side
    def inject(self, method: str, *faults: str) -> None:
        """Queue faults for the next calls of ``method``: "429:<seconds>", "500", "drop", "parse"."""
        with self.lock:
            self.faults.setdefault(method, []).extend(faults)

    def _push(self, update: dict) -> int:
        with self.lock:
            update["update_id"] = self.next_update
            self.next_update += 1
            self.updates.append(update)
            self.lock.notify_all()
            return update["update_id"]

    def message(self, chat_id: int, text: str | None = None, user_id: int | None = None, chat_type: str = "private",
                reply_to: dict | None = None, **extra) -> dict:
        with self.lock:
            message_id = self.next_message
            self.next_message += 1
        user = {"id": user_id or chat_id, "is_bot": False, "first_name": f"User{user_id or chat_id}",
                "language_code": extra.pop("language_code", "vi")}
        chat = {"id": chat_id, "type": chat_type}
        if chat_type != "private":
            chat["title"] = "Nhóm thử"
        msg = {"message_id": message_id, "date": int(time.time()), "chat": chat, "from": user, **extra}
        if text is not None:
            msg["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        if reply_to is not None:
            msg["reply_to_message"] = reply_to
        return msg

    def say(self, chat_id: int, text: str | None = None, **kw) -> dict:
        msg = self.message(chat_id, text, **kw)
        self._push({"message": msg})
        return msg

    def edit(self, original: dict, new_text: str) -> None:
        msg = dict(original, text=new_text, edit_date=int(time.time()))
        self._push({"edited_message": msg})

    def press(self, bot_message: dict, data: str, user_id: int) -> None:
        user = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
        self._push({"callback_query": {"id": f"cb{time.time_ns()}", "from": user, "message": bot_message,
                                        "chat_instance": "ci", "data": data}})

    def wait_for(self, predicate, timeout: float = 120.0):
        """The first sent message matching ``predicate``, waiting for it if need be."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                for m in self.sent:
                    if predicate(m):
                        return m
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no matching message within {timeout} s; sent: "
                                         f"{[(m['chat_id'], m['text'][:80]) for m in self.sent[-8:]]}")
                self.lock.wait(min(left, 1.0))

    def replies_to(self, chat_id: int) -> list[dict]:
        with self.lock:
            return [m for m in self.sent if m["chat_id"] == chat_id]

    # --------------------------------------------------------------- server side
    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8") if length else ""
                params = _decode(body, self.headers.get("Content-Type", ""))
                prefix = f"/bot{fake.token}/"
                if not self.path.startswith(prefix):
                    return self._send(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
                method = self.path[len(prefix):]
                fault = fake._take_fault(method)
                if fault == "drop":
                    self.close_connection = True
                    try:
                        self.connection.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    return
                if fault and fault.startswith("429"):
                    seconds = int(fault.split(":")[1]) if ":" in fault else 1
                    return self._send(429, {"ok": False, "error_code": 429,
                                             "description": f"Too Many Requests: retry after {seconds}",
                                             "parameters": {"retry_after": seconds}})
                if fault == "parse":
                    fake._reject(method, "Bad Request: can't parse entities: injected")
                    return self._send(400, {"ok": False, "error_code": 400,
                                             "description": "Bad Request: can't parse entities: injected"})
                if fault == "500":
                    return self._send(500, {"ok": False, "error_code": 500, "description": "Internal Server Error"})
                code, result = fake._call(method, params)
                if code != 200:
                    return self._send(code, {"ok": False, "error_code": code, "description": result})
                return self._send(200, {"ok": True, "result": result})

            do_GET = do_POST

            def _send(self, code, payload):
                data = json.dumps(payload).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def _take_fault(self, method: str) -> str | None:
        with self.lock:
            queue = self.faults.get(method)
            return queue.pop(0) if queue else None

    def _call(self, method: str, p: dict):
        with self.lock:
            self.calls.append((method, p))
        if method == "getMe":
            return 200, BOT
        if method in ("deleteWebhook", "close", "logOut"):
            return 200, True
        if method == "setWebhook":
            with self.lock:
                self.webhooks.append(p)
                self.lock.notify_all()
            return 200, True
        if method == "setMyCommands":
            with self.lock:
                self.commands = p.get("commands", [])
            return 200, True
        if method == "getMyCommands":
            return 200, self.commands
        if method == "sendChatAction":
            with self.lock:
                self.chat_actions.append(p)
            return 200, True
        if method == "answerCallbackQuery":
            with self.lock:
                self.callback_answers.append(p)
            return 200, True
        if method == "getUpdates":
            return 200, self._get_updates(p)
        if method in ("sendMessage", "editMessageText"):
            return self._message(method, p)
        return 404, f"Not Found: method {method} not faked"

    def _get_updates(self, p: dict) -> list[dict]:
        offset = int(p.get("offset") or 0)
        timeout = float(p.get("timeout") or 0)
        limit = int(p.get("limit") or 100)
        deadline = time.monotonic() + timeout
        with self.lock:
            if offset:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
            while not self.updates and time.monotonic() < deadline:
                self.lock.wait(min(deadline - time.monotonic(), 0.5))
            return list(self.updates[:limit])

    def _message(self, method: str, p: dict):
        text = p.get("text", "")
        if not str(text).strip():
            return self._reject(method, "Bad Request: message text is empty")
        if p.get("parse_mode") == "HTML":
            error, length = check_html(text)
            if error:
                return self._reject(method, f"Bad Request: can't parse entities: {error}")
        else:
            length = len(text)
        if length > 4096:
            return self._reject(method, "Bad Request: message is too long")
        chat_id = int(p["chat_id"])
        with self.lock:
            message_id = int(p["message_id"]) if method == "editMessageText" else self.next_message
            if method == "sendMessage":
                self.next_message += 1
            record = {"method": method, "chat_id": chat_id, "text": text, "parse_mode": p.get("parse_mode"),
                      "reply_markup": p.get("reply_markup"), "reply_to_message_id": _reply_id(p),
                      "message_id": message_id}
            self.sent.append(record)
            self.lock.notify_all()
        return 200, {"message_id": message_id, "date": int(time.time()), "chat": {"id": chat_id, "type": "private"},
                     "from": BOT, "text": text}

    def _reject(self, method: str, description: str):
        with self.lock:
            self.rejected.append((method, description))
        return 400, description


def _reply_id(p: dict):
    if p.get("reply_to_message_id"):
        return int(p["reply_to_message_id"])
    params = p.get("reply_parameters")
    return int(params["message_id"]) if isinstance(params, dict) and "message_id" in params else None


def _decode(body: str, content_type: str) -> dict:
    if "json" in content_type:
        return json.loads(body or "{}")
    out = {}
    for key, values in parse_qs(body, keep_blank_values=True).items():
        value = values[0]
        if key not in ("text", "callback_query_id", "query") and value[:1] in "[{":
            try:
                value = json.loads(value)
            except ValueError:
                pass
        out[key] = value
    return out
