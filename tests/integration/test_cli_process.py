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
