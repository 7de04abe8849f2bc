"""The CLI over a fake embedder: exit codes, messages, JSON contract, incremental index."""

import json
import shutil
from pathlib import Path

import pytest
from fakes import HashEmbedder

from bot import cli
from retrieval.fusion import Calibration
from retrieval.text import Kind

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def env(tmp_path, monkeypatch):
    seeds = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", seeds)
    embedder = HashEmbedder()
    monkeypatch.setattr("retrieval.engine.make_embedder", lambda settings: embedder)
    # The fake embedder's similarities are not the model's: decide by shared words alone.
    by_words = {k: Calibration(-2.0, 0.0, 8.0, 0.0) for k in Kind}
    monkeypatch.setattr("retrieval.pipeline.CALIBRATION", by_words)
    monkeypatch.setattr("retrieval.pipeline.TOPICALITY", by_words)
    for var in list(__import__("os").environ):
        if var.startswith("BUSAN_BOT_"):
            monkeypatch.delenv(var)
    flags = ["--seeds-dir", str(seeds), "--index-dir", str(tmp_path / "index")]
    return seeds, flags, embedder


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_ask_json_contract(env, capsys):
    _, flags, _ = env
    code, out, err = run(capsys, "ask", "Busan kết nghĩa với TP.HCM từ năm nào?", "--json", "-k", "2", *flags)
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"question", "answered", "status", "confidence", "passages"}
    assert data["status"] in ("answered", "uncertain", "no_answer") and 0.0 <= data["confidence"] <= 1.0
    assert data["answered"] == (data["status"] != "no_answer")
    assert data["question"] == "Busan kết nghĩa với TP.HCM từ năm nào?"
    if data["answered"]:
        assert 1 <= len(data["passages"]) <= 2
        p = data["passages"][0]
        assert set(p) == {"id", "article", "title", "source", "paragraph", "text", "highlight", "score"}
        assert p["highlight"] in p["text"]
    assert "Building the index" in err


def test_ask_reads_questions_from_stdin(env, capsys, monkeypatch):
    import io

    _, flags, _ = env
    monkeypatch.setattr("sys.stdin", io.StringIO("Busan kết nghĩa năm nào?\n\nWho is the mayor of Busan?\n"))
    code, out, _ = run(capsys, "ask", "--json", *flags)
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [d["question"] for d in lines] == ["Busan kết nghĩa năm nào?", "Who is the mayor of Busan?"]


def test_a_batch_answers_every_good_line_despite_bad_bytes_and_bad_lines(env, capsys, monkeypatch):
    import io

    _, flags, _ = env
    raw = "Busan kết nghĩa năm nào?\n".encode() + b"Busan k\xff\xfet ngh\xc4\xa9a?\n" + b"x" * 1200 + b"\nhop tac\n"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8"))
    code, out, _ = run(capsys, "ask", "--json", *flags)
    lines = [json.loads(line) for line in out.splitlines()]
    assert [("error" in d) for d in lines] == [False, False, True, False]
    assert lines[1]["question"] == "Busan kt nghĩa?"  # the undecodable bytes are dropped
    assert "too long" in lines[2]["error"]
    assert code == 1  # a line failed


def test_index_is_incremental_and_add_picks_up_new_articles(env, capsys, tmp_path):
    seeds, flags, embedder = env
    from retrieval.corpus import corpus_passages, load_corpus

    n = len(corpus_passages(load_corpus(seeds)))
    code, out, _ = run(capsys, "index", *flags)
    assert code == 0 and f"{n} embedded, 0 reused" in out
    code, out, _ = run(capsys, "index", *flags)
    assert "up to date" in out
    article = tmp_path / "moi.txt"
    article.write_text("Busan mở văn phòng mới\nBusan sẽ mở văn phòng đại diện tại TP.HCM vào năm tới để hỗ trợ doanh nghiệp.\n",
                       encoding="utf-8")
    code, out, _ = run(capsys, "add", str(article), "--source", "Báo Z", *flags)
    assert code == 0 and "1 paragraphs" in out
    code, out, _ = run(capsys, "index", *flags)
    assert f"1 embedded, {n} reused" in out
    code, out, _ = run(capsys, "sources", *flags)
    assert "Busan mở văn phòng mới" in out and "Báo Z" in out
    code, out, _ = run(capsys, "index", "--rebuild", *flags)
    assert f"{n + 1} embedded" in out


@pytest.mark.parametrize("argv", [["frobnicate"], ["eval"], ["ask", "-k", "many", "x"], []])
def test_usage_errors_exit_2(capsys, argv):
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 2


@pytest.mark.parametrize("argv, env_vars, message, exit_code", [
    (["ask", "   "], {}, "the question is empty", 1),
    (["ask", "x" * 1200], {}, "too long", 1),
    (["ask", "Busan?"], {"BUSAN_BOT_TOP_K": "lots"}, "invalid setting top_k = 'lots'", 2),  # a configuration mistake
    (["sources", "--seeds-dir", "/nonexistent"], {}, "articles folder not found", 1),
    (["eval", "--questions", "/nonexistent.jsonl"], {}, "file not found", 1),
    (["add", "/nonexistent.txt"], {}, "file not found", 1),
    (["ask", "Busan?", "--config", "/nonexistent.toml"], {}, "config file not found", 2),
    (["ask", "Busan?", "--config", "/"], {}, "config file / is a folder", 2),
    (["telegram"], {"TELEGRAM_BOT_TOKEN": "nope"}, "TELEGRAM_BOT_TOKEN is malformed", 2),
])
def test_errors_are_one_line_with_their_exit_code(env, capsys, monkeypatch, argv, env_vars, message, exit_code):
    _, flags, _ = env
    for k, v in env_vars.items():
        monkeypatch.setenv(k, v)
    extra = [] if "--seeds-dir" in argv else flags
    code, out, err = run(capsys, *argv, *extra)
    assert code == exit_code
    assert message in err
    assert "Traceback" not in err and len(err.strip().splitlines()) <= 2


def test_eval_json_last_line(env, capsys):
    _, flags, _ = env
    code, out, _ = run(capsys, "eval", "--questions", str(ROOT / "eval" / "seed_questions.jsonl"), "--json", *flags)
    last = json.loads(out.strip().splitlines()[-1])
    assert code == 0
    assert {"n", "recall@1", "recall@5", "mrr@10"} <= set(last)
    assert last["n"] >= 40 and 0.0 <= last["recall@1"] <= last["recall@5"] <= 1.0


def test_eval_table(env, capsys):
    _, flags, _ = env
    code, out, _ = run(capsys, "eval", "--questions", str(ROOT / "eval" / "seed_questions.jsonl"), "-k", "3", *flags)
    assert code == 0
    assert "R@1" in out and "vi_plain" in out and "off-topic questions: answered" in out


def test_eval_answers_file_changes_what_the_highlight_is_judged_by(env, capsys, tmp_path):
    _, flags, _ = env
    questions = ROOT / "eval" / "seed_questions.jsonl"
    rows = [json.loads(line) for line in questions.open(encoding="utf-8")]
    # answers no sentence can contain: every right top passage now counts as a highlight miss
    (tmp_path / "answers.jsonl").write_text(
        "".join(json.dumps({**r, "answer": "zzzz-no-such-answer"}) + "\n" for r in rows), encoding="utf-8")
    base = ["eval", "--questions", str(questions), "--json", *flags]
    _, out, _ = run(capsys, *base)
    _, judged, _ = run(capsys, *base, "--answers", str(tmp_path / "answers.jsonl"))
    assert json.loads(out.strip().splitlines()[-1])["highlight_has_answer"] > 0
    assert json.loads(judged.strip().splitlines()[-1])["highlight_has_answer"] == 0


def test_chat_over_a_pipe(env, capsys, monkeypatch):
    import io

    _, flags, _ = env
    script = "/help\nBusan kết nghĩa năm nào?\n/more\n/sources\n/bogus\n/quit\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(script))
    code, out, _ = run(capsys, "chat", *flags)
    assert code == 0
    assert "/more" in out and "Unknown command /bogus" in out
    assert "Tổng Bí thư Tô Lâm tiếp Thị trưởng TP Busan" in out  # from /sources
    assert "\033[" not in out  # no colour codes when not on a terminal


def test_a_bad_article_file_stops_no_command(env, capsys, monkeypatch):
    from retrieval.embedder import ModelSource

    seeds, flags, _ = env
    monkeypatch.setattr("retrieval.engine.resolve_model",
                        lambda *a: ModelSource("fake", "fake-hash-v1", "none", True, ("query: ", "passage: ")))
    (seeds / "broken.txt").write_bytes(b"\xff\xfe not text")
    code, out, err = run(capsys, "sources", *flags)
    assert code == 0 and "skipped broken.txt: broken.txt is not UTF-8 text" in out
    code, out, err = run(capsys, "ask", "Busan kết nghĩa năm nào?", "--json", *flags)
    assert code == 0 and json.loads(out)["passages"] is not None
    assert "Skipped broken.txt" in err  # said once, on the way in
    code, out, _ = run(capsys, "info", *flags)
    assert "skipped broken.txt" in out


def test_index_verify_finds_damage_and_rebuilds(env, capsys, tmp_path):
    seeds, flags, embedder = env
    from retrieval.corpus import corpus_passages, load_corpus

    n = len(corpus_passages(load_corpus(seeds)))
    run(capsys, "index", *flags)
    code, out, _ = run(capsys, "index", "--verify", *flags)
    assert code == 0 and "Index verified: every part read back and checked" in out
    vectors = next((tmp_path / "index").glob("gen-*/vectors.npy"))
    data = bytearray(vectors.read_bytes())
    data[300:400] = bytes(100)
    vectors.write_bytes(bytes(data))
    code, out, err = run(capsys, "index", "--verify", *flags)
    assert code == 0 and "damaged: vectors.npy: its content changed" in out
    assert f"{n} embedded, 0 reused" in out  # nothing of the damaged generation is trusted
    code, out, _ = run(capsys, "index", "--verify", *flags)
    assert "Index verified: every part read back and checked" in out


def test_chat_reload_picks_up_an_article_added_meanwhile(env, capsys, monkeypatch):
    seeds, flags, _ = env
    article = "Busan mở văn phòng đại diện\nBusan sẽ mở văn phòng đại diện tại Cần Thơ để hỗ trợ doanh nghiệp.\n"

    class Typist:  # adds the article between two lines, as another terminal would
        lines = iter(["/reload\n", "van phong dai dien Can Tho\n", "/quit\n"])

        def readline(self):
            (seeds / "moi.txt").write_text(article, encoding="utf-8")
            return next(self.lines)

        def isatty(self):
            return False

    monkeypatch.setattr("sys.stdin", Typist())
    code, out, _ = run(capsys, "chat", *flags)
    assert code == 0
    assert "paragraphs from 3 articles" in out  # after /reload
    assert "Cần Thơ" in out


def test_a_large_add_warns_with_its_size_and_the_time_it_will_take(env, capsys, tmp_path):
    seeds, flags, _ = env
    big = tmp_path / "lon.txt"
    big.write_text("Bài rất dài\n" + "\n".join(f"Đoạn số {i} về hợp tác giữa Busan và TP.HCM." for i in range(600)),
                   encoding="utf-8")
    code, out, err = run(capsys, "add", str(big), *flags)
    assert code == 0 and "600 paragraphs" in out
    assert "is large (600 paragraphs" in err and "about 8 min" in err


def test_an_index_dir_that_is_a_file_is_a_configuration_error(env, capsys, tmp_path):
    seeds, _, _ = env
    not_a_folder = tmp_path / "index-file"
    not_a_folder.write_text("x")
    code, _, err = run(capsys, "ask", "Busan?", "--seeds-dir", str(seeds), "--index-dir", str(not_a_folder))
    assert code == 2 and f"index_dir {not_a_folder} is a file, not a folder" in err


def test_index_removes_what_a_killed_build_left_behind(env, capsys, tmp_path):
    _, flags, _ = env
    run(capsys, "index", *flags)
    leftover = tmp_path / "index" / ".building-gen-killed"
    leftover.mkdir()
    code, out, _ = run(capsys, "index", *flags)
    assert code == 0 and "up to date" in out and "interrupted build" in out and not leftover.exists()


# ----------------------------------------------------------------------------- store = "postgres"


@pytest.fixture()
def pg_env(env, pg_url, monkeypatch):
    seeds, flags, embedder = env
    monkeypatch.setenv("BUSAN_BOT_STORE", "postgres")
    monkeypatch.setenv("BUSAN_BOT_DATABASE_URL", pg_url)
    return seeds, flags, embedder


def test_postgres_index_verify_info_and_ask(pg_env, capsys, pg_url):
    import psycopg

    seeds, flags, _ = pg_env
    code, out, _ = run(capsys, "index", *flags)
    assert code == 0 and "Indexed" in out and "postgresql://" in out
    code, out, _ = run(capsys, "index", "--verify", *flags)
    assert code == 0 and "Index verified" in out and "up to date" in out
    code, out, _ = run(capsys, "info", *flags)
    assert code == 0 and "generation" in out and "exact search" in out
    code, out, _ = run(capsys, "ask", "Busan kết nghĩa với TP.HCM từ năm nào?", "--json", *flags)
    assert code == 0 and "1995" in json.loads(out)["passages"][0]["text"]
    with psycopg.connect(pg_url, autocommit=True) as conn:
        (g,) = conn.execute("SELECT generation FROM busan_current").fetchone()
        conn.execute(f"UPDATE busan_g{g}_passages SET text = 'sai' WHERE row = 0")
    code, out, _ = run(capsys, "index", "--verify", *flags)
    assert code == 0 and "damaged: passages" in out and "Indexed" in out  # rebuilt from the articles


def test_postgres_eval_keeps_its_index_apart_from_the_products(pg_env, capsys, tmp_path, pg_url):
    import psycopg

    _, flags, _ = pg_env
    run(capsys, "index", *flags)
    with psycopg.connect(pg_url) as conn:
        before = conn.execute("SELECT generation FROM busan_current").fetchone()
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"question": "Busan kết nghĩa năm nào?", "gold_passage_ids": ["x"]}) + "\n")
    passages = tmp_path / "p.jsonl"
    passages.write_text(json.dumps({"id": "x", "title": "T", "text": "Busan kết nghĩa năm 1995."}) + "\n")
    code, out, err = run(capsys, "eval", "--questions", str(questions), "--passages", str(passages), *flags)
    assert code == 0, err
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT generation FROM busan_current").fetchone() == before
        assert conn.execute("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'busan_eval_%'").fetchone()[0] == 1


def test_an_unreachable_database_is_one_line_and_exit_2_without_the_password(env, capsys, monkeypatch):
    _, flags, _ = env
    monkeypatch.setenv("BUSAN_BOT_STORE", "postgres")
    monkeypatch.setenv("BUSAN_BOT_DATABASE_URL", "postgresql://bot:pa55-word@127.0.0.1:1/busan")
    code, out, err = run(capsys, "ask", "Busan?", *flags)
    assert code != 0 and "cannot reach the database postgresql://bot@127.0.0.1:1/busan" in err
    assert "pa55-word" not in out + err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_a_link_to_the_process_environment_is_never_indexed_or_quoted(env, capsys, monkeypatch):
    """A link in seeds/ to /proc/self/environ once made the bot quote its own token."""
    seeds, flags, _ = env
    secret = "123456:SECRET-never-shown-ABCDEF"
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", secret)
    (seeds / "environ.txt").symlink_to("/proc/self/environ")
    code, out, err = run(capsys, "ask", "TELEGRAM_BOT_TOKEN là gì?", "--json", *flags)
    assert code == 0 and secret not in out + err
    assert "environ.txt" in err and "outside the articles folder" in err
    assert all(p["article"] != "environ" for p in json.loads(out)["passages"])
    code, out, err = run(capsys, "sources", *flags)
    assert "skipped environ.txt" in out and secret not in out + err


def test_an_error_that_is_not_the_projects_own_fails_its_line_only(env, capsys, monkeypatch):
    """IndexError / UndefinedTable / QueryCanceled once ended the whole stdin batch."""
    import io

    from retrieval.engine import Engine

    _, flags, _ = env
    real_ask = Engine.ask

    def flaky(self, question, *a, **kw):
        if "boom" in question:
            raise IndexError("rows not in the index")
        return real_ask(self, question, *a, **kw)

    monkeypatch.setattr(Engine, "ask", flaky)
    monkeypatch.setattr("sys.stdin", io.StringIO("Busan kết nghĩa năm nào?\nboom\n" + "boom " * 10_000 + "\nhop tac\n"))
    code, out, err = run(capsys, "ask", "--json", *flags)
    lines = [json.loads(line) for line in out.splitlines()]
    assert [("error" in d) for d in lines] == [False, True, True, False]
    assert lines[1]["error"] == "unexpected error: IndexError: rows not in the index"
    assert len(lines[2]["question"]) <= 1001  # a 50 KB line is not echoed whole
    assert code == 1 and "Traceback" not in err


def test_ask_json_lines_with_a_chat_id_are_turns_of_that_conversation(env, capsys, monkeypatch):
    import io

    _, flags, _ = env
    lines = [
        {"chat": "a", "question": "Thị trưởng Park Heong-joon cam kết gì?"},
        {"chat": "b", "question": "ông ấy nói gì?"},  # another conversation: nobody to mean
        {"chat": "a", "question": "còn ông Oh Keo-don thì sao?"},
        {"chat": 7, "question": "cảm ơn"},
    ]
    script = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines)
    script += '\nông ấy nói gì?\n{"question": "no chat id"}\n{Busan} là gì?\n'
    monkeypatch.setattr("sys.stdin", io.StringIO(script))
    code, out, _ = run(capsys, "ask", "--json", *flags)
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 1  # the line without a chat id failed, the others were answered
    a1, b1, a2, social, plain, no_chat, braces = rows
    assert (a1["chat"], a1["followup"], a1["understood_as"]) == ("a", False, "Thị trưởng Park Heong-joon cam kết gì?")
    assert (b1["chat"], b1["followup"]) == ("b", False)
    assert (a2["followup"], a2["understood_as"]) == (True, "ông Oh Keo-don cam kết gì?")
    assert a2["question"] == "còn ông Oh Keo-don thì sao?" and {"passages", "status", "confidence"} <= set(a2)
    assert (social["chat"], social["status"], social["passages"]) == ("7", "social", [])
    assert "chat" not in plain and "followup" not in plain  # a plain line stands alone, as before
    assert "chat" in no_chat["error"]
    assert braces["question"] == "{Busan} là gì?" and "error" not in braces


def test_eval_on_a_conversation_file_reports_each_kind_of_turn(env, capsys, tmp_path):
    _, flags, _ = env
    mayor, commitment = "1a4585048922e4ad", "869abacd67a4e76d"
    turns = [
        {"id": "1", "conversation": "c", "turn": "first", "question": "Thị trưởng Park Heong-joon khẳng định gì?",
         "gold_passage_ids": [mayor]},
        {"id": "2", "conversation": "c", "turn": "followup", "question": "ông ấy cam kết gì?",
         "gold_passage_ids": [commitment], "rewrite": "Thị trưởng Park Heong-joon cam kết gì?"},
        {"id": "3", "conversation": "c", "turn": "social", "question": "cảm ơn", "gold_passage_ids": []},
    ]
    path = tmp_path / "conv.jsonl"
    path.write_text("\n".join(json.dumps(t, ensure_ascii=False) for t in turns), encoding="utf-8")
    code, out, _ = run(capsys, "eval", "--questions", str(path), "--json", *flags)
    assert code == 0
    data = json.loads(out.splitlines()[-1])
    assert data["turns"]["followup"]["n"] == 1 and data["turns"]["followup"]["rewrites"] == 1
    assert data["turns"]["followup"]["used_context"] == 1
    assert data["turns"]["social"]["as_expected"] == 1
    code, out, _ = run(capsys, "eval", "--questions", str(path), *flags)
    assert "followup" in out and "rewrite" in out


def test_console_chat_holds_one_conversation_until_new(env, capsys, monkeypatch):
    import io

    _, flags, _ = env
    script = ("Thị trưởng Park Heong-joon cam kết gì?\ncòn ông Oh Keo-don thì sao?\ncảm ơn!\nnữa đi\n/new\n"
              "còn ông Oh Keo-don thì sao?\n/quit\n")
    monkeypatch.setattr("sys.stdin", io.StringIO(script))
    code, out, _ = run(capsys, "chat", *flags)
    assert code == 0
    assert out.count("Hiểu là: ông Oh Keo-don cam kết gì?") == 1  # after /new it stands alone again
    assert "Bạn cứ hỏi tiếp" in out  # the social reply
    assert "\n4. “" in out  # "nữa đi" went on from the third passage
    assert "Bắt đầu cuộc trò chuyện mới" in out


def test_report_reads_the_question_log_and_groups_what_went_unanswered(env, capsys, tmp_path, monkeypatch):
    from bot.feedback import FeedbackStore, Logged

    _, flags, _ = env
    path = tmp_path / "fb.sqlite3"
    monkeypatch.setenv("BUSAN_BOT_TELEGRAM_FEEDBACK_DB", str(path))
    code, _, err = run(capsys, "report", *flags)
    assert code == 2 or code == 1
    assert "no question log" in err and "Traceback" not in err
    store = FeedbackStore(path)
    store.question(1, True, Logged("k1", "Thị trưởng Busan là ai?", "vi", "answered", 0.97, ("p1",)))
    for i, text in enumerate(["Busan có bao nhiêu dân?", "Busan có bao nhiêu dân?", "chuyến bay đi Busan"]):
        store.question(2 + i, False, Logged(f"k{i + 2}", text, "vi", "no_answer", 0.02, ()))
    store.vote(1, "k1", "Thị trưởng Busan là ai?", ["p1"], -1)
    code, out, _ = run(capsys, "report", "--days", "1", *flags)
    assert code == 0
    assert "all: 4 questions; feedback 👍 0 / 👎 1" in out
    assert "   2: Busan có bao nhiêu dân?" in out and "   1: chuyến bay đi Busan" in out
    code, out, _ = run(capsys, "report", "--days", "1", "--html", str(tmp_path / "report.html"), *flags)
    assert code == 0 and f"page written: {tmp_path / 'report.html'}" in out
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<svg" in page and "Busan có bao nhiêu dân?" in page
