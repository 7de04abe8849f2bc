"""The installed `busan-bot` command as a user runs it (a fresh process each, no network)."""

import json
import subprocess

from .conftest import busan_bot_command


def run(args, env, stdin=None, timeout=600):
    return subprocess.run(busan_bot_command() + args, input=stdin, capture_output=True, text=True,
                          env=env, timeout=timeout)


def test_ask_json_from_stdin(cli_env):
    questions = "Busan kết nghĩa với TP.HCM từ năm nào?\nWho is the mayor of Busan?\ngia vang hom nay bao nhieu\n"
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


def test_ctrl_c_during_an_answer_cancels_it_and_the_chat_goes_on(cli_env):
    """Under a real terminal (a pty): Ctrl-C while the first answer is computed (the model
    loads then) returns to the prompt; the next question is answered; Ctrl-C twice leaves."""
    import os
    import pty
    import select
    import time

    import fcntl
    import termios

    master, slave = pty.openpty()

    def own_terminal():  # as a shell starts it: a session whose controlling terminal is the pty
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(busan_bot_command() + ["chat"], stdin=slave, stdout=slave, stderr=slave,
                            env=dict(cli_env, TERM="dumb"), preexec_fn=own_terminal)
    os.close(slave)
    seen = b""

    def read_until(token: bytes, timeout: float = 300, after: int = 0) -> bytes:
        nonlocal seen
        deadline = time.monotonic() + timeout
        while token not in seen[after:]:
            assert time.monotonic() < deadline and proc.poll() is None, seen.decode(errors="replace")[-2000:]
            if select.select([master], [], [], 0.5)[0]:
                try:
                    seen += os.read(master, 65536)
                except OSError:
                    break
        return seen

    def ctrl_c() -> None:
        os.write(master, b"\x03")  # ^C typed: the terminal interrupts, or the prompt reads it as a key

    def reading_keys(timeout: float = 60) -> int:
        """Wait until the prompt reads keys (the terminal out of line mode), as a person sees the
        prompt before typing: a dumb terminal's prompt is written before prompt_toolkit takes the
        keys, and a ^C typed in between is a signal its key reader may drop. Returns where the
        output stands."""
        deadline = time.monotonic() + timeout
        while termios.tcgetattr(master)[3] & termios.ICANON:  # on Linux the master reads the slave's modes
            assert time.monotonic() < deadline and proc.poll() is None, seen.decode(errors="replace")[-2000:]
            time.sleep(0.05)
        return len(seen)

    try:
        read_until(b"? ")
        os.write(master, "Busan kết nghĩa với TP.HCM từ năm nào?\r".encode())
        time.sleep(1.0)  # the question is being answered (the model loads now)
        ctrl_c()
        read_until(b"cancelled")
        os.write(master, "Busan kết nghĩa với TP.HCM từ năm nào?\r".encode())
        read_until(b"1995")
        shown = read_until(b"/more").rindex(b"/more")  # the answer printed whole,
        read_until(b"? ", after=shown)  # and the prompt back
        assert proc.poll() is None
        at = reading_keys()
        ctrl_c()
        # the prompt back before the second: one typed while the first is still being handled
        # interrupts the handler (the process then leaves by the signal, 130)
        said = b"(Ctrl-C again to leave)\r\n"
        read_until(b"? ", after=read_until(said, after=at).index(said, at) + len(said))
        reading_keys()
        ctrl_c()
        assert proc.wait(timeout=60) == 0
        assert b"terminate called" not in seen and b"Traceback" not in seen
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
