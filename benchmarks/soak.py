"""Soak: many users asking and pressing buttons while the operator does what operators do.

    python -m benchmarks.soak [--users 200] [--events 2000]

The real `busan-bot telegram` process (real model and index) against the fake Bot API. Users
send questions and press "More", 👍 and 👎 on their answers, in waves. Meanwhile an article is
added and /reload sent, the bot is stopped (Ctrl-C) and started again twice, and the feedback
database is held locked by another connection for 10 s. At the end: questions without an
answer, votes not stored as last pressed, and the bot's memory. Writes
benchmarks/out/soak.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "6666666:" + "SoakTest_" * 4
ADMIN = 4242
QUESTIONS = [
    "Busan kết nghĩa với TP.HCM từ năm nào?", "busan ket nghia voi tp hcm nam nao", "thi truong busan ten gi",
    "Who is the mayor of Busan?", "TBT đc đón ở sân bay nào", "hop tac thu vien", "busan la cang lon thu may the gioi",
    "Busan mayor là ai vậy?", "linh vuc uu tien dau tu vao vn la j", "cach nau pho bo",
]
ARTICLE = ("Busan mở văn phòng đại diện\nThành phố Busan sẽ mở văn phòng đại diện tại Cần Thơ để hỗ trợ doanh "
           "nghiệp Hàn Quốc đầu tư vào đồng bằng sông Cửu Long.\n")


class Bot:
    def __init__(self, env: dict, log: Path):
        self.env, self.log = env, log
        self.proc: subprocess.Popen | None = None

    def start(self, fake: FakeTelegram) -> None:
        before = len(fake.commands_set)
        with open(self.log, "a") as log:
            self.proc = subprocess.Popen([str(ROOT / ".venv" / "bin" / "busan-bot"), "telegram"], env=self.env,
                                         stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 600
        while len(fake.commands_set) == before:  # setMyCommands: the bot is up
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(self.log.read_text()[-3000:])
            time.sleep(0.2)

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(120)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class CountingFake(FakeTelegram):
    """The fake Bot API, counting setMyCommands calls (one per start of the bot)."""

    def __init__(self, token: str):
        super().__init__(token)
        self.commands_set: list[int] = []

    def _call(self, method: str, p: dict):
        if method == "setMyCommands":
            self.commands_set.append(1)
        return super()._call(method, p)


def press_on(reply: dict, user: int, rng: random.Random) -> tuple[str, str, dict]:
    """A user's press of one of an answer's buttons, chosen at random: (its label, its
    callback data, the bot message it sits under)."""
    buttons = {b["text"]: b["callback_data"] for row in reply["reply_markup"]["inline_keyboard"] for b in row}
    choice = rng.choice(list(buttons))
    message = {"message_id": reply["message_id"], "date": 0, "chat": {"id": user, "type": "private"},
               "text": "x", "from": {"id": 999000, "is_bot": True, "first_name": "B"}}
    return choice, buttons[choice], message


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=200)
    ap.add_argument("--events", type=int, default=2000, help="questions and button presses in all")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "soak.json")
    args = ap.parse_args(argv)
    rng = random.Random(5)
    tmp = Path(tempfile.mkdtemp())
    shutil.copytree(ROOT / "seeds", tmp / "seeds")
    feedback_db = tmp / "feedback.sqlite3"
    fake = CountingFake(TOKEN).start()
    env = dict(os.environ, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=fake.url,
               BUSAN_BOT_SEEDS_DIR=str(tmp / "seeds"), BUSAN_BOT_INDEX_DIR=str(tmp / "index"),
               BUSAN_BOT_TELEGRAM_FEEDBACK_DB=str(feedback_db), BUSAN_BOT_TELEGRAM_RATE_LIMIT="1000",
               BUSAN_BOT_TELEGRAM_ADMINS=f"[{ADMIN}]")
    bot = Bot(env, tmp / "bot.log")
    bot.start(fake)
    asked: dict[tuple[int, int], str] = {}  # (chat, message id) -> question
    last_vote: dict[tuple[str, int], int] = {}  # (answer key, user) -> last vote pressed
    presses = questions = 0
    waves = 10
    per_wave = args.events // waves
    start = time.monotonic()
    events_log = []
    for wave in range(waves):
        if wave == 3:
            (tmp / "seeds" / "soak_new.txt").write_text(ARTICLE, encoding="utf-8")
            fake.say(ADMIN, "/reload", user_id=ADMIN)
            events_log.append("article added, /reload")
        if wave in (4, 7):
            bot.stop()
            events_log.append(f"restart {wave}")
            bot.start(fake)
        blocker = None
        if wave == 5:
            blocker = sqlite3.connect(feedback_db, isolation_level=None)
            blocker.execute("BEGIN EXCLUSIVE")
            locked_at = time.monotonic()
            events_log.append("feedback database locked")
        answered = [m for m in list(fake.sent) if m.get("reply_markup") and m["chat_id"] != ADMIN]
        for _ in range(per_wave):
            user = rng.randrange(1, args.users + 1)
            mine = [m for m in answered if m["chat_id"] == user]
            if mine and rng.random() < 0.3:
                choice, data, message = press_on(rng.choice(mine), user, rng)
                fake.press(message, data, user_id=user)
                if choice in ("👍", "👎"):
                    last_vote[(data.split(":", 1)[1], user)] = 1 if choice == "👍" else -1
                presses += 1
            else:
                msg = fake.say(user, rng.choice(QUESTIONS), user_id=user)
                asked[(user, msg["message_id"])] = msg["text"]
                questions += 1
        if blocker is not None:
            time.sleep(max(0.0, 10 - (time.monotonic() - locked_at)))
            blocker.execute("ROLLBACK")
            blocker.close()
            events_log.append("feedback database released")
        time.sleep(2.0)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        replied = {(m["chat_id"], m["reply_to_message_id"]) for m in list(fake.sent)}
        if all(key in replied for key in asked):
            break
        time.sleep(1.0)
    time.sleep(3.0)  # the last votes reach the database
    rss = bot.rss_mb()
    bot.stop()
    fake.stop()
    replied = {(m["chat_id"], m["reply_to_message_id"]) for m in fake.sent}
    lost_answers = sum(key not in replied for key in asked)
    db = sqlite3.connect(feedback_db)
    stored = {}
    user_hash_of = {}
    for answer, user_hash, vote in db.execute("SELECT answer, user_hash, vote FROM votes"):
        stored[(answer, user_hash)] = vote
    from bot.feedback import FeedbackStore

    hasher = FeedbackStore(feedback_db)
    for (answer, user), vote in last_vote.items():
        user_hash_of[(answer, user)] = hasher.user_hash(user)
    lost_votes = sum(stored.get((answer, user_hash_of[(answer, user)])) != vote
                     for (answer, user), vote in last_vote.items())
    errors = sum("lỗi" in m["text"] for m in fake.sent)
    result = {"users": args.users, "questions": questions, "button_presses": presses, "votes": len(last_vote),
              "lost_answers": lost_answers, "lost_votes": lost_votes, "error_replies": errors,
              "bot_rss_mb_at_end": round(rss, 1), "wall_s": round(time.monotonic() - start, 1),
              "events": events_log, "rejected_by_server": len(fake.rejected)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0 if lost_answers == 0 and lost_votes == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
