import os
import threading

import pytest

import retrieval.packed as packed
from retrieval.packed import PackedPassages, Texts
from retrieval.passage import Passage

TEXTS = [
    "Busan là địa phương đầu tiên kết nghĩa với Thành phố Hồ Chí Minh vào năm 1995.",
    "",  # an empty text is a record like any other
    "Tổng Bí thư Tô Lâm tiếp Thị trưởng Busan Park Heong-joon.\x1f\x00 (separators inside the text)",
    "부산시장 박형준 " * 200,  # longer than a small read
    "x",
]


def corpus(n: int) -> list[Passage]:
    return [Passage.create(f"a{i % 3}", f"Tiêu đề {i % 3}", "Báo", i + 1, TEXTS[i % len(TEXTS)] + f" #{i}")
            for i in range(n)]


@pytest.mark.parametrize("n", [0, 1, 2, 5, 1000, 2500])
@pytest.mark.parametrize("read_bytes", [1, 300, 4 << 20])
def test_packed_passages_give_back_what_was_packed(monkeypatch, n, read_bytes):
    monkeypatch.setattr(packed, "READ_BYTES", read_bytes)  # iteration in steps of one passage up to all
    want = corpus(n)
    with PackedPassages(want) as got:
        assert len(got) == n
        assert list(got) == want
        assert list(got) == want  # iterated again, read again
        assert [got[i] for i in range(n)] == want
        assert [got[i] for i in range(-n, 0)] == want
        for lo, hi, step in [(0, n, 1), (1, n - 1, 1), (n // 2, n + 10, 1), (0, n, 3), (5, 2, 1), (None, None, -1)]:
            assert got[lo:hi:step] == want[lo:hi:step]
        assert list(Texts(got)) == [p.text for p in want] and len(Texts(got)) == n


@pytest.mark.parametrize("i", [5, -6, 100])
def test_a_row_outside_is_an_index_error(i):
    with PackedPassages(corpus(5)) as got, pytest.raises(IndexError):
        got[i]


def test_appended_after_a_read_is_read_too():
    with PackedPassages(corpus(3)) as got:
        assert got[2] == corpus(3)[2]
        for p in corpus(5)[3:]:
            got.append(p)
        assert list(got) == corpus(5)


def test_appends_from_threads_all_arrive():
    want = corpus(4000)
    with PackedPassages() as got:
        threads = [threading.Thread(target=lambda part: [got.append(p) for p in part], args=(want[k::4],))
                   for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(got, key=lambda p: p.paragraph) == want


def test_closed_they_leave_no_file_and_no_open_descriptor(tmp_path):
    got = PackedPassages(corpus(10), directory=str(tmp_path))
    fd = got._file.fileno()
    assert os.listdir(tmp_path) == []  # unnamed: nothing to leave behind, whatever happens
    got.close()
    with pytest.raises(OSError):
        os.fstat(fd)


def test_a_short_file_is_an_error_not_a_wrong_passage(tmp_path):
    with PackedPassages(corpus(3)) as got:
        got[0]  # written out
        os.ftruncate(got._file.fileno(), 10)
        with pytest.raises(OSError, match="scratch file ended"):
            got[2]
