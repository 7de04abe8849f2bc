"""Each sentence's words precomputed at build time give fusion the same shares as splitting
the passages at question time."""

import dataclasses
import json

import numpy as np
import pytest
from fakes import HashEmbedder

from retrieval.errors import IndexError_
from retrieval.highlight import Sentences, share
from retrieval.passage import Passage
from retrieval.pipeline import Pipeline
from retrieval.store import files
from retrieval.store.files import build_index, open_index
from retrieval.store.manifest import CURRENT, up_to_date
from retrieval.store.sentence_words import FILES, SentenceWords

TEXTS = [
    "Busan là địa phương đầu tiên kết nghĩa với Thành phố Hồ Chí Minh vào năm 1995. Hai bên ký thỏa thuận.",
    "Hai thành phố hợp tác về cảng biển, logistics và du lịch.",
    "Tổng Bí thư Tô Lâm tiếp Thị trưởng Busan Park Heong-joon. Ông cảm ơn đoàn. TP.HCM mời Busan đầu tư!",
    "",  # a passage of no words: one empty sentence
    "Lễ đón tại sân bay quốc tế Gimhae.",
]


def reference(rows, terms):
    """The figure as fusion computed it before: split and fold each candidate at question time."""
    return [max(share(terms, words) for words in Sentences.of(TEXTS[r]).words) for r in rows]


@pytest.mark.parametrize("rows, terms", [
    ([0, 1, 2, 3, 4], {"busan": 3.0, "ket": 2.0, "nghia": 2.0, "1995": 4.0}),  # all in one sentence of row 0
    ([2, 0], {"busan": 3.0, "dau": 1.0, "tu": 1.0}),  # the best of three sentences, rows in any order
    ([4, 4, 1], {"gimhae": 5.0, "pizza": 5.0}),  # a word no passage has still counts in the total
    ([0, 2], {"tp": 1.0, "hcm": 1.0}),  # words as typed in the passage, abbreviations not written out
    ([1, 3], {"cang": 1.0, "bien": 1.0}),
    ([0, 1], {"pizza": 1.0}),  # nothing found
    ([0, 1], {}),  # no words asked
    ([], {"busan": 1.0}),  # no candidates
    ([0, 2], {"busan": 0.0, "le": 0.0}),  # weights summing to nothing
])
def test_shares_equal_splitting_the_passages_at_question_time(rows, terms):
    words = SentenceWords.build(Sentences.of(t).words for t in TEXTS)
    assert words.best_shares(rows, terms) == pytest.approx(reference(rows, terms), abs=1e-12)


def test_saved_and_loaded_they_give_the_same_shares(tmp_path):
    built = SentenceWords.build(Sentences.of(t).words for t in TEXTS)
    built.save(tmp_path)
    loaded = SentenceWords.load(tmp_path)
    terms = {"busan": 2.0, "doan": 1.0, "gimhae": 1.5}
    assert loaded.agrees_with(len(TEXTS)) and not loaded.agrees_with(len(TEXTS) + 1)
    assert loaded.best_shares(range(len(TEXTS)), terms) == pytest.approx(reference(range(len(TEXTS)), terms))


def test_a_folder_without_them_loads_as_none(tmp_path):
    SentenceWords.build(Sentences.of(t).words for t in TEXTS).save(tmp_path)
    (tmp_path / FILES[2]).unlink()
    assert SentenceWords.load(tmp_path) is None


def passages():
    return [Passage.create("a", "Tiêu đề", "Báo", i + 1, t or "Một đoạn.") for i, t in enumerate(TEXTS)]


def test_an_index_built_with_them_ranks_as_one_built_without(tmp_path):
    """A generation of an earlier version (no sentence words) is read as before, and both
    rank every question the same."""
    embedder = HashEmbedder()
    index, _ = build_index(tmp_path, passages(), embedder)
    assert index.sentence_words is not None and open_index(tmp_path).sentence_words is not None
    with_words = Pipeline(index, lambda text: embedder.embed_queries([text])[0])
    without = Pipeline(dataclasses.replace(index, sentence_words=None), lambda text: embedder.embed_queries([text])[0])
    for question in ("Busan kết nghĩa năm nào?", "ai tiep thi truong busan", "Where is Gimhae airport?",
                     "TP.HCM mời Busan làm gì?"):
        a, b = with_words.answer(question, k=5), without.answer(question, k=5)
        assert [p.passage.id for p in a.passages] == [p.passage.id for p in b.passages]
        assert [p.score for p in a.passages] == pytest.approx([p.score for p in b.passages])


def test_a_generation_whose_sentence_words_disagree_with_its_passages_is_damaged(tmp_path, monkeypatch):
    short = SentenceWords.build(Sentences.of(t).words for t in TEXTS[:2])
    monkeypatch.setattr(files.SentenceWords, "build", lambda sentences: short)
    with pytest.raises(IndexError_, match="disagree"):
        build_index(tmp_path, passages(), HashEmbedder())


def test_range_gathering_handles_empty_selections():
    words = SentenceWords.build(Sentences.of(t).words for t in TEXTS)
    assert words.best_shares(np.array([], dtype=np.int64), {"busan": 1.0}) == []


def test_a_generation_of_the_earlier_version_is_read_then_rebuilt_with_its_vectors_reused(tmp_path):
    embedder = HashEmbedder()
    build_index(tmp_path, passages(), embedder)
    generation = (tmp_path / CURRENT).resolve()
    manifest = json.loads((generation / "manifest.json").read_text())
    for name in FILES:  # as the version before them wrote it
        (generation / name).unlink()
        del manifest["files"][name]
    (generation / "manifest.json").write_text(json.dumps(manifest))
    old = open_index(tmp_path)
    assert old.sentence_words is None and not up_to_date(tmp_path, passages(), embedder.model_id)
    rebuilt, report = build_index(tmp_path, passages(), embedder, previous=old)
    assert report.embedded == 0 and report.reused == len(TEXTS)
    assert rebuilt.sentence_words is not None and up_to_date(tmp_path, passages(), embedder.model_id)
