"""Tables of strings in files (term lists, the accent table): found by value as the dicts and
lists they replace were, written in bounded memory."""

import numpy as np
import pytest

from retrieval.query import Planner
from retrieval.restore import CorpusWords, accent_table
from retrieval.spelling import Words, correction
from retrieval.store import accents as accents_module, strings
from retrieval.store.accents import Accents, write_accents
from retrieval.store.strings import Strings

TABLES = [
    [],
    [""],
    ["busan"],
    ["thành phố", "thanh pho", "Busan", "부산", "a b", "ab", "ba", "kết nghĩa", "2025"],
    [f"w{i}" for i in range(500)],
]


def _both(tmp_path, keys, lookup=True):
    strings.write(tmp_path, "t", keys, lookup=lookup)
    return [Strings.load(tmp_path, "t", lookup), Strings.load(tmp_path, "t", lookup, mapped=False),
            Strings.of(keys, lookup)]


@pytest.mark.parametrize("keys", TABLES)
def test_every_string_is_found_at_its_row_and_nothing_else_is(tmp_path, keys):
    absent = ["", "nope", "thành", "busa", "Busan ", "w500"]
    for table in _both(tmp_path, keys):
        assert len(table) == len(keys) and list(table) == keys
        assert [table.row(k) for k in keys] == list(range(len(keys)))
        assert all(table.row(a) == -1 and a not in table for a in absent if a not in keys)
        probe = keys + absent
        assert table.rows(probe).tolist() == [keys.index(p) if p in keys else -1 for p in probe]


def test_strings_whose_hashes_collide_are_told_apart_by_their_bytes(tmp_path, monkeypatch):
    monkeypatch.setattr(strings, "string_hash", lambda data: len(data) % 2)  # every key collides with half
    keys = ["a", "bb", "c", "dd", "eee"]
    for table in _both(tmp_path, keys):
        assert [table.row(k) for k in keys] == [0, 1, 2, 3, 4]
        assert table.row("ff") == -1 and table.rows(["ff", "eee", "a"]).tolist() == [-1, 4, 0]


def test_a_table_written_without_lookup_is_read_by_row_only(tmp_path):
    for table in _both(tmp_path, ["x", "y"], lookup=False):
        assert table[1] == "y" and list(table) == ["x", "y"]
        with pytest.raises(TypeError):
            table.row("x")
        with pytest.raises(IndexError):
            table[2]


def test_files_that_disagree_are_refused(tmp_path):
    strings.write(tmp_path, "t", ["abc", "de"])
    np.save(tmp_path / "t.offsets.npy", np.array([0, 3], dtype=np.int64))
    with pytest.raises(ValueError, match="disagree"):
        Strings.load(tmp_path, "t")


CORPUS = [
    "Busan là địa phương đầu tiên kết nghĩa với Thành phố Hồ Chí Minh vào năm 1995.",
    "Tổng Bí thư Tô Lâm tiếp Thị trưởng Busan Park Heong-joon tại sân bay Gimhae.",
    "Hai thành phố hợp tác về cảng biển, du lịch và đào tạo. Ban đầu bàn về bán hàng.",
    "ban đầu bán hàng Busan, Busan.",
    "",
]


@pytest.mark.parametrize("run", [1, 2, 3, 1000])
def test_the_accent_table_written_in_runs_is_the_table_counted_whole(tmp_path, run):
    write_accents(tmp_path, iter(CORPUS), run_passages=run)
    expected = accent_table(CORPUS)
    for table in (Accents.load(tmp_path), Accents.load(tmp_path, mapped=False)):
        assert len(table) == len(expected)
        assert {k: table.get(k) for k in expected} == expected
        assert table.get("khong co", {}) == {} and table.get("nope") is None
        assert "ban dau" in table and "busan ban" not in table
        assert table.among(["busan", "bussan", "ban dau", "xyz"]) == {"busan", "ban dau"}
        changed = table.get("busan")
        changed["busanx"] = 7  # a caller's change to what it was given is its own
        assert table.get("busan") == expected["busan"]
    assert not list(tmp_path.glob(".accent-runs"))


def test_a_failed_accent_write_leaves_no_scratch_runs(tmp_path, monkeypatch):
    def broken(*_):
        raise OSError("disk full")
    monkeypatch.setattr(accents_module, "_merge", broken)
    with pytest.raises(OSError):
        write_accents(tmp_path, CORPUS)
    assert not list(tmp_path.glob(".accent-runs"))


QUESTIONS = [
    "busan ket nghia voi tp hcm nam nao",  # restored
    "Busan kết nghĩa với TP.HCM năm nào?",
    "busna ket nghia nam nao",  # a slip mended
    "thij truowngr busan laf ai",  # typed with the Vietnamese keyboard off
    "ban dau ban hang o busan",
    "who is the busan mayor",
]


def test_a_planner_reads_the_table_in_files_as_it_reads_the_dict(tmp_path):
    write_accents(tmp_path, CORPUS, run_passages=2)
    from_files, from_dict = Planner(Accents.load(tmp_path), lambda t: 1.0), Planner(accent_table(CORPUS), lambda t: 1.0)
    for question in QUESTIONS:
        assert from_files.plan(question) == from_dict.plan(question), question


@pytest.mark.parametrize("word, fixed", [("busna", "busan"), ("ngiha", "nghia"), ("busan", None), ("xyzzyq", None),
                                         ("gimhea", "gimhae")])
def test_a_slip_is_mended_from_words_in_files_as_from_a_set(tmp_path, word, fixed):
    write_accents(tmp_path, CORPUS)
    vocabulary = Words(CorpusWords(Accents.load(tmp_path)), frozenset({"khong"}))
    assert correction(word, vocabulary) == fixed
    assert "busan" in vocabulary and "khong" in vocabulary and "ban dau" not in vocabulary
