import pytest

from retrieval.errors import ConfigError
from retrieval.settings import ROOT, load_settings


def write(tmp_path, text):
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_file_then_env_then_flags(tmp_path, monkeypatch):
    cfg = write(tmp_path, "top_k = 4\nindex_dir = 'idx'\n")
    monkeypatch.delenv("BUSAN_BOT_TOP_K", raising=False)
    assert load_settings(cfg).top_k == 4
    monkeypatch.setenv("BUSAN_BOT_TOP_K", "6")
    assert load_settings(cfg).top_k == 6
    assert load_settings(cfg, top_k=2).top_k == 2
    assert load_settings(cfg).index_dir == ROOT / "idx"


def test_shipped_default_file_loads(monkeypatch):
    for var in ("BUSAN_BOT_CONFIG", "BUSAN_BOT_TOP_K"):
        monkeypatch.delenv(var, raising=False)
    s = load_settings()
    assert s.top_k == 3 and s.model == "intfloat/multilingual-e5-small" and not s.allow_download


@pytest.mark.parametrize("text, env, message", [
    ("top_k = 0\n", {}, r"invalid setting top_k = 0"),
    ("", {"BUSAN_BOT_TOP_K": "many"}, r"invalid setting top_k = 'many'"),
    ("topk = 3\n", {}, r"unknown setting 'topk'"),
    ("log_level = 'LOUD'\n", {}, r"invalid setting log_level = 'LOUD'"),
    ("answer_threshold = 2\n", {}, r"answer_threshold = 2"),
    ("top_k = \n", {}, r"not valid TOML"),
])
def test_invalid_values_name_key_and_value(tmp_path, monkeypatch, text, env, message):
    monkeypatch.delenv("BUSAN_BOT_TOP_K", raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    with pytest.raises(ConfigError, match=message):
        load_settings(write(tmp_path, text))


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "nope.toml")


def test_settings_are_frozen():
    s = load_settings()
    with pytest.raises(Exception):
        s.top_k = 9


def test_the_hub_cache_is_looked_up_only_where_the_model_could_be(tmp_path, monkeypatch):
    from retrieval.embedder import _hub_cache_folder

    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    assert _hub_cache_folder("org/model") is None  # nothing there: huggingface_hub is not asked
    snapshot = tmp_path / "models--org--model" / "snapshots" / "abc123"
    snapshot.mkdir(parents=True)
    (snapshot / "config.json").write_text("{}")
    (tmp_path / "models--org--model" / "refs").mkdir()
    (tmp_path / "models--org--model" / "refs" / "main").write_text("abc123")
    assert _hub_cache_folder("org/model") == snapshot
