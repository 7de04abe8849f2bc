"""`busan-bot report`'s pure parts: the day table, grouping by meaning, the lines printed."""

from __future__ import annotations

from html.parser import HTMLParser

import numpy as np
import pytest

from bot.report import centred, group_by_meaning, lines, mended_by_log, summarise, unanswered_groups
from bot.report_html import page, write_page

DAY = 1_796_000_000.0  # 2026-12-01 (UTC)


def _row(when, question, status, passages="", up=0, down=0, vector=None):
    return (when, question, "vi", status, 0.5, passages, up, down, vector)


def test_summarise_counts_each_day_votes_and_what_went_unanswered():
    report = summarise([
        _row(DAY, "Busan có bao nhiêu dân?", "no_answer"),
        _row(DAY + 60, "Thị trưởng Busan là ai?", "answered", "p1,p2", up=1),
        _row(DAY + 86400, "dân số Busan?", "no_answer"),
        _row(DAY + 86400, "Busan kết nghĩa năm nào?", "uncertain", "p3", down=2),
        _row(DAY + 86400, None, "answered"),  # counted only
    ])
    assert [sum(c.values()) for c in report.days.values()] == [2, 3]
    assert (report.up, report.down, report.uncounted_texts) == (1, 2, 1)
    assert report.unanswered == ["Busan có bao nhiêu dân?", "dân số Busan?"]
    assert report.down_passages == {"p3": 2}


@pytest.mark.parametrize("vectors, groups", [
    ([[1, 0], [0.96, 0.28], [0, 1], [0.28, 0.96], [1, 0]], [[0, 1, 4], [2, 3]]),
    ([[1, 0], [0, 1]], [[0], [1]]),
    ([], []),
])
def test_group_by_meaning(vectors, groups):
    assert group_by_meaning(np.asarray(vectors, dtype=float).reshape(-1, 2), threshold=0.9) == groups


def test_groups_are_ordered_by_their_weight():
    vectors = np.array([[1.0, 0], [0, 1.0]])
    assert group_by_meaning(vectors, threshold=0.9, weights=[1, 5]) == [[1], [0]]


class _Plans:
    """A fake engine: the planner folds, expands "ko" and mends "Busna" (as the real one does,
    word by word), and the model embeds each distinct text to its own direction, recording calls."""

    def __init__(self, dim: int = 400):
        self.embedded: list[str] = []
        self.embedder = self
        self.dim = dim

    def plan(self, text):
        from types import SimpleNamespace

        read = " ".join({"ko": "không", "busna": "busan"}.get(w.lower(), w) for w in text.rstrip("?").split())
        return SimpleNamespace(read_as=read, dense_text=read)

    def embed_queries(self, texts):
        self.embedded += texts
        seen = list(dict.fromkeys(self.embedded))
        out = np.zeros((len(texts), self.dim))
        for i, t in enumerate(texts):
            out[i, seen.index(t) % self.dim] = 1.0
        return out


def test_the_same_words_typed_differently_are_one_group_and_embedded_once():
    asked = ["Busan có bao nhiêu dân?", "busan co bao nhieu dan", "Busna có bao nhiêu dân", "giá vàng hôm nay ko",
             "Busan có bao nhiêu dân?", "gia vang hom nay không"]
    report = summarise([_row(DAY + i, q, "no_answer") for i, q in enumerate(asked)]
                       + [_row(DAY, "Thị trưởng Busan là ai?", "answered")])
    engine = _Plans()
    groups = unanswered_groups(engine, report, [])
    assert groups == [[0, 1, 2, 4], [3, 5]]  # every occurrence, largest first
    # one wording of each question reached the model (then what is typical, to centre on)
    assert engine.embedded[:2] == ["Busan có bao nhiêu dân", "giá vàng hôm nay không"]
    assert not {"busan co bao nhieu dan", "Busna có bao nhiêu dân"} & set(engine.embedded)


@pytest.mark.parametrize("wordings, counts, expected", [
    # a slip of a word asked three times as often: mended (a swap of neighbours, a letter lost)
    (["gia vang hom nay", "gia vnag hom nay", "gia vag hom nay"], [6, 2, 1], ["gia vang hom nay"] * 3),
    # not rare enough beside it: both are words people ask with
    (["gia vang", "gia vanh"], [2, 1], ["gia vang", "gia vanh"]),
    # two words one edit away and as common: which one was meant is unknown, nothing is mended
    (["thanh pho", "thinh pho", "thnh pho"], [3, 3, 1], ["thanh pho", "thinh pho", "thnh pho"]),
    # a common word one edit from a commoner one is no slip when nobody asked with the other
    # ("giá" is not "gì": nobody asked "gì vàng hôm nay")
    (["gi la gi", "ten gi", "gia vang hom nay"], [20, 20, 5], ["gi la gi", "ten gi", "gia vang hom nay"]),
    # two slips in one wording, both mended into a wording asked
    (["thoi tiet ha noi", "thoi teit ha nio"], [9, 1], ["thoi tiet ha noi", "thoi tiet ha noi"]),
    # figures and short words are left alone ("2024" is not a slip for "2025")
    (["nam 2025", "nam 2024", "tp", "to"], [9, 1, 9, 1], ["nam 2025", "nam 2024", "tp", "to"]),
])
def test_slips_are_mended_by_the_logs_own_words(wordings, counts, expected):
    keys = [frozenset(w.split()) for w in wordings]
    assert mended_by_log(keys, counts) == [frozenset(e.split()) for e in expected]


def test_a_question_typed_with_a_slip_the_articles_cannot_mend_joins_its_group():
    asked = ["giá vàng hôm nay"] * 3 + ["gia vnag hom nay", "Busan có bao nhiêu dân?"]
    groups = unanswered_groups(_Plans(), summarise([_row(DAY + i, q, "no_answer") for i, q in enumerate(asked)]), [])
    assert groups == [[0, 1, 2, 3], [4]]


def _f16(*values):
    return np.asarray(values, dtype=np.float16).tobytes()


def test_logged_embeddings_group_without_the_model():
    """Each question's embedding logged by the bot: no model call; wordings that share no word
    but mean the same (their embeddings alike) are one group."""
    rows = [_row(DAY, "Busan có bao nhiêu dân?", "no_answer", vector=_f16(1, 0, 0)),
            _row(DAY + 1, "dân số thành phố cảng?", "no_answer", vector=_f16(0.99, 0.1, 0)),
            _row(DAY + 2, "giá vàng hôm nay", "no_answer", vector=_f16(0, 1, 0)),
            _row(DAY + 3, "Thị trưởng Busan là ai?", "answered", "p1", vector=_f16(0, 0, 1))]
    engine = _Plans()
    groups = unanswered_groups(engine, summarise(rows), rows)
    assert groups == [[0, 1], [2]] and engine.embedded == []


def test_only_questions_logged_without_an_embedding_reach_the_model():
    rows = [_row(DAY, "Busan có bao nhiêu dân?", "no_answer", vector=_f16(1, 0, 0)),
            _row(DAY + 1, "giá vàng hôm nay", "no_answer"),  # logged by a version before embeddings
            _row(DAY + 2, "Thị trưởng Busan là ai?", "answered", "p1", vector=_f16(0, 0, 1))]
    engine = _Plans(dim=3)
    unanswered_groups(engine, summarise(rows), rows)
    assert engine.embedded == ["giá vàng hôm nay"]
    engine = _Plans(dim=5)  # the model changed since: what was logged is of another size
    unanswered_groups(engine, summarise(rows), rows)
    assert set(engine.embedded) == {"Busan có bao nhiêu dân", "giá vàng hôm nay", "Thị trưởng Busan là ai"}


def test_centring_spreads_questions_that_are_all_alike():
    base = np.array([1.0, 0, 0])
    vectors = np.array([base + [0, 0.1, 0], base + [0, 0.11, 0.01], base + [0, 0, 0.1]])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    assert float(vectors[0] @ vectors[2]) > 0.98  # raw: everything alike
    moved = centred(vectors, vectors)
    assert float(moved[0] @ moved[1]) > 0.9 > 0.0 > float(moved[0] @ moved[2])


def test_lines_show_groups_with_their_counts_and_the_paragraphs_voted_down():
    report = summarise([_row(DAY, "Busan có bao nhiêu dân?", "no_answer"), _row(DAY, "dân số Busan?", "no_answer"),
                        _row(DAY, "Busan kết nghĩa năm nào?", "answered", "p3", down=1)])
    out = "\n".join(lines(report, [[0, 1]], {"p3": "Bài A, đoạn 3"}))
    assert "2: Busan có bao nhiêu dân? | dân số Busan?" in out
    assert "1 👎  Bài A, đoạn 3" in out and "all: 3 questions" in out


class _Page(HTMLParser):
    """What a browser would load and show of a page: tags, outside references, text."""

    def __init__(self):
        super().__init__()
        self.tags, self.references, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.references += [v for k, v in attrs if k in ("src", "href") and v]

    def handle_data(self, data):
        self.text.append(data)


def test_the_page_holds_everything_and_fetches_nothing():
    report = summarise([
        _row(DAY, "Busan có bao nhiêu dân?", "no_answer"), _row(DAY, "dân số Busan?", "no_answer"),
        _row(DAY, "<script>alert(1)</script> là gì", "no_answer"),
        _row(DAY + 86400, "Busan kết nghĩa năm nào?", "answered", "p3", down=1),
        _row(DAY + 86400, "ai đón Tổng Bí thư", "uncertain", "p1"),
    ])
    text = page(report, [[0, 1], [2]], {"p3": "Bài A, đoạn 3"}, 7)
    parsed = _Page()
    parsed.feed(text)
    shown = " ".join(parsed.text)
    assert parsed.references == [] and "script" not in parsed.tags  # self-contained; a question is only text
    assert "<script>alert(1)</script> là gì" in shown
    assert parsed.tags.count("rect") == 3  # day 1: no answer; day 2: answered and uncertain
    assert "Busan có bao nhiêu dân? | dân số Busan?" in shown and "Bài A, đoạn 3" in shown
    assert "5 questions; feedback 👍 0 / 👎 1" in shown


def test_the_page_is_written_whole(tmp_path):
    target = tmp_path / "out" / "report.html"
    write_page(target, "<p>one</p>")
    write_page(target, "<p>two</p>")
    assert target.read_text(encoding="utf-8") == "<p>two</p>"
    assert [p.name for p in target.parent.iterdir()] == ["report.html"]  # no temporary file left
