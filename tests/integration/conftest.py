import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def settings(tmp_path_factory):
    from retrieval.settings import load_settings

    # The model cache is the real one (conversion is slow; do it once per machine); the
    # index goes to a fresh folder so every run builds it for real.
    index_dir = tmp_path_factory.mktemp("index")
    return load_settings(index_dir=str(index_dir))


@pytest.fixture(scope="session")
def engine(settings):
    from retrieval.engine import open_engine

    messages = []
    engine = open_engine(settings, notify=messages.append)
    engine.messages = messages
    return engine


@pytest.fixture(scope="session")
def cli_env(settings, engine):
    """Environment for CLI subprocesses: same index and cache, no network needed."""
    env = dict(os.environ)
    env["BUSAN_BOT_INDEX_DIR"] = str(settings.index_dir)
    env["BUSAN_BOT_CACHE_DIR"] = str(settings.cache_dir)
    env.pop("HF_HUB_OFFLINE", None)  # the program must go offline by itself
    return env


def busan_bot_command() -> list[str]:
    exe = Path(os.environ.get("VIRTUAL_ENV", ROOT / ".venv")) / "bin" / "busan-bot"
    base = [str(exe)] if exe.exists() else ["python", "-m", "bot"]
    # Prove no network is used where we may make a network namespace of our own.
    if shutil.which("unshare") and os.geteuid() == 0 and os.system("unshare -n true 2>/dev/null") == 0:
        return ["unshare", "-n", *base]
    return base
