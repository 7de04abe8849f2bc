"""Two `busan-bot telegram --webhook-url` processes (real model) on one PostgreSQL database, as
behind a load balancer: updates are delivered to them alternately, and an answer given by one
is paged ("More") and voted on through the other; /reload on one is seen by the other."""

import json
import shutil
import subprocess
import time

import psycopg
import pytest
from fake_telegram import FakeTelegram

from .conftest import ROOT, busan_bot_command
from .test_telegram_e2e import TOKEN, _free_port, _post, _stop, _wait_for_start

SECRET = "replica-Secret_9"
ADMIN = 5151


def _buttons(reply):
    return {b["text"]: b["callback_data"] for row in reply["reply_markup"]["inline_keyboard"] for b in row}


@pytest.fixture(scope="module")
def replicas(cli_env, tmp_path_factory, pg_server):
    import uuid

    name = f"replicas_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_server.get_uri(), autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    url = pg_server.get_uri(name)
    tmp = tmp_path_factory.mktemp("replicas")
    seeds = tmp / "seeds"
    shutil.copytree(ROOT / "seeds", seeds)
    fake = FakeTelegram(TOKEN).start()
    env = dict(cli_env, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=fake.url, TELEGRAM_WEBHOOK_SECRET=SECRET,
               BUSAN_BOT_STORE="postgres", BUSAN_BOT_DATABASE_URL=url, BUSAN_BOT_SEEDS_DIR=str(seeds),
               BUSAN_BOT_TELEGRAM_ADMINS=json.dumps([ADMIN]))
    base = [c for c in busan_bot_command() if c not in ("unshare", "-n")]
    # The operator indexes once into the database; the replicas then only read it.
    built = subprocess.run(base + ["index"], env=env, capture_output=True, text=True, timeout=900)
    assert built.returncode == 0, built.stderr
    procs, urls = [], []
    for name_ in ("a", "b"):
        port = _free_port()
        urls.append(f"http://127.0.0.1:{port}/telegram")
        log_path = tmp / f"{name_}.log"
        with open(log_path, "w") as log:
            procs.append((subprocess.Popen(base + ["telegram", "--webhook-url", urls[-1], "--listen", "127.0.0.1",
                                                  "--port", str(port)], env=env, stdout=log,
                                                 stderr=subprocess.STDOUT), log_path))
    for i, (proc, log_path) in enumerate(procs):
        _wait_for_start(lambda i=i: len(fake.webhooks) > i, proc, log_path)
    time.sleep(1.5)  # each listens right after its setWebhook
    yield fake, urls, url, seeds
    for proc, _ in procs:
        _stop(proc)
    fake.stop()
    with psycopg.connect(pg_server.get_uri(), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE {name} WITH (FORCE)")


class Deliver:
    """Posts updates to the replicas in turn, as a load balancer would."""

    def __init__(self, fake, urls):
        self.fake, self.urls, self.next_id = fake, urls, 1

    def to(self, replica: int, update: dict) -> None:
        update = {"update_id": self.next_id, **update}
        self.next_id += 1
        assert _post(self.urls[replica], update, SECRET) == 200

    def question(self, replica: int, chat: int, text: str, user: int | None = None) -> dict:
        self.to(replica, {"message": self.fake.message(chat, text, user_id=user)})
        return self.fake.wait_for(lambda m: m["chat_id"] == chat and m.get("reply_markup") is not None
                                  or m["chat_id"] == chat and "Đã nạp lại" in m["text"], timeout=180)

    def press(self, replica: int, reply: dict, data: str, user: int) -> None:
        message = {"message_id": reply["message_id"], "date": 0, "text": "x",
                   "chat": {"id": reply["chat_id"], "type": "private"},
                   "from": {"id": 999000, "is_bot": True, "first_name": "B"}}
        self.to(replica, {"callback_query": {"id": f"cb{time.time_ns()}", "data": data, "chat_instance": "ci",
                                             "from": {"id": user, "is_bot": False, "first_name": "U"},
                                             "message": message}})


def _votes(url):
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT count(*), coalesce(sum(vote), 0) FROM busan_bot_votes").fetchone()


def test_more_and_votes_through_the_other_replica(replicas):
    fake, urls, url, _ = replicas
    send = Deliver(fake, urls)
    first = send.question(0, 3001, "Thị trưởng Busan tên là gì?")  # answered by replica A
    assert "Park Heong-joon" in first["text"]
    before = len(fake.callback_answers)
    send.press(1, first, _buttons(first)["Xem thêm"], user=3001)  # "More" reaches replica B
    more = fake.wait_for(lambda m: m["chat_id"] == 3001 and m["message_id"] != first["message_id"], timeout=180)
    assert "4." in more["text"]
    send.press(1, first, _buttons(first)["👍"], user=3001)  # the vote, on B
    send.press(0, first, _buttons(first)["👍"], user=3001)  # pressed again, on A
    deadline = time.monotonic() + 60
    while sum("Cảm ơn" in (a.get("text") or "") for a in fake.callback_answers[before:]) < 2:
        assert time.monotonic() < deadline, fake.callback_answers[before:]
        time.sleep(0.2)
    deadline = time.monotonic() + 30
    while _votes(url) != (1, 1):  # written off the event loop: give it a moment
        assert time.monotonic() < deadline, _votes(url)
        time.sleep(0.2)
    from bot.telegram_render import t

    assert not any(a.get("text") == t("vi", "expired") for a in fake.callback_answers[before:])


def test_questions_alternating_between_replicas_are_all_answered(replicas):
    fake, urls, _, _ = replicas
    send = Deliver(fake, urls)
    questions = ["Busan kết nghĩa với TP.HCM từ năm nào?", "busan ket nghia voi tphcm nam nao",
                 "At which airport was To Lam welcomed?", "Tô Lâm đón ở sân bay nào?"]
    for i, question in enumerate(questions * 2):
        reply = send.question(i % 2, 3100 + i, question)
        assert any(word in reply["text"] for word in ("1995", "Gimhae")), reply["text"]


def test_a_reload_on_one_replica_is_seen_by_the_other(replicas):
    fake, urls, _, seeds = replicas
    send = Deliver(fake, urls)
    question = "Busan mở văn phòng đại diện ở Cần Thơ không?"
    (seeds / "can-tho.txt").write_text(
        "Busan mở văn phòng tại Cần Thơ\n\nThành phố Busan mở văn phòng đại diện tại Cần Thơ vào tháng 11 năm 2026 "
        "để hỗ trợ doanh nghiệp hai bên.\n", encoding="utf-8")
    reloaded = send.question(0, ADMIN, "/reload", user=ADMIN)
    assert "Đã nạp lại" in reloaded["text"]
    time.sleep(1.5)  # a replica checks for a newer index at most once a second
    answer = send.question(1, 3201, question)
    assert "Cần Thơ" in answer["text"] and "2026" in answer["text"]


def test_a_follow_up_that_reaches_the_other_replica_is_understood_the_same_way(replicas):
    fake, urls, _, _ = replicas
    send = Deliver(fake, urls)
    send.question(0, 3301, "Thị trưởng Park Heong-joon cam kết gì?")  # replica A remembers the conversation
    send.to(1, {"message": fake.message(3301, "còn ông Oh Keo-don thì sao?")})  # B reads it from the database
    fake.wait_for(lambda m: len(fake.replies_to(3301)) > 1, timeout=180)
    assert "Hiểu là: ông Oh Keo-don cam kết gì?" in fake.replies_to(3301)[1]["text"]
