"""Load benchmark of the Telegram bot: N chats x M questions at once against the fake Bot API.

Starts the fake server (tests/fake_telegram.py) and the real `busan-bot telegram` process
(real model and index), sends every question at once, and measures for each the time from
the update being offered to the bot's reply. Prints a table and writes JSON.

    python -m benchmarks.telegram_load [--chats 100] [--questions 5]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent

QUESTIONS = [
    "Busan kết nghĩa với TP.HCM từ năm nào?", "busan la thanh pho cang lon thu may the gioi",
    "Who is the mayor of Busan?", "Tổng Bí thư được đón tại sân bay nào?", "hop tac he thong thu vien",
    "Which Korean president did To Lam hold talks with?", "Busan có thế mạnh trong những lĩnh vực nào?",
]
TOKEN = "5555555:" + "LoadTest_" * 4


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--chats", type=int, default=100)
    ap.add_argument("--questions", type=int, default=5)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "telegram_load.json")
    args = ap.parse_args(argv)

    fake = FakeTelegram(TOKEN).start()
    tmp = Path(tempfile.mkdtemp())
    env = dict(os.environ, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=fake.url,
               BUSAN_BOT_TELEGRAM_FEEDBACK_DB=str(tmp / "fb.sqlite3"), BUSAN_BOT_TELEGRAM_RATE_LIMIT="1000")
    exe = ROOT / ".venv" / "bin" / "busan-bot"
    log = open(tmp / "bot.log", "w")
    proc = subprocess.Popen([str(exe), "telegram"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        t0 = time.monotonic()
        while not fake.commands:
            if proc.poll() is not None:
                print((tmp / "bot.log").read_text(), file=sys.stderr)
                return 1
            time.sleep(0.2)
        print(f"bot ready in {time.monotonic() - t0:.1f} s", flush=True)
        sent_at = {}
        for q in range(args.questions):
            for chat in range(1, args.chats + 1):
                msg = fake.say(chat, QUESTIONS[(chat + q) % len(QUESTIONS)])
                sent_at[(chat, msg["message_id"])] = time.monotonic()
        latencies = {}
        start = time.monotonic()
        while len(latencies) < len(sent_at) and time.monotonic() - start < 1800:
            with fake.lock:
                for m in fake.sent:
                    key = (m["chat_id"], m["reply_to_message_id"])
                    if key in sent_at and key not in latencies:
                        latencies[key] = m.setdefault("_seen", time.monotonic()) - sent_at[key]
                fake.lock.wait(0.2)
        wall = time.monotonic() - start
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
        fake.stop()
    values = list(latencies.values())
    result = {
        "chats": args.chats, "questions_per_chat": args.questions, "asked": len(sent_at), "answered": len(values),
        "p50_s": round(statistics.median(values), 2) if values else None,
        "p95_s": round(percentile(values, 95), 2) if values else None,
        "max_s": round(max(values), 2) if values else None, "wall_s": round(wall, 1),
        "throughput_per_s": round(len(values) / wall, 2) if wall else None,
        "rejected_by_server": len(fake.rejected),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(f"{'asked':>6} {'answered':>9} {'p50 s':>7} {'p95 s':>7} {'max s':>7} {'wall s':>7} {'q/s':>6}")
    print(f"{result['asked']:>6} {result['answered']:>9} {result['p50_s']:>7} {result['p95_s']:>7} "
          f"{result['max_s']:>7} {result['wall_s']:>7} {result['throughput_per_s']:>6}")
    return 0 if len(values) == len(sent_at) else 1


if __name__ == "__main__":
    sys.exit(main())
