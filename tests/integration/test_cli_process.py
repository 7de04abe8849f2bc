"""The installed `busan-bot` command as a user runs it (a fresh process each, no network)."""

import json
import subprocess

from .conftest import busan_bot_command


def run(args, env, stdin=None, timeout=600):
    return subprocess.run(busan_bot_command() + args, input=stdin, capture_output=True, text=True,
                          env=env, timeout=timeout)


def test_ask_json_from_stdin(cli_env):
    questions = "Busan kết nghĩa với TP.HCM từ năm nào?\nWho is the mayor of Busan?\ncach nau pho bo ngon\n"
    result = run(["ask", "--json", "-k", "2"], cli_env, stdin=questions)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [d["question"] for d in lines] == [q for q in questions.splitlines()]
    first = lines[0]
    assert first["answered"] and "1995" in first["passages"][0]["highlight"]
    assert any("Park Heong-joon" in p["text"] for p in lines[1]["passages"])
    assert lines[2]["answered"] is False and lines[2]["passages"] == []
    assert "Traceback" not in result.stderr


def test_chat_session_through_a_pipe(cli_env):
    script = "/help\nThị trưởng Busan tên là gì?\n/more\n/sources\n/quit\n"
    result = run(["chat"], cli_env, stdin=script)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Park Heong-joon" in out
    assert "2. " in out or "4. " in out  # numbered passages, /more continues the numbering
    assert "Tổng Bí thư Tô Lâm tiếp Thị trưởng TP Busan" in out
    assert "\033[" not in out


def test_a_conversation_in_the_console_and_through_ask_json(cli_env):
    """The real model: a follow-up whose pronoun means the mayor named in the last answer, a
    social turn, and a question of its own that the last topic must not pull."""
    script = ("thị trưởng busan là ai\nông ấy cam kết gì?\ncảm ơn!\n"
              "Tổng lãnh sự quán Việt Nam ở Busan ra mắt khi nào?\n/quit\n")
    result = run(["chat"], cli_env, stdin=script)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    understood = [line for line in out.splitlines() if line.startswith("Hiểu là: ")]
    assert len(understood) == 1 and "Park Heong-joon cam kết gì?" in understood[0]
    assert "phối hợp chặt chẽ" in out  # the paragraph of the mayor's commitment
    assert "Bạn cứ hỏi tiếp" in out

    lines = [{"chat": "x", "question": "thi truong busan la ai"}, {"chat": "y", "question": "cảm ơn"},
             {"chat": "x", "question": "ong ay cam ket gi"}]
    result = run(["ask", "--json"], cli_env, stdin="\n".join(json.dumps(line, ensure_ascii=False) for line in lines))
    assert result.returncode == 0, result.stderr
    first, social, follow = [json.loads(line) for line in result.stdout.splitlines()]
    assert (first["followup"], social["status"], social["passages"]) == (False, "social", [])
    assert follow["followup"] and follow["understood_as"].endswith("Park Heong-joon cam ket gi")
    assert "phối hợp chặt chẽ" in follow["passages"][0]["text"]
