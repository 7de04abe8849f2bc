"""The real `busan-bot telegram` process, real model and index, against the fake Bot API over HTTP."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from fake_telegram import FakeTelegram, check_html  # noqa: E402

from .conftest import busan_bot_command  # noqa: E402

TOKEN = "7777777:" + "Zq9_x-" * 6


def _bot_message(reply):
    return {"message_id": reply["message_id"], "date": 0, "chat": {"id": reply["chat_id"], "type": "private"},
            "text": "x", "from": {"id": 999000, "is_bot": True, "first_name": "B"}}


def _buttons(reply):
    return {b["text"]: b["callback_data"] for row in reply["reply_markup"]["inline_keyboard"] for b in row}


@pytest.fixture(scope="module")
def live(cli_env, tmp_path_factory):
    fake = FakeTelegram(TOKEN).start()
    env = dict(cli_env, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=fake.url,
               BUSAN_BOT_TELEGRAM_FEEDBACK_DB=str(tmp_path_factory.mktemp("tg") / "fb.sqlite3"),
               BUSAN_BOT_LOG_LEVEL="INFO")
    # The command runs in its own network namespace elsewhere; here it must reach 127.0.0.1.
    cmd = [c for c in busan_bot_command() if c not in ("unshare", "-n")] + ["telegram"]
    log_path = tmp_path_factory.mktemp("tglog") / "bot.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    _wait_for_start(lambda: fake.commands, proc, log_path)
    yield fake, proc, log_path
    _stop(proc)
    fake.stop()


def _wait_for_start(started, proc, log_path, limit: float = 600) -> None:
    deadline = time.monotonic() + limit
    while not started():
        assert proc.poll() is None, log_path.read_text()
        assert time.monotonic() < deadline, "bot did not start in time"
        time.sleep(0.5)


def _stop(proc) -> None:
    """Ctrl-C, as an operator would; killed if it does not stop within a minute."""
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        proc.kill()


def ask(fake, chat, text, **kw):
    fake.say(chat, text, **kw)
    return fake.wait_for(lambda m: m["chat_id"] == chat, timeout=180)


@pytest.mark.parametrize("chat, question, expected", [
    (1001, "Busan kết nghĩa với TP.HCM từ năm nào?", "1995"),
    (1002, "busan ket nghia voi tphcm tu nam nao", "1995"),
    (1003, "At which airport was To Lam welcomed?", "Gimhae"),
])
def test_questions_in_each_language(live, chat, question, expected):
    fake, _, _ = live
    reply = ask(fake, chat, question)
    assert check_html(reply["text"])[0] is None
    assert expected in reply["text"] and "<blockquote>" in reply["text"]
    more = "More" if question.startswith("At") else "Xem thêm"
    assert list(_buttons(reply))[0] == more


def test_more_and_feedback(live):
    fake, _, _ = live
    first = ask(fake, 1010, "Thị trưởng Busan tên là gì?")
    assert "Park Heong-joon" in first["text"]
    fake.press(_bot_message(first), _buttons(first)["Xem thêm"], user_id=1010)
    more = fake.wait_for(lambda m: m["chat_id"] == 1010 and m["message_id"] != first["message_id"], timeout=180)
    assert "4." in more["text"] and check_html(more["text"])[0] is None
    fake.press(_bot_message(first), _buttons(first)["👍"], user_id=1010)
    deadline = time.monotonic() + 60
    while not any("Cảm ơn" in (a.get("text") or "") for a in fake.callback_answers):
        assert time.monotonic() < deadline
        time.sleep(0.2)


def test_off_topic_and_odd_input(live):
    fake, _, _ = live
    assert "không có câu trả lời" in ask(fake, 1020, "Giá vàng hôm nay bao nhiêu?")["text"]
    sticker = {"file_id": "s", "file_unique_id": "s", "type": "regular", "width": 1, "height": 1,
               "is_animated": False, "is_video": False}
    assert "văn bản" in ask(fake, 1021, None, sticker=sticker)["text"]


def test_group_needs_a_mention(live):
    fake, _, _ = live
    fake.say(-2000, "Busan kết nghĩa năm nào?", user_id=2001, chat_type="supergroup")
    reply = ask(fake, -2000, "@busan_test_bot Busan kết nghĩa với TP.HCM từ năm nào?", user_id=2002, chat_type="supergroup")
    assert "1995" in reply["text"]
    time.sleep(2)
    assert len(fake.replies_to(-2000)) == 1


@pytest.mark.parametrize("chat, method, fault", [
    (1030, "sendMessage", "429:2"), (1031, "sendMessage", "500"), (1032, "sendMessage", "drop"),
    (1033, "sendMessage", "parse"), (1034, "getUpdates", "500"),
])
def test_faults_lose_nothing(live, chat, method, fault):
    fake, proc, _ = live
    fake.inject(method, fault)
    start = time.monotonic()
    reply = ask(fake, chat, "Busan là thành phố cảng lớn thứ mấy trên thế giới?")
    assert "5" in reply["text"]
    if fault.startswith("429"):
        assert time.monotonic() - start >= 2  # it waited retry_after
    assert proc.poll() is None


def test_token_never_in_output(live):
    fake, _, log_path = live
    ask(fake, 1040, "Busan hợp tác lĩnh vực nào?")
    text = log_path.read_text()
    assert TOKEN not in text
    assert "retry" in text.lower() or "slow down" in text.lower()  # the faults above were logged


def test_a_rejected_token_is_never_printed(cli_env, tmp_path):
    """Telegram answers 401 to a token it does not know: one line on stderr, exit 2, no token."""
    fake = FakeTelegram(TOKEN).start()  # knows TOKEN only
    wrong = "1234567:" + "Wr0ng_" * 6
    env = dict(cli_env, TELEGRAM_BOT_TOKEN=wrong, TELEGRAM_API_URL=fake.url,
               BUSAN_BOT_TELEGRAM_FEEDBACK_DB=str(tmp_path / "fb.sqlite3"), BUSAN_BOT_LOG_LEVEL="DEBUG")
    cmd = [c for c in busan_bot_command() if c not in ("unshare", "-n")] + ["telegram"]
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    finally:
        fake.stop()
    assert done.returncode == 2, done.stderr[-2000:]
    assert "rejected TELEGRAM_BOT_TOKEN" in done.stderr
    assert wrong not in done.stdout + done.stderr and wrong.split(":")[1] not in done.stdout + done.stderr


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post(url: str, update: dict, secret: str | None) -> int:
    import json
    import urllib.error
    import urllib.request

    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(url, data=json.dumps(update).encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_webhook_mode_answers_updates_with_the_secret_and_rejects_others(cli_env, tmp_path):
    """The installed bot in webhook mode (the webhooks extra): updates posted to it are answered
    when they carry the secret token, and refused without it."""
    fake = FakeTelegram(TOKEN).start()
    port, secret = _free_port(), "s3cret-Token_1"
    url = f"http://127.0.0.1:{port}/telegram"
    env = dict(cli_env, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=fake.url, TELEGRAM_WEBHOOK_SECRET=secret,
               BUSAN_BOT_TELEGRAM_FEEDBACK_DB=str(tmp_path / "fb.sqlite3"))
    cmd = [c for c in busan_bot_command() if c not in ("unshare", "-n")]
    cmd += ["telegram", "--webhook-url", url, "--listen", "127.0.0.1", "--port", str(port)]
    log_path = tmp_path / "bot.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_for_start(lambda: fake.webhooks, proc, log_path)
        assert fake.webhooks[0]["url"] == url and fake.webhooks[0]["secret_token"] == secret
        time.sleep(1.0)  # the server listens right after setWebhook
        forged = {"update_id": 1, "message": fake.message(1101, "Busan kết nghĩa với TP.HCM từ năm nào?")}
        assert _post(url, forged, None) == 403
        assert _post(url, forged, "wrong") == 403
        real = {"update_id": 2, "message": fake.message(1102, "Busan kết nghĩa với TP.HCM từ năm nào?")}
        assert _post(url, real, secret) == 200
        reply = fake.wait_for(lambda m: m["chat_id"] == 1102, timeout=120)
        assert "1995" in reply["text"]
        time.sleep(1.0)
        assert not fake.replies_to(1101)  # the forged update was never handled
    finally:
        _stop(proc)
        fake.stop()
