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


# Side by side in one run (machines differ 10x): one model call per question on two retrieval
# threads, as before micro-batching, against the settings as shipped.
CONFIGS = {
    "one by one, 2 threads": {"BUSAN_BOT_QUERY_BATCH": "1", "BUSAN_BOT_TELEGRAM_WORKERS": "2"},
    "as shipped (batched)": {},
}


def burst(env_extra: dict, chats: int, questions: int) -> dict:
    """The bot answering ``chats`` x ``questions`` questions sent at once, against the fake Bot API."""
    fake = FakeTelegram(TOKEN).start()
    tmp = Path(tempfile.mkdtemp())
    env = dict(os.environ, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=fake.url,
               BUSAN_BOT_TELEGRAM_FEEDBACK_DB=str(tmp / "fb.sqlite3"), BUSAN_BOT_TELEGRAM_RATE_LIMIT="1000",
               **env_extra)
    exe = ROOT / ".venv" / "bin" / "busan-bot"
    log = open(tmp / "bot.log", "w")
    proc = subprocess.Popen([str(exe), "telegram"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        t0 = time.monotonic()
        while not fake.commands:
            if proc.poll() is not None:
                raise SystemExit((tmp / "bot.log").read_text())
            time.sleep(0.2)
        print(f"bot ready in {time.monotonic() - t0:.1f} s", flush=True)
        sent_at = {}
        for q in range(questions):
            for chat in range(1, chats + 1):
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
    return {
        "chats": chats, "questions_per_chat": questions, "asked": len(sent_at), "answered": len(values),
        "p50_s": round(statistics.median(values), 2) if values else None,
        "p95_s": round(percentile(values, 95), 2) if values else None,
        "max_s": round(max(values), 2) if values else None, "wall_s": round(wall, 1),
        "throughput_per_s": round(len(values) / wall, 2) if wall else None,
        "rejected_by_server": len(fake.rejected),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--chats", type=int, default=100)
    ap.add_argument("--questions", type=int, default=5)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "telegram_load.json")
    args = ap.parse_args(argv)
    results = {name: burst(extra, args.chats, args.questions) for name, extra in CONFIGS.items()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    print(f"{'':<24}{'asked':>6} {'answered':>9} {'p50 s':>7} {'p95 s':>7} {'max s':>7} {'wall s':>7} {'q/s':>6}")
    for name, r in results.items():
        print(f"{name:<24}{r['asked']:>6} {r['answered']:>9} {r['p50_s']:>7} {r['p95_s']:>7} "
              f"{r['max_s']:>7} {r['wall_s']:>7} {r['throughput_per_s']:>6}")
    before, after = results.values()
    if before["throughput_per_s"] and after["throughput_per_s"]:
        print(f"throughput {after['throughput_per_s'] / before['throughput_per_s']:.2f}x, "
              f"p95 {after['p95_s'] / before['p95_s']:.2f}x of one by one")
    return 0 if all(r["answered"] == r["asked"] for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
