import json

import pytest

from retrieval.errors import InputError
from retrieval.evaluate import Question, read_passages, read_questions, score_rankings


@pytest.mark.parametrize("rankings, r1, r3, mrr", [
    ([(("a",), ["a", "b"])], 1.0, 1.0, 1.0),
    ([(("a",), ["b", "a"])], 0.0, 1.0, 0.5),
    ([(("a",), ["b", "c"]), (("a",), ["a"])], 0.5, 0.5, 0.5),
    ([(("a", "b"), ["c", "b"])], 0.0, 1.0, 0.5),
    ([((), ["a"]), (("a",), ["a"])], 1.0, 1.0, 1.0),  # gold-less questions are not scored
    ([(("z",), [str(i) for i in range(20)])], 0.0, 0.0, 0.0),
])
def test_score_rankings(rankings, r1, r3, mrr):
    s = score_rankings(rankings)
    assert (s.recall[1], s.recall[3], s.mrr_at_10) == pytest.approx((r1, r3, mrr))


def test_mrr_stops_at_ten():
    s = score_rankings([(("x",), [str(i) for i in range(10)] + ["x"])], ks=(1, 20))
    assert s.mrr_at_10 == 0 and s.recall[20] == 1.0


def test_readers(tmp_path):
    p = tmp_path / "p.jsonl"
    p.write_text(json.dumps({"id": "p1", "title": "T", "text": "x"}) + "\n\n", encoding="utf-8")
    assert read_passages(p)[0].id == "p1"
    q = tmp_path / "q.jsonl"
    q.write_text(json.dumps({"question": "?", "gold_passage_ids": ["p1"]}) + "\n", encoding="utf-8")
    assert read_questions(q)[0].gold == ("p1",)


@pytest.mark.parametrize("content, message", [
    ("{bad\n", "not valid JSON"),
    (json.dumps({"title": "no text or id"}) + "\n", "missing field"),
    ("", "holds no passages"),
])
def test_reader_errors(tmp_path, content, message):
    p = tmp_path / "p.jsonl"
    p.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_passages(p)


def test_seed_question_set_matches_the_corpus():
    from pathlib import Path

    from retrieval.corpus import load_corpus

    root = Path(__file__).resolve().parents[2]
    passages = {f"{p.article}#{p.paragraph}": p.id for a in load_corpus(root / "seeds") for p in a.passages}
    rows = [json.loads(line) for line in (root / "eval" / "seed_questions.jsonl").open(encoding="utf-8")]
    assert len(rows) >= 40
    kinds = {r["kind"] for r in rows}
    assert {"vi", "vi_plain", "en", ""} <= kinds
    for r in rows:
        assert [passages[ref] for ref in r["gold_refs"]] == r["gold_passage_ids"], r["id"]


def test_answers_from_a_parallel_file_replace_the_answers_by_id():
    from retrieval.evaluate import with_answers_from

    asked = [Question("1", "When?", ("p1",), "in 1995"), Question("2", "Who?", ("p2",), "the mayor")]
    parallel = [Question("1", "Khi nào?", ("p1",), "năm 1995"), Question("9", "?", (), "x")]
    out = with_answers_from(asked, parallel)
    assert [q.answer for q in out] == ["năm 1995", "the mayor"]  # no parallel answer: kept
    assert [q.text for q in out] == ["When?", "Who?"]
    with pytest.raises(InputError, match="shares no question id"):
        with_answers_from(asked, [Question("7", "?", (), "y")])
