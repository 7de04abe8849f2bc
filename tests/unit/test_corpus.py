from pathlib import Path

import pytest

from retrieval.adding import add_article
from retrieval.corpus import clean_lines, load_article, load_corpus
from retrieval.errors import CorpusError

TITLE = "Busan và TP.HCM hợp tác"
BODY1 = "Busan là địa phương đầu tiên của Hàn Quốc thiết lập quan hệ với Thành phố Hồ Chí Minh năm 1995."
BODY2 = "Hai bên sẽ đẩy mạnh hợp tác về cảng biển, logistics và du lịch trong thời gian tới."


@pytest.mark.parametrize("lines, expected", [
    # title repeated, caption twice, byline, related block
    ([TITLE, "", TITLE, BODY1, "Quang cảnh buổi tiếp. Ảnh: Xuân Khu-TTXVN",
      "Quang cảnh buổi tiếp. Ảnh: Xuân Khu-TTXVN", BODY2, "Xuân Khu", "Tin liên quan", "Bài khác rất dài, có dấu chấm."],
     [BODY1, "Quang cảnh buổi tiếp.", BODY2]),
    # image placeholder and outlet tag
    ([TITLE, f"{TITLE}- Ảnh 1.", "(NLĐO)- " + BODY1, BODY2], [BODY1, BODY2]),
    # section label and "Có thể bạn quan tâm" furniture
    (["Thời sự Chính trị", BODY1, "Có thể bạn quan tâmThời sự", BODY2], [BODY1]),
    # a caption repeating the title goes; one with new facts stays
    ([f"{TITLE} năm nay. Ảnh: TTXVN", "Lễ đón tại sân bay quốc tế Gimhae. Ảnh: TTXVN", BODY1],
     ["Lễ đón tại sân bay quốc tế Gimhae.", BODY1]),
    # a repeated body line is kept once
    ([BODY1, BODY1, BODY2], [BODY1, BODY2]),
])
def test_clean_lines(lines, expected):
    assert clean_lines(lines, TITLE) == expected


def test_seed_articles_are_cleaned():
    articles = load_corpus(Path(__file__).resolve().parents[2] / "seeds")
    assert len(articles) == 2
    texts = [p.text for a in articles for p in a.passages]
    assert not any("Tin liên quan" in t or "Ảnh:" in t or t.endswith("- Ảnh 1.") for t in texts)
    assert len(texts) == len(set(texts))
    assert any("Gimhae" in t for t in texts)  # a unique caption is kept
    for a in articles:
        assert [p.paragraph for p in a.passages] == list(range(1, len(a.passages) + 1))
        assert a.source and a.title


def test_passage_ids_are_stable_and_content_based(tmp_path):
    (tmp_path / "a.txt").write_text(f"{TITLE}\n{BODY1}\n{BODY2}\n", encoding="utf-8")
    first = load_article(tmp_path / "a.txt")
    (tmp_path / "a.txt").write_text(f"{TITLE}\n{BODY2}\n", encoding="utf-8")
    second = load_article(tmp_path / "a.txt")
    assert first.passages[1].id == second.passages[0].id
    assert first.passages[0].id != first.passages[1].id


def test_markdown_and_html(tmp_path):
    (tmp_path / "m.md").write_text(f"# {TITLE}\n\n{BODY1}\ncontinued here.\n\n{BODY2}\n", encoding="utf-8")
    md = load_article(tmp_path / "m.md")
    assert md.title == TITLE
    assert md.passages[0].text == BODY1 + " continued here."
    html = (f"<html><head><title>ignored</title><script>var x='{BODY2}';</script></head><body>"
            f"<nav>Trang chủ</nav><h1>{TITLE}</h1><p>{BODY1}</p><p>{BODY2.replace('logistics', '<b>logistics</b>')}</p>"
            "</body></html>")
    (tmp_path / "h.html").write_text(html, encoding="utf-8")
    h = load_article(tmp_path / "h.html")
    assert h.title == TITLE
    assert [p.text for p in h.passages] == [BODY1, BODY2]


def test_metadata_file_wins(tmp_path):
    (tmp_path / "a.txt").write_text(f"Nhãn mục\n{BODY1}\n", encoding="utf-8")
    (tmp_path / "a.meta.toml").write_text(f'title = "{TITLE}"\nsource = "Báo X"\n', encoding="utf-8")
    article = load_article(tmp_path / "a.txt")
    assert (article.title, article.source) == (TITLE, "Báo X")
    assert article.passages[0].source == "Báo X"


@pytest.mark.parametrize("content, message", [
    (b"\xff\xfe\x00bad", "not UTF-8"),
    (f"{TITLE}\nngắn\n".encode(), "no paragraphs"),
])
def test_bad_articles_are_reported(tmp_path, content, message):
    (tmp_path / "bad.txt").write_bytes(content)
    with pytest.raises(CorpusError, match=message):
        load_corpus(tmp_path)


def test_add_article_copies_with_metadata(tmp_path):
    src = tmp_path / "new article.txt"
    src.write_text(f"{TITLE}\n{BODY1}\n", encoding="utf-8")
    seeds = tmp_path / "seeds"
    target = add_article(src, seeds, title="Tiêu đề \"mới\"", source="Báo Y").path
    article = load_article(target)
    assert article.title == 'Tiêu đề "mới"' and article.source == "Báo Y"
    with pytest.raises(CorpusError, match="already"):
        add_article(src, seeds)
    with pytest.raises(CorpusError, match="unsupported"):
        (tmp_path / "x.odt").write_bytes(b"PK")
        add_article(tmp_path / "x.odt", seeds)
    bad = tmp_path / "empty.txt"
    bad.write_text("Chỉ tiêu đề\n", encoding="utf-8")
    with pytest.raises(CorpusError):
        add_article(bad, seeds)
    assert sorted(p.name for p in seeds.iterdir()) == sorted([target.name, target.stem + ".meta.toml"])


@pytest.mark.parametrize("name, content, meta, reason", [
    ("empty.txt", b"", None, "no paragraphs"),
    ("blank.txt", b"   \n\t\n", None, "no paragraphs"),
    ("latin1.txt", "Tiêu đề\nMột đoạn.".encode("cp1258", "replace") + b"\xff\xfe", None, "not UTF-8"),
    ("badmeta.txt", "Tiêu đề\nMột đoạn văn.".encode(), "title = [unclosed", "not valid TOML"),
    ("typedmeta.txt", "Tiêu đề\nMột đoạn văn.".encode(), "source = { x = 1 }", "source must be text"),
])
def test_a_bad_article_is_skipped_with_its_reason_and_the_rest_load(tmp_path, name, content, meta, reason):
    from retrieval.corpus import scan_corpus

    (tmp_path / "good.txt").write_text("Busan và TP.HCM\nHai thành phố hợp tác về cảng biển.", encoding="utf-8")
    (tmp_path / name).write_bytes(content)
    if meta is not None:
        (tmp_path / name).with_name(Path(name).stem + ".meta.toml").write_text(meta, encoding="utf-8")
    skipped = []
    articles = load_corpus(tmp_path, skipped)
    assert [a.id for a in articles] == ["good"]
    assert [Path(s.path).name for s in skipped] == [name] and reason in skipped[0].reason
    assert scan_corpus(tmp_path)[1] == skipped


def test_only_bad_articles_is_one_clear_error(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    with pytest.raises(CorpusError, match="no readable articles.*empty.txt: no paragraphs"):
        load_corpus(tmp_path)


GOOD = "Busan và TP.HCM\nHai thành phố hợp tác về cảng biển.\n"


def _scan(folder, **kw):
    from retrieval.corpus import scan_corpus

    articles, skipped = scan_corpus(folder, **kw)
    return [a.id for a in articles], {Path(s.path).name: s.reason for s in skipped}


def test_a_link_out_of_the_articles_folder_is_never_read(tmp_path, monkeypatch):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "good.txt").write_text(GOOD, encoding="utf-8")
    secret = tmp_path / "private.txt"
    secret.write_text("Mật khẩu\nMật khẩu của máy chủ là hunter2-secret, đừng nói cho ai biết nhé.\n", encoding="utf-8")
    (seeds / "outside.txt").symlink_to(secret)
    monkeypatch.setenv("BUSAN_TEST_SECRET", "token-123456:ABCDEF")
    (seeds / "environ.txt").symlink_to("/proc/self/environ")
    (seeds / "relative.txt").symlink_to("../private.txt")
    ids, skipped = _scan(seeds)
    assert ids == ["good"]
    assert set(skipped) == {"outside.txt", "environ.txt", "relative.txt"}
    assert all("outside the articles folder" in why for why in skipped.values())
    assert not any("hunter2" in why or "token-123456" in why or str(tmp_path) in why for why in skipped.values())


def test_a_link_inside_the_folder_is_read(tmp_path):
    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "alias.txt").symlink_to("good.txt")
    ids, skipped = _scan(tmp_path)
    assert ids == ["alias", "good"] and skipped == {}


def test_a_metadata_link_out_of_the_folder_skips_its_article(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "good.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "elsewhere.toml").write_text('title = "secret title"\n', encoding="utf-8")
    (seeds / "good.meta.toml").symlink_to(tmp_path / "elsewhere.toml")
    ids, skipped = _scan(seeds)
    assert ids == [] and "outside the articles folder" in skipped["good.txt"]


def test_fifos_and_devices_are_not_read(tmp_path):
    import os

    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.txt")  # reading it would block for ever
    ids, skipped = _scan(tmp_path)
    assert ids == ["good"] and "not a regular file" in skipped["pipe.txt"]


def test_an_article_over_the_size_limit_is_skipped_with_the_setting_named(tmp_path):
    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "huge.txt").write_text(GOOD + "Một đoạn văn rất dài. " * 2000, encoding="utf-8")
    ids, skipped = _scan(tmp_path, max_bytes=10_000)
    assert ids == ["good"] and "max_article_mb" in skipped["huge.txt"]
    with pytest.raises(CorpusError, match="max_article_mb"):
        add_article(tmp_path / "huge.txt", tmp_path / "seeds", max_bytes=10_000)
    assert not (tmp_path / "seeds").exists()


@pytest.mark.parametrize("raw, expected", [
    ("a\x1b]0;pwned\x07b", "ab"),                 # OSC: retitles the terminal
    ("a\x1b[2J\x1b[31mb\x1b[0m", "ab"),           # CSI: clears the screen, colours
    ("a\x00b\x07c\x7fd\x9be", "abcde"),           # C0, DEL, C1
    ("line one\r\nline two\rthree", "line one\nline two\nthree"),
    ("tab\tkept\nnewline kept", "tab\tkept\nnewline kept"),
    ("Tiếng Việt có dấu", "Tiếng Việt có dấu"),
])
def test_strip_controls(raw, expected):
    from retrieval.corpus import strip_controls

    assert strip_controls(raw) == expected


def test_escape_sequences_in_an_article_and_its_metadata_are_stripped_at_read_time(tmp_path):
    (tmp_path / "a.txt").write_text(f"{TITLE}\x1b]0;owned\x07\n{BODY1}\x1b[2J\n", encoding="utf-8")
    (tmp_path / "a.meta.toml").write_text('source = "Báo\\u001b[31m X"\n', encoding="utf-8")
    article = load_article(tmp_path / "a.txt")
    assert article.title == TITLE and article.source == "Báo X"
    assert article.passages[0].text == BODY1


@pytest.mark.parametrize("field", ["title", "source", "author", "date", "url"])
@pytest.mark.parametrize("bad", ["Tiêu đề\rmới", "Tiêu\nđề", "Tiêu \x1b[2J đề"])
def test_add_refuses_control_characters_in_metadata(tmp_path, field, bad):
    src = tmp_path / "a.txt"
    src.write_text(f"{TITLE}\n{BODY1}\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=f"--{field} holds a control character"):
        add_article(src, tmp_path / "seeds", **{field: bad})
    assert not (tmp_path / "seeds").exists()


def test_read_corpus_packs_the_same_paragraphs_and_lists_each_article(tmp_path):
    from retrieval.corpus import corpus_passages, read_corpus
    from retrieval.passage import ArticleSummary

    (tmp_path / "b.txt").write_text(GOOD + "Busan mở thư viện tại Thành phố Hồ Chí Minh năm nay.\n", encoding="utf-8")
    (tmp_path / "a.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    skipped = []
    articles, passages = read_corpus(tmp_path, skipped)
    with passages:
        loaded = load_corpus(tmp_path)
        assert list(passages) == corpus_passages(loaded)
        assert articles == [ArticleSummary.of(a) for a in loaded] and [a.paragraphs for a in articles] == [1, 2]
    assert [Path(s.path).name for s in skipped] == ["empty.txt"]


def test_read_corpus_of_only_bad_articles_is_one_clear_error(tmp_path):
    from retrieval.corpus import read_corpus

    (tmp_path / "empty.txt").write_bytes(b"")
    with pytest.raises(CorpusError, match="no readable articles.*empty.txt: no paragraphs"):
        read_corpus(tmp_path)


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="where an open file lives is read from /proc")
def test_read_corpus_keeps_its_scratch_file_where_it_is_told(tmp_path):
    import os

    from retrieval.corpus import read_corpus

    (tmp_path / "a.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "index").mkdir()
    _, passages = read_corpus(tmp_path, scratch=tmp_path / "index")
    with passages:
        where = os.readlink(f"/proc/self/fd/{passages._file.fileno()}")
        assert where.startswith(str(tmp_path / "index")) and "deleted" in where  # unnamed: nothing left behind
    assert os.listdir(tmp_path / "index") == []


def test_a_scratch_folder_that_cannot_hold_the_paragraphs_is_one_clear_error(tmp_path, monkeypatch):
    from retrieval import packed
    from retrieval.corpus import read_corpus

    (tmp_path / "a.txt").write_text(GOOD, encoding="utf-8")
    with pytest.raises(CorpusError, match="cannot keep the articles' paragraphs in .*missing"):
        read_corpus(tmp_path, scratch=tmp_path / "missing")  # no such folder

    def full(self):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(packed.PackedPassages, "_flush", full)
    monkeypatch.setattr(packed, "FLUSH_EVERY", 1)
    with pytest.raises(CorpusError, match="No space left on device"):
        read_corpus(tmp_path, scratch=tmp_path)
