"""The Telegram application in-process against the fake Bot API server, with a fake embedder."""

import asyncio
import logging
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest
from fake_telegram import FakeTelegram, check_html
from fakes import HashEmbedder

from bot import telegram as tg
from bot import telegram_support as support
from bot.feedback import FeedbackStore
from bot.telegram_support import Recent
from bot.telegram_render import split_message
from retrieval.fusion import Calibration
from retrieval.text import Kind

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:" + "A" * 35
ADMIN = 4242


class BotThread:
    def __init__(self, application):
        self.app = application
        self.ready = threading.Event()
        self.loop = None
        self.stop_event = None

    def start(self):
        self.thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)
        self.thread.start()
        assert self.ready.wait(30), "bot did not start"

    async def _main(self):
        self.loop = asyncio.get_running_loop()
        self.stop_event = asyncio.Event()
        async with self.app:
            await tg.post_init(self.app)
            await self.app.start()
            await self.app.updater.start_polling(poll_interval=0.0, timeout=1)
            self.ready.set()
            await self.stop_event.wait()
            await self.app.updater.stop()
            await self.app.stop()

    def stop(self):
        self.loop.call_soon_threadsafe(self.stop_event.set)
        self.thread.join(30)


def _bot_message(message_id: int, chat: int) -> dict:
    """The bot's own message in a private chat: what a pressed button sits under."""
    return {"message_id": message_id, "date": 0, "chat": {"id": chat, "type": "private"},
            "text": "x", "from": {"id": 999000, "is_bot": True, "first_name": "B"}}


def _start_bot(tmp, **overrides):
    from bot.telegram_settings import TelegramSettings
    from retrieval.engine import open_engine
    from retrieval.settings import load_settings

    shutil.copytree(ROOT / "seeds", tmp / "seeds", dirs_exist_ok=True)  # twice: a restart
    settings = load_settings(seeds_dir=str(tmp / "seeds"), index_dir=str(tmp / "index"), **overrides)
    telegram = load_settings(cls=TelegramSettings, admins=(ADMIN,), rate_limit=5, feedback_db=str(tmp / "fb.sqlite3"))
    engine = open_engine(settings, embedder=HashEmbedder())
    # The fake embedder's scores are not calibrated: answer whatever shares words with the articles.
    engine.pipeline.calibration = engine.pipeline.topicality = {k: Calibration(-2.0, 0.0, 8.0, 0.0) for k in Kind}
    fake = FakeTelegram(TOKEN).start()
    application = tg.build_application(engine, TOKEN, telegram, fake.url)
    runner = BotThread(application)
    runner.start()
    return fake, application, runner


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    fake, application, runner = _start_bot(tmp_path_factory.mktemp("tg"))
    yield fake, application
    runner.stop()
    fake.stop()


def test_top_k_passages_are_shown_and_more_goes_on_from_the_last_one(tmp_path):
    """With top_k = 5 an answer once showed three passages while "More" counted five as seen."""
    import re

    fake, _, runner = _start_bot(tmp_path, top_k=5)
    try:
        fake.say(150, "Tổng Bí thư Tô Lâm Busan hợp tác")
        first = fake.wait_for(lambda m: m["chat_id"] == 150, timeout=30)
        numbers = [int(n) for n in re.findall(r"^(\d+)\. ", first["text"], re.MULTILINE)]
        assert numbers == [2, 3, 4, 5]  # the best one quoted, then the other four
        assert first["text"].count(" đoạn ") + first["text"].count(", đoạn") >= 5
        data = {b["text"]: b["callback_data"] for row in first["reply_markup"]["inline_keyboard"] for b in row}
        bot_message = _bot_message(first["message_id"], 150)
        fake.press(bot_message, data["Xem thêm"], user_id=150)
        more = fake.wait_for(lambda m: m["chat_id"] == 150 and m is not first, timeout=30)
        assert [int(n) for n in re.findall(r"(?:^|\n)(\d+)\. ", more["text"])] == [6, 7, 8, 9, 10]
    finally:
        runner.stop()
        fake.stop()


def test_commands_registered_at_start(bot):
    fake, _ = bot
    assert {c["command"] for c in fake.commands} >= {"start", "help", "sources", "about", "ask"}


def test_question_gets_quoted_answer_with_citation_and_buttons(bot):
    fake, _ = bot
    asked = fake.say(101, "Busan kết nghĩa với TP.HCM từ năm nào?")
    reply = fake.wait_for(lambda m: m["chat_id"] == 101, timeout=30)
    assert reply["parse_mode"] == "HTML" and check_html(reply["text"])[0] is None
    assert "<blockquote>" in reply["text"] and "<b>" in reply["text"] and "đoạn" in reply["text"]
    assert reply["reply_to_message_id"] == asked["message_id"]
    buttons = [b["text"] for row in reply["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons == ["Xem thêm", "👍", "👎"]
    assert any(a["chat_id"] in (101, "101") and a["action"] == "typing" for a in fake.chat_actions)


def test_english_question_gets_english_strings(bot):
    fake, _ = bot
    fake.say(102, "Who is the mayor of Busan, Park Heong-joon?")
    reply = fake.wait_for(lambda m: m["chat_id"] == 102, timeout=30)
    buttons = [b["text"] for row in reply["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons[0] == "More" and "paragraph" in reply["text"]


def test_more_and_feedback_buttons(bot):
    fake, application = bot
    fake.say(103, "Tổng Bí thư Tô Lâm Busan")
    first = fake.wait_for(lambda m: m["chat_id"] == 103, timeout=30)
    data = {b["text"]: b["callback_data"] for row in first["reply_markup"]["inline_keyboard"] for b in row}
    bot_message = _bot_message(first["message_id"], 103)
    fake.press(bot_message, data["Xem thêm"], user_id=103)
    more = fake.wait_for(lambda m: m["chat_id"] == 103 and m is not first and "4." in m["text"], timeout=30)
    assert check_html(more["text"])[0] is None
    feedback = application.bot_data.feedback
    answer_key = data["👍"].split(":", 1)[1]

    def votes():
        return feedback.db.execute("SELECT question, passage_ids, user_hash, vote FROM votes WHERE answer = ?",
                                   (answer_key,)).fetchall()

    fake.press(bot_message, data["👍"], user_id=103)
    deadline = __import__("time").monotonic() + 20
    while not votes():
        assert __import__("time").monotonic() < deadline
        __import__("time").sleep(0.05)
    fake.press(bot_message, data["👍"], user_id=103)
    fake.press(bot_message, data["👎"], user_id=103)  # changes their mind: the vote is replaced
    while not (votes() and votes()[0][3] == -1):
        assert __import__("time").monotonic() < deadline
        __import__("time").sleep(0.05)
    (row,) = votes()  # one vote per user per answer
    assert row[0] == "Tổng Bí thư Tô Lâm Busan" and row[1] and row[2] != "103" and len(row[2]) == 24


@pytest.mark.parametrize("chat, kwargs, expected", [
    (201, {"sticker": {"file_id": "s", "file_unique_id": "s", "type": "regular", "width": 1, "height": 1,
                       "is_animated": False, "is_video": False}}, "văn bản"),
    (202, {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]}, "văn bản"),
    (203, {"text": "/ask"}, "Bạn muốn hỏi gì"),
    (204, {"text": "Busan kết nghĩa năm nào? " * 50}, "quá dài"),
    (205, {"text": "/frobnicate"}, "Lệnh không rõ"),
])
def test_odd_input_gets_a_short_hint(bot, chat, kwargs, expected):
    fake, _ = bot
    text = kwargs.pop("text", None)
    fake.say(chat, text, **kwargs)
    reply = fake.wait_for(lambda m: m["chat_id"] == chat, timeout=30)
    assert expected in reply["text"]


def test_groups_answer_only_when_addressed(bot):
    fake, _ = bot
    group = -500
    fake.say(group, "Busan kết nghĩa năm nào?", user_id=501, chat_type="group")
    fake.say(group, "@busan_test_botnik Busan kết nghĩa năm nào?", user_id=504, chat_type="group")  # another bot
    fake.say(group, "@busan_test_bot Busan kết nghĩa năm nào?", user_id=502, chat_type="group")
    reply = fake.wait_for(lambda m: m["chat_id"] == group, timeout=30)
    fake.say(group, "/ask Thị trưởng Busan là ai?", user_id=503, chat_type="group")
    fake.wait_for(lambda m: m["chat_id"] == group and m is not reply, timeout=30)
    __import__("time").sleep(1.0)
    assert len(fake.replies_to(group)) == 2  # the unaddressed message got no reply


def test_edited_question_is_answered_again(bot):
    fake, _ = bot
    original = fake.say(301, "Busan")
    fake.wait_for(lambda m: m["chat_id"] == 301, timeout=30)
    fake.edit(original, "Thị trưởng Busan Park Heong-joon")
    fake.wait_for(lambda m: m["chat_id"] == 301 and len(fake.replies_to(301)) >= 2, timeout=30)


@pytest.mark.parametrize("fault", ["429:1", "500", "drop", "parse"])
def test_telegram_faults_lose_nothing(bot, fault):
    fake, _ = bot
    chat = 400 + ["429:1", "500", "drop", "parse"].index(fault)
    fake.inject("sendMessage", fault)
    fake.say(chat, "Busan kết nghĩa với TP.HCM năm nào?")
    reply = fake.wait_for(lambda m: m["chat_id"] == chat, timeout=60)
    if fault == "parse":
        assert reply["parse_mode"] is None and "<" not in reply["text"]  # resent as plain text
    else:
        assert reply["parse_mode"] == "HTML"


def test_rate_limit_is_polite(bot):
    fake, _ = bot
    for i in range(6):
        fake.say(600, f"Busan hợp tác {i}")
    fake.wait_for(lambda m: m["chat_id"] == 600 and "hơi nhanh" in m["text"], timeout=60)


def test_admin_commands(bot):
    from bot.feedback import Logged

    fake, application = bot
    fake.say(700, "/stats", user_id=700)
    assert "quản trị" in fake.wait_for(lambda m: m["chat_id"] == 700, timeout=30)["text"]
    feedback = application.bot_data.feedback
    for i, text in enumerate(["cách nấu phở bò ngon", "cách nấu phở bò ngon", "giá vé máy bay đi Busan"]):
        feedback.question(710 + i, False, Logged(f"s{i}", text, "vi", "no_answer", 0.01, ()))
    fake.say(ADMIN, "/stats", user_id=ADMIN)
    stats = fake.wait_for(lambda m: m["chat_id"] == ADMIN, timeout=30)["text"]
    assert "Câu hỏi:" in stats and "2× cách nấu phở bò ngon" in stats and "1× giá vé máy bay" in stats


def test_start_sources_about(bot):
    fake, application = bot
    fake.say(801, "/start")
    start = fake.wait_for(lambda m: m["chat_id"] == 801, timeout=30)
    assert start["reply_markup"]["inline_keyboard"][0][0]["callback_data"].startswith("ex:")
    fake.say(802, "/sources")
    assert "Tổng Bí thư Tô Lâm tiếp Thị trưởng TP Busan" in fake.wait_for(lambda m: m["chat_id"] == 802)["text"]
    fake.say(803, "/about")
    n = len(application.bot_data.engine.index)
    about = fake.wait_for(lambda m: m["chat_id"] == 803)["text"]
    assert f"{n} đoạn" in about and "30 ngày" in about  # the question log is said, in the user's language
    fake.say(804, "/about", language_code="en")
    assert f"{n} paragraphs" in fake.wait_for(lambda m: m["chat_id"] == 804)["text"]


@pytest.mark.parametrize("token, ok", [
    ("", False), ("abc", False), ("123:short", False), (TOKEN, True), ("123456:" + "a_b-" * 9, True),
])
def test_token_is_checked(monkeypatch, token, ok):
    from retrieval.errors import ConfigError

    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", token)
    if ok:
        assert support.read_token() == token
    else:
        with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN"):
            support.read_token()


def test_token_is_masked_in_logs(caplog):
    record = logging.LogRecord("x", logging.INFO, "", 0, "POST https://api/bot%s/getMe", (TOKEN,), None)
    support.TokenFilter(TOKEN).filter(record)
    assert TOKEN not in record.getMessage() and "<token>" in record.getMessage()


def test_rate_limiter_window():
    now = [0.0]
    limiter = support.RateLimiter(2, window=60, clock=lambda: now[0])
    assert limiter.check(1) == 0 and limiter.check(1) == 0
    assert limiter.check(1) == pytest.approx(60)
    assert limiter.check(2) == 0  # other users are not affected
    now[0] = 61
    assert limiter.check(1) == 0


@pytest.mark.parametrize("html, pieces", [
    ("a\nb", 1),
    ("\n".join(["<b>x</b>" * 1000] * 10), 3),
    ("&lt;" * 5000, 2),
])
def test_split_message_keeps_chunks_valid(html, pieces):
    chunks = split_message(html, limit=4096)
    assert len(chunks) == pieces
    for chunk in chunks:
        error, length = check_html(chunk)
        assert error is None and length <= 4096


def test_a_locked_feedback_database_costs_no_answer(bot, tmp_path_factory):
    import sqlite3
    import time

    fake, application = bot
    path = application.bot_data.feedback.db.execute("PRAGMA database_list").fetchone()[2]
    feedback = application.bot_data.feedback
    asked_before = feedback.stats()["questions"]
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
    try:
        start = time.monotonic()
        fake.say(910, "Busan kết nghĩa với TP.HCM năm nào?")
        reply = fake.wait_for(lambda m: m["chat_id"] == 910, timeout=30)
        assert "1995" in reply["text"] and time.monotonic() - start < 10
        fake.say(911, "/help")
        fake.wait_for(lambda m: m["chat_id"] == 911, timeout=10)  # other chats are not held up either
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    deadline = time.monotonic() + 30
    while feedback.stats()["questions"] < asked_before + 1:  # written once the lock is gone: not lost
        assert time.monotonic() < deadline
        time.sleep(0.1)


def test_button_presses_count_against_the_rate_limit(bot):
    fake, _ = bot
    fake.say(920, "Tổng Bí thư Tô Lâm Busan", user_id=920)
    first = fake.wait_for(lambda m: m["chat_id"] == 920, timeout=30)
    data = {b["text"]: b["callback_data"] for row in first["reply_markup"]["inline_keyboard"] for b in row}
    message = _bot_message(first["message_id"], 920)
    for _ in range(6):  # the limit is 5 a minute, the question was one
        fake.press(message, data["👍"], user_id=920)
    deadline = __import__("time").monotonic() + 20
    while not any("nhanh" in (a.get("text") or "") for a in fake.callback_answers):
        assert __import__("time").monotonic() < deadline
        __import__("time").sleep(0.05)


@pytest.mark.parametrize("data", ["ex:vi:²", "ex:vi:99", "zz:nothing", "more", "up:" + "x" * 60])
def test_forged_button_data_gets_a_short_reply_and_no_error(bot, data, caplog):
    fake, _ = bot
    chat = 930 + len(data) % 50
    message = _bot_message(1, chat)
    before = len(fake.callback_answers)
    fake.press(message, data, user_id=chat)
    deadline = __import__("time").monotonic() + 20
    while len(fake.callback_answers) <= before:
        assert __import__("time").monotonic() < deadline
        __import__("time").sleep(0.05)
    __import__("time").sleep(0.3)
    assert not any("lỗi" in m["text"] for m in fake.replies_to(chat))  # no "something went wrong"


def test_feedback_store_files_are_private_and_ids_hashed_with_their_own_key(tmp_path):
    import stat

    path = tmp_path / "fb" / "feedback.sqlite3"
    store = FeedbackStore(path)
    key = path.with_name("feedback.sqlite3.key")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(key.stat().st_mode) == 0o600
    assert TOKEN not in key.read_text() and len(key.read_text()) == 64
    store.question(1, True)  # the write-ahead log beside it is private too
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in path.parent.iterdir())
    again = FeedbackStore(path)  # the key is made once: hashes stay the same across restarts
    assert again.user_hash(42) == store.user_hash(42) != "42"


def test_a_locked_feedback_database_fails_fast(tmp_path):
    import sqlite3
    import time

    path = tmp_path / "feedback.sqlite3"
    store = FeedbackStore(path, timeout=0.2)
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    start = time.monotonic()
    with pytest.raises(sqlite3.OperationalError):
        store.vote(1, "answer", "Busan?", ["p1"], 1)
    assert time.monotonic() - start < 2
    blocker.execute("ROLLBACK")
    store.vote(1, "answer", "Busan?", ["p1"], 1)
    assert store.stats()["up"] == 1


def test_the_rate_limiter_forgets_idle_users():
    now = [0.0]
    limiter = support.RateLimiter(2, window=60, clock=lambda: now[0])
    for user in range(3 * support.RateLimiter.SWEEP_EVERY):
        limiter.check(user)
    assert len(limiter) == 3 * support.RateLimiter.SWEEP_EVERY  # all active within the window
    now[0] = 1000.0  # everyone idle for a whole window
    for _ in range(support.RateLimiter.SWEEP_EVERY):
        limiter.check(-1)
    assert len(limiter) == 1  # only the one still asking


def test_buttons_of_an_answer_still_work_after_a_restart(bot):
    import time

    fake, application = bot
    fake.say(940, "Tổng Bí thư Tô Lâm Busan", user_id=940)
    first = fake.wait_for(lambda m: m["chat_id"] == 940, timeout=30)
    data = {b["text"]: b["callback_data"] for row in first["reply_markup"]["inline_keyboard"] for b in row}
    key = data["Xem thêm"].split(":", 1)[1]
    feedback = application.bot_data.feedback
    deadline = time.monotonic() + 20
    while feedback.recall(key) is None:  # written off the event loop
        assert time.monotonic() < deadline
        time.sleep(0.05)
    application.bot_data.recent = Recent()  # what a restart forgets
    message = _bot_message(first["message_id"], 940)
    fake.press(message, data["Xem thêm"], user_id=940)
    more = fake.wait_for(lambda m: m["chat_id"] == 940 and m is not first, timeout=30)
    assert more["text"].startswith("4.") and "Câu hỏi này đã cũ" not in more["text"]
    while feedback.recall(key).shown != 6:  # the next "more" goes on from passage 7
        assert time.monotonic() < deadline
        time.sleep(0.05)
    fake.press(message, data["👍"], user_id=940)
    while not feedback.db.execute("SELECT 1 FROM votes WHERE answer = ?", (key,)).fetchone():
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_reload_runs_beside_the_questions_and_says_what_was_skipped(bot):
    fake, application = bot
    seeds = application.bot_data.engine.settings.seeds_dir
    (seeds / "broken.txt").write_bytes(b"\xff\xfe")
    try:
        fake.say(ADMIN, "/reload", user_id=ADMIN)
        fake.say(950, "Busan kết nghĩa với TP.HCM năm nào?", user_id=950)
        answered = fake.wait_for(lambda m: m["chat_id"] == 950, timeout=30)  # by the old index or the new
        assert "lỗi" not in answered["text"]
        reloaded = fake.wait_for(lambda m: m["chat_id"] == ADMIN and "Đã nạp lại" in m["text"], timeout=60)
        assert "Bỏ qua broken.txt" in reloaded["text"] and "not UTF-8" in reloaded["text"]
    finally:
        (seeds / "broken.txt").unlink()
        pipeline = application.bot_data.engine.pipeline
        pipeline.calibration = pipeline.topicality = {k: Calibration(-2.0, 0.0, 8.0, 0.0) for k in Kind}


def test_typing_is_shown_once_per_chat_while_it_lasts():
    now = [0.0]
    typing = support.Typing(clock=lambda: now[0], size=3)
    assert typing.due(1) and not typing.due(1) and typing.due(2)  # a second question at once: not again
    now[0] = support.Typing.EVERY_S
    assert typing.due(1)  # Telegram's indicator has faded by now
    for chat in range(10, 20):  # many chats over time: those whose indicator faded are forgotten
        now[0] += support.Typing.EVERY_S
        typing.due(chat)
    assert len(typing.last) <= 4


def test_conversations_per_private_chat_and_per_user_in_groups_survive_a_restart(tmp_path):
    def reply_after(fake, chat, count):
        fake.wait_for(lambda m: len(fake.replies_to(chat)) > count, timeout=30)
        return fake.replies_to(chat)[count]

    fake, _, runner = _start_bot(tmp_path)
    try:
        fake.say(160, "Thị trưởng Park Heong-joon cam kết gì?")
        first = reply_after(fake, 160, 0)
        assert "Hiểu là" not in first["text"]
        fake.say(160, "còn ông Oh Keo-don thì sao?")
        follow = reply_after(fake, 160, 1)
        assert "<i>Hiểu là: ông Oh Keo-don cam kết gì?</i>" in follow["text"] and check_html(follow["text"])[0] is None
        fake.say(160, "cảm ơn nhé")
        social = reply_after(fake, 160, 2)
        assert "Bạn cứ hỏi tiếp" in social["text"] and social.get("reply_markup") is None
        group = -600
        fake.say(group, "/ask Thị trưởng Park Heong-joon cam kết gì?", user_id=601, chat_type="group")
        reply_after(fake, group, 0)
        fake.say(group, "/ask còn ông Oh Keo-don thì sao?", user_id=602, chat_type="group")  # 602 asked nothing yet
        assert "Hiểu là" not in reply_after(fake, group, 1)["text"]
        fake.say(group, "/ask còn ông Oh Keo-don thì sao?", user_id=601, chat_type="group")
        assert "Hiểu là: ông Oh Keo-don cam kết gì?" in reply_after(fake, group, 2)["text"]
    finally:
        runner.stop()
        fake.stop()
    fake, _, runner = _start_bot(tmp_path)  # the same feedback database: the conversation goes on
    try:
        fake.say(160, "ông ấy nói gì?")
        assert "Hiểu là: ông Oh Keo-don nói gì?" in reply_after(fake, 160, 0)["text"]
        fake.say(160, "/new")
        assert "cuộc trò chuyện mới" in reply_after(fake, 160, 1)["text"]
        fake.say(160, "ông ấy nói gì?")
        assert "Hiểu là" not in reply_after(fake, 160, 2)["text"]
    finally:
        runner.stop()
        fake.stop()


def test_a_double_tap_on_more_never_sends_the_same_page_twice(bot, monkeypatch):
    import re
    import time

    fake, application = bot
    engine = application.bot_data.engine
    paging = engine.more
    monkeypatch.setattr(engine, "more", lambda *a, **kw: time.sleep(0.5) or paging(*a, **kw))  # a slow page
    fake.say(170, "Tổng Bí thư Tô Lâm Busan hợp tác")
    first = fake.wait_for(lambda m: m["chat_id"] == 170, timeout=30)
    data = {b["text"]: b["callback_data"] for row in first["reply_markup"]["inline_keyboard"] for b in row}
    bot_message = _bot_message(first["message_id"], 170)
    fake.press(bot_message, data["Xem thêm"], user_id=170)
    fake.press(bot_message, data["Xem thêm"], user_id=170)  # pressed again before the first page came
    fake.wait_for(lambda m: len(fake.replies_to(170)) >= 3, timeout=30)
    pages = [m["text"] for m in fake.replies_to(170)[1:3]]
    numbers = [[int(n) for n in re.findall(r"(?:^|\n)(\d+)\. ", page)] for page in pages]
    assert sorted(numbers) == [[4, 5, 6], [7, 8, 9]]
    quoted = [{q for q in re.split(r"(?:^|\n\n)\d+\. ", page) if q} for page in pages]
    assert not quoted[0] & quoted[1]  # not the same passages under other numbers


def test_an_update_accepted_by_a_bot_that_died_is_answered_by_the_next_start(tmp_path, monkeypatch):
    import json
    import sqlite3
    import time

    from bot.update_journal import SqliteJournal

    def journal_rows():
        with sqlite3.connect(tmp_path / "fb.sqlite3") as db:
            return [r[0] for r in db.execute("SELECT update_id FROM updates")]

    # What a bot killed after acknowledging an update leaves: the update, written down, unanswered.
    left = {"update_id": 900001, "message": {"message_id": 1, "date": int(time.time()), "text": "Busan kết nghĩa năm nào?",
                                             "chat": {"id": 180, "type": "private"},
                                             "from": {"id": 180, "is_bot": False, "first_name": "U"}}}
    tmp_path.mkdir(exist_ok=True)
    SqliteJournal(tmp_path / "fb.sqlite3").add(left["update_id"], json.dumps(left))
    fake, application, runner = _start_bot(tmp_path)
    try:
        reply = fake.wait_for(lambda m: m["chat_id"] == 180, timeout=30)
        assert "đoạn" in reply["text"]  # answered, with its citation
        engine = application.bot_data.engine
        chat = engine.chat
        monkeypatch.setattr(engine, "chat", lambda *a: time.sleep(1.0) or chat(*a))  # a slow answer
        fake.say(181, "Busan kết nghĩa năm nào?")
        deadline = time.monotonic() + 10
        while not journal_rows():  # written down before it is answered
            assert time.monotonic() < deadline
            time.sleep(0.05)
        fake.wait_for(lambda m: m["chat_id"] == 181, timeout=30)
        deadline = time.monotonic() + 10
        while journal_rows():  # and gone once answered
            assert time.monotonic() < deadline, journal_rows()
            time.sleep(0.05)
    finally:
        runner.stop()
        fake.stop()


def test_each_question_is_logged_with_its_reading_status_and_passages(bot):
    import time

    fake, application = bot
    fake.say(190, "Busan kết nghĩa với TP.HCM từ năm nào?")
    fake.wait_for(lambda m: m["chat_id"] == 190, timeout=30)
    feedback = application.bot_data.feedback
    deadline = time.monotonic() + 10
    while not any(r[1] == "Busan kết nghĩa với TP.HCM từ năm nào?" for r in feedback.logged_since(0)):
        assert time.monotonic() < deadline  # written off the event loop: give it a moment
        time.sleep(0.05)
    row = next(r for r in feedback.logged_since(0) if r[1] == "Busan kết nghĩa với TP.HCM từ năm nào?")
    assert row[2] == "vi" and row[3] in ("answered", "uncertain") and row[5]
    # and its embedding, the one it was answered with: `report` groups without the model
    engine = application.bot_data.engine
    logged = np.frombuffer(row[8], dtype=np.float16)
    assert logged.shape == (engine.embedder.dim,)
    expected = engine.embedder.embed_queries([engine.plan("Busan kết nghĩa với TP.HCM từ năm nào?").dense_text])[0]
    assert np.allclose(logged, expected, atol=1e-3)
