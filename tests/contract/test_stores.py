"""The contract every store backend passes: one suite per interface of retrieval/store/base.py.

A new backend subclasses each suite with a fixture that builds its store from the given
data (as haystack's DocumentStoreBaseTests are used). The in-memory fakes that the pipeline
tests use pass the same suites, so those tests exercise behaviour the real stores share.
"""

from __future__ import annotations

import dataclasses
import sys

import numpy as np
import pytest
from fakes import MemoryPassages, NumpyDense, OverlapLexical

from retrieval.passage import Passage
from retrieval.store.base import DenseIndex, LexicalIndex, PassageStore
from retrieval.store.bm25 import Bm25
from retrieval.store.bm25_write import write as write_bm25
from retrieval.store.faiss_dense import FaissDense, training_rows
from retrieval.store.sqlite_passages import SqlitePassages
from retrieval.store.streamed import InMemory, ToFiles
from retrieval.store.vectors import SentenceVectors

TEXTS = [
    "Busan là địa phương đầu tiên kết nghĩa với Thành phố Hồ Chí Minh vào năm 1995.",
    "Hai thành phố hợp tác về cảng biển, logistics và du lịch.",
    "Tổng Bí thư Tô Lâm tiếp Thị trưởng Busan Park Heong-joon.",
    "Lễ đón tại sân bay quốc tế Gimhae.",
    "Thư viện Busan mở cửa tại Thành phố Hồ Chí Minh.",
]
PASSAGES = [Passage.create("a", "Tiêu đề", "Báo", i + 1, t) for i, t in enumerate(TEXTS)]


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=-1, keepdims=True)).astype(np.float32)


RNG = np.random.default_rng(7)
VECTORS = unit(RNG.standard_normal((len(TEXTS), 16)))
# passage i has i % 3 + 1 sentences, each near the passage's vector
BLOCKS = [unit(VECTORS[i] + 0.3 * RNG.standard_normal((i % 3 + 1, 16))) for i in range(len(TEXTS))]
QUERY = unit(VECTORS[2] + 0.1 * RNG.standard_normal(16))


def fresh(passages: list[Passage]) -> list[Passage]:
    """Equal passages whose texts no store has seen yet (CPython keeps what C code asked of a string)."""
    return [dataclasses.replace(p, text=p.text.encode().decode()) for p in passages]


@pytest.fixture()
def written() -> list[Passage]:
    """The passages a store is written from: PASSAGES, as texts nothing has handled yet."""
    return fresh(PASSAGES)


class PassageStoreContract:
    @pytest.fixture()
    def store(self, tmp_path, written) -> PassageStore:
        raise NotImplementedError

    def test_is_a_passage_store(self, store):
        assert isinstance(store, PassageStore)

    def test_rows_give_back_the_passages_in_order(self, store):
        assert len(store) == len(PASSAGES)
        assert [store[i] for i in range(len(store))] == PASSAGES

    def test_writing_leaves_the_corpus_texts_as_they_were(self, store, written):
        # a text handed to C code as it is would keep a UTF-8 copy of itself as long as the corpus lives
        assert [sys.getsizeof(p.text) for p in written] == [sys.getsizeof(p.text) for p in fresh(PASSAGES)]

    def test_a_text_finds_its_row_and_an_unknown_text_none(self, store):
        texts = [p.text for p in reversed(PASSAGES)] + ["Một đoạn không có trong kho."]
        assert store.rows_for_texts(texts) == list(reversed(range(len(PASSAGES)))) + [None]
        assert store.rows_for_texts([]) == []

    def test_many_gives_the_rows_asked_for_in_that_order(self, store):
        assert store.many([3, 0, 3]) == [PASSAGES[3], PASSAGES[0], PASSAGES[3]]
        assert store.many([]) == []


class DenseIndexContract:
    @pytest.fixture()
    def dense(self, tmp_path) -> DenseIndex:
        raise NotImplementedError

    def test_is_a_dense_index(self, dense):
        assert isinstance(dense, DenseIndex) and dense.dim == VECTORS.shape[1]

    def test_search_gives_the_closest_rows_best_first(self, dense):
        hits = dense.search(QUERY, 3)
        truth = np.argsort(-(VECTORS @ QUERY))[:3]
        assert [r for r, _ in hits] == truth.tolist()
        # an approximate index may quantise what search reports; ``scores`` is exact
        assert [s for _, s in hits] == pytest.approx((VECTORS @ QUERY)[truth].tolist(), abs=0.01)

    def test_search_for_more_than_there_is_gives_everything(self, dense):
        assert sorted(r for r, _ in dense.search(QUERY, 50)) == list(range(len(TEXTS)))

    def test_scores_are_the_inner_products(self, dense):
        # exact up to the stored precision (half precision: ~1e-3)
        assert dense.scores(QUERY, [4, 0]) == pytest.approx([float(VECTORS[4] @ QUERY), float(VECTORS[0] @ QUERY)],
                                                            abs=2e-3)
        assert dense.scores(QUERY, []) == []

    def test_sentence_scores_per_row_in_sentence_order(self, dense):
        got = dense.sentence_scores(QUERY, [1, 2])
        # sentence vectors may be stored at half precision
        assert got[0] == pytest.approx((BLOCKS[1] @ QUERY).tolist(), abs=2e-3)
        assert got[1] == pytest.approx((BLOCKS[2] @ QUERY).tolist(), abs=2e-3)

    def test_stats_are_the_mean_and_spread_over_every_passage(self, dense):
        mean, spread = dense.stats(QUERY)
        sims = VECTORS.astype(np.float64) @ QUERY
        assert mean == pytest.approx(sims.mean(), abs=1e-4) and spread == pytest.approx(sims.std(), abs=1e-4)

    def test_stored_vectors_come_back_for_reuse(self, dense):
        # vectors may be stored at half precision
        assert np.allclose(dense.passage_vectors([3, 1]), VECTORS[[3, 1]], atol=2e-3)
        assert dense.passage_vectors([]).shape == (0, VECTORS.shape[1])
        blocks = dense.sentence_blocks([2, 0])
        assert np.allclose(blocks[0], BLOCKS[2], atol=2e-3) and np.allclose(blocks[1], BLOCKS[0], atol=2e-3)

    def test_describes_how_it_searches(self, dense):
        assert isinstance(dense.describe(), str) and dense.describe()


class LexicalIndexContract:
    @pytest.fixture()
    def lexical(self, tmp_path) -> LexicalIndex:
        raise NotImplementedError

    def test_is_a_lexical_index(self, lexical):
        assert isinstance(lexical, LexicalIndex)

    @pytest.mark.parametrize("text, row", [("sân bay Gimhae", 3), ("san bay gimhae", 3), ("Tô Lâm", 2),
                                           ("thu vien", 4), ("cảng biển logistics", 1)])
    def test_the_passage_with_the_words_comes_first_with_or_without_diacritics(self, lexical, text, row):
        assert lexical.query(text).top(3)[0][0] == row

    def test_unknown_words_find_nothing(self, lexical):
        assert lexical.query("bánh mì pizza").top(5) == []
        assert lexical.query("bánh mì pizza").ceiling == 0.0

    def test_top_is_best_first_and_agrees_with_at(self, lexical):
        query = lexical.query("Busan Thành phố Hồ Chí Minh")
        top = query.top(5)
        assert [s for _, s in top] == sorted((s for _, s in top), reverse=True)
        assert all(s > 0 for _, s in top)
        assert query.at([r for r, _ in top]) == pytest.approx([s for _, s in top])

    def test_the_ceiling_is_positive_for_known_words_and_grows_with_them(self, lexical):
        one, two = lexical.query("Gimhae").ceiling, lexical.query("Gimhae Busan").ceiling
        assert 0 < one < two

    def test_rare_words_weigh_more_and_unseen_words_nothing(self, lexical):
        assert lexical.idf("gimhae") > lexical.idf("busan") > 0
        assert lexical.idf("pizza") == 0.0


# ----------------------------------------------------------------------------- the real stores


class TestSqlitePassages(PassageStoreContract):
    @pytest.fixture()
    def store(self, tmp_path, written):
        SqlitePassages.write(tmp_path, written)
        return SqlitePassages.load(tmp_path)


class TestFaissDense(DenseIndexContract):
    @pytest.fixture(params=[(100, InMemory), (0, InMemory), (100, ToFiles), (0, ToFiles)],
                    ids=["exact", "ivf", "exact-streamed", "ivf-streamed"])
    def dense(self, tmp_path, request):
        exact_limit, kind = request.param
        training = training_rows(len(VECTORS), exact_limit)
        sink = ToFiles(tmp_path, len(VECTORS), training) if kind is ToFiles else InMemory(len(VECTORS), training)
        for start in range(0, len(VECTORS), 3):  # a few rows at a time, as a build hands them on
            sink.add(VECTORS[start : start + 3], BLOCKS[start : start + 3])
        FaissDense.write(tmp_path, sink.finish(VECTORS.shape[1]), exact_limit)
        return FaissDense.load(tmp_path)


class TestBm25(LexicalIndexContract):
    @pytest.fixture()
    def lexical(self, tmp_path):
        write_bm25(tmp_path, TEXTS)
        return Bm25.load(tmp_path)


class PostgresGeneration:
    """One generation written to a fresh database of the test server (tests/conftest.py)."""

    @pytest.fixture(params=[100, 0], ids=["exact", "hnsw"])
    def index(self, pg_url, request, written):
        from retrieval.store.pg_database import Database
        from retrieval.store.postgres import PostgresStore

        store = PostgresStore(Database(pg_url, pool_size=2), exact_limit=request.param)
        index = store.publish(written, VECTORS, SentenceVectors.assemble(BLOCKS, VECTORS.shape[1]), "test-model")
        yield index
        store.db.close()


class TestPostgresPassages(PostgresGeneration, PassageStoreContract):
    @pytest.fixture()
    def store(self, index):
        return index.passages


class TestPostgresDense(PostgresGeneration, DenseIndexContract):
    @pytest.fixture()
    def dense(self, index):
        return index.dense


class TestPostgresLexical(PostgresGeneration, LexicalIndexContract):
    @pytest.fixture()
    def lexical(self, index):
        return index.lexical


# ----------------------------------------------------------------------------- the fakes


class TestMemoryPassages(PassageStoreContract):
    @pytest.fixture()
    def store(self, tmp_path, written):
        return MemoryPassages(written)


class TestNumpyDense(DenseIndexContract):
    @pytest.fixture()
    def dense(self, tmp_path):
        return NumpyDense(VECTORS, BLOCKS)


class TestOverlapLexical(LexicalIndexContract):
    @pytest.fixture()
    def lexical(self, tmp_path):
        return OverlapLexical(TEXTS)
