import json
import os
import threading

import numpy as np
import pytest
from fakes import HashEmbedder

from retrieval.errors import IndexError_
from retrieval.store.faiss_dense import ivf_lists
from retrieval.store.files import build_index, open_index
from retrieval.store.manifest import CURRENT, GENERATION_FILES, corpus_hash, up_to_date
from retrieval.store.vectors import DenseStats
from retrieval.passage import Passage

TEXTS = [
    "Busan là địa phương đầu tiên kết nghĩa với Thành phố Hồ Chí Minh vào năm 1995.",
    "Hai thành phố hợp tác về cảng biển, logistics và du lịch.",
    "Tổng Bí thư Tô Lâm tiếp Thị trưởng Busan Park Heong-joon.",
    "Lễ đón tại sân bay quốc tế Gimhae.",
]


def passages(texts=TEXTS):
    return [Passage.create("a", "Tiêu đề", "Báo", i + 1, t) for i, t in enumerate(texts)]


def test_build_then_open_round_trip(tmp_path):
    emb = HashEmbedder()
    built, report = build_index(tmp_path, passages(), emb)
    assert report.embedded == 4 and report.reused == 0
    loaded = open_index(tmp_path)
    assert list(loaded.passages) == passages()
    assert loaded.manifest.model_id == emb.model_id and loaded.manifest.dim == emb.dim
    assert loaded.manifest.describes(passages(), emb.model_id)
    assert not loaded.manifest.describes(passages()[:3], emb.model_id)
    assert not loaded.manifest.describes(passages(), "other-model")


def test_dense_and_lexical_search_find_the_right_passage(tmp_path):
    emb = HashEmbedder()
    index, _ = build_index(tmp_path, passages(), emb)
    q = emb.embed_queries(["sân bay Gimhae"])[0]
    assert index.dense.search(q, 2)[0][0] == 3
    assert index.lexical.query("san bay gimhae").top(2)[0][0] == 3  # unaccented finds accented
    assert index.lexical.query("ket nghia").top(4)[0][0] == 0
    assert index.lexical.query("bánh mì").top(4) == []


def test_unchanged_passages_are_not_re_embedded(tmp_path):
    emb = HashEmbedder()
    build_index(tmp_path, passages(), emb)
    emb.calls.clear()
    changed = TEXTS[:3] + ["Một đoạn hoàn toàn mới về hợp tác thư viện."]
    index, report = build_index(tmp_path, passages(changed), emb)
    assert (report.embedded, report.reused) == (1, 3)
    assert emb.calls == [("passage", 1)]
    assert [p.text for p in index.passages] == changed


MULTI = "Busan là thành phố cảng. Hai bên ký thỏa thuận năm 1995. Du lịch tăng nhanh."


def test_each_passage_has_a_vector_per_sentence(tmp_path):
    emb = HashEmbedder()
    index, _ = build_index(tmp_path, passages([MULTI, TEXTS[0]]), emb)
    q = emb.embed_queries(["ký thỏa thuận năm 1995"])[0]
    scores, single = index.dense.sentence_scores(q, [0, 1])
    assert len(scores) == 3 and max(range(3), key=scores.__getitem__) == 1
    # one sentence: its vector is the passage's own (float16 on disk)
    assert single == pytest.approx([float(index.dense.passage_vectors([1])[0] @ q)], abs=2e-3)
    # one call to the model: the new passages, then the sentences of the multi-sentence one
    assert emb.calls[0] == ("passage", 2 + 3)


def test_sentence_vectors_of_unchanged_passages_are_reused(tmp_path):
    emb = HashEmbedder()
    first, _ = build_index(tmp_path, passages([MULTI, TEXTS[0]]), emb)
    q = emb.embed_queries(["du lịch"])[0]
    before = first.dense.sentence_scores(q, [0])[0]
    emb.calls.clear()
    index, report = build_index(tmp_path, passages([TEXTS[1], MULTI]), emb)
    assert emb.calls == [("passage", 1)] and report.reused == 1
    assert index.dense.sentence_scores(q, [1])[0] == pytest.approx(before)


def test_a_new_model_re_embeds_everything(tmp_path):
    build_index(tmp_path, passages(), HashEmbedder())
    _, report = build_index(tmp_path, passages(), HashEmbedder(model_id="fake-hash-v2"))
    assert report.embedded == 4


def test_the_previous_generation_is_kept_for_readers_and_older_ones_removed(tmp_path):
    import time

    for texts in (TEXTS, TEXTS[:2], TEXTS[:3]):
        build_index(tmp_path, passages(texts), HashEmbedder())
        time.sleep(0.01)  # distinct modification times
    (tmp_path / ".building-gen-killed").mkdir()  # what a killed build leaves
    build_index(tmp_path, passages(TEXTS[1:]), HashEmbedder())
    gens = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("gen-"))
    assert len(gens) == 2  # the new one, and the one a reader may have just resolved
    assert os.readlink(tmp_path / CURRENT) in gens
    assert not any(p.name.startswith(".building-") for p in tmp_path.iterdir())


def test_failed_build_leaves_previous_index_usable(tmp_path):
    build_index(tmp_path, passages(), HashEmbedder())

    class Exploding(HashEmbedder):
        def embed_passages(self, texts, progress=False):
            raise RuntimeError("killed mid-build")

    with pytest.raises(RuntimeError):
        build_index(tmp_path, passages(["Đoạn mới hoàn toàn khác biệt ở đây."]), Exploding())
    assert [p.text for p in open_index(tmp_path).passages] == TEXTS
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".building")]


@pytest.mark.parametrize("damage, message", [
    (lambda g: (g / "manifest.json").write_text("{not json"), "damaged"),
    (lambda g: (g / "vectors.npy").write_bytes(b"garbage"), "damaged"),
    (lambda g: (g / "dense.faiss").unlink(), "damaged"),
    (lambda g: (g / "sentences.npy").unlink(), "damaged"),
    (lambda g: np.save(g / "sentence_rows.npy", np.array([0, 1, 2])), "sentence_rows.npy: .* bytes"),
    (lambda g: np.save(g / "sentences.npy", np.zeros((4, 3), np.float16)), "sentences.npy: .* bytes"),
    (lambda g: (g / "manifest.json").write_text(
        json.dumps({**json.loads((g / "manifest.json").read_text()), "count": 99})), "disagree"),
    (lambda g: (g / "manifest.json").write_text(
        json.dumps({**json.loads((g / "manifest.json").read_text()), "format": 0})), "format"),
    (lambda g: (g / "vectors.npy").write_bytes(b""), "damaged"),  # emptied: EOFError inside numpy
    (lambda g: (g / "sentences.npy").write_bytes(b""), "damaged"),
    (lambda g: (g / "stats.npz").write_bytes((g / "stats.npz").read_bytes()[:100]), "damaged"),  # BadZipFile
    (lambda g: (g / "lexical_data.npy").write_bytes((g / "lexical_data.npy").read_bytes()[:100]), "damaged"),
    (lambda g: (g / "lexical_starts.npy").unlink(), "damaged"),
])
def test_damaged_index_is_detected(tmp_path, damage, message):
    build_index(tmp_path, passages(), HashEmbedder())
    damage((tmp_path / CURRENT).resolve())
    with pytest.raises(IndexError_, match=message):
        open_index(tmp_path)


def test_missing_index(tmp_path):
    with pytest.raises(IndexError_, match="no index"):
        open_index(tmp_path / "none")


def test_concurrent_build_waits_then_gives_a_clear_message(tmp_path):
    from filelock import FileLock

    held = FileLock(str(tmp_path / ".lock"))
    held.acquire()
    waited = []
    try:
        with pytest.raises(IndexError_, match="another busan-bot is building"):
            build_index(tmp_path, passages(), HashEmbedder(), lock_timeout=0.2, on_wait=lambda: waited.append(1))
    finally:
        held.release()
    assert waited == [1]
    # once the other build is done, the next one goes through
    index, _ = build_index(tmp_path, passages(), HashEmbedder(), lock_timeout=0.2)
    assert len(index) == 4


def test_two_builds_at_once_both_finish_consistently(tmp_path):
    errors = []

    def run():
        try:
            build_index(tmp_path, passages(), HashEmbedder(), lock_timeout=30)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert open_index(tmp_path).manifest.corpus_hash == corpus_hash(passages())


def test_empty_corpus_index(tmp_path):
    index, _ = build_index(tmp_path, [], HashEmbedder())
    assert len(index) == 0 and index.lexical.query("busan").top(3) == []


@pytest.mark.parametrize("n, dim, seed", [(1, 4, 0), (7, 16, 1), (300, 64, 2)])
def test_dense_stats_equal_a_pass_over_every_vector(n, dim, seed):
    rng = np.random.default_rng(seed)
    vectors = rng.standard_normal((n, dim)).astype(np.float32)
    query = rng.standard_normal(dim).astype(np.float32)
    mean, spread = DenseStats.of(vectors, chunk=5).of_query(query)
    sims = vectors.astype(np.float64) @ query
    assert mean == pytest.approx(sims.mean(), abs=1e-4)
    assert spread == pytest.approx(sims.std(), abs=1e-4)


def test_up_to_date_reads_the_manifest_and_checks_every_file(tmp_path):
    emb = HashEmbedder()
    assert not up_to_date(tmp_path, passages(), emb.model_id)  # no index yet
    build_index(tmp_path, passages(), emb)
    assert up_to_date(tmp_path, passages(), emb.model_id)
    assert not up_to_date(tmp_path, passages()[:3], emb.model_id)
    assert not up_to_date(tmp_path, passages(), "other-model")
    generation = (tmp_path / CURRENT).resolve()
    assert sorted(p.name for p in generation.iterdir()) == sorted(GENERATION_FILES)
    (generation / "stats.npz").unlink()
    assert not up_to_date(tmp_path, passages(), emb.model_id)


def test_an_index_of_an_older_format_is_reported_as_such(tmp_path):
    build_index(tmp_path, passages(), HashEmbedder())
    manifest = (tmp_path / CURRENT).resolve() / "manifest.json"
    manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "format": 1}))
    with pytest.raises(IndexError_, match="another version of busan-bot"):
        open_index(tmp_path)


def test_a_generation_of_an_earlier_version_is_read_then_rebuilt_with_its_vectors_reused(tmp_path):
    emb = HashEmbedder()
    build_index(tmp_path, passages(), emb)
    folder = (tmp_path / CURRENT).resolve()
    manifest = json.loads((folder / "manifest.json").read_text())
    del manifest["files"]["held.npy"]  # as the version before wrote it
    (folder / "manifest.json").write_text(json.dumps(manifest))
    (folder / "held.npy").unlink()
    older = open_index(tmp_path)
    assert older.held is None and list(older.passages) == passages()
    assert not up_to_date(tmp_path, passages(), emb.model_id)  # so the next start rebuilds it
    emb.calls.clear()
    rebuilt, report = build_index(tmp_path, passages(), emb)
    assert report.embedded == 0 and emb.calls == [] and rebuilt.held is not None


def test_a_generation_whose_lists_were_json_is_read_as_before_then_rebuilt(tmp_path):
    from retrieval.pipeline import Pipeline
    from retrieval.restore import accent_table
    from retrieval.store.manifest import ACCENT_FILES, SENTENCE_WORDS, TERMS, string_files

    emb = HashEmbedder()
    new, _ = build_index(tmp_path, passages(), emb)
    folder = (tmp_path / CURRENT).resolve()
    manifest = json.loads((folder / "manifest.json").read_text())
    texts = [p.text for p in passages()]
    earlier = {"terms.json": list(new.lexical.terms), "sentence_words.json": list(new.sentence_words.words),
               "accents.json": accent_table(texts)}  # as the version before wrote them
    for name, value in earlier.items():
        (folder / name).write_text(json.dumps(value, ensure_ascii=False))
    for name in (*string_files(TERMS), *string_files(SENTENCE_WORDS), *ACCENT_FILES):
        (folder / name).unlink()
        del manifest["files"][name]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    older = open_index(tmp_path)
    assert isinstance(older.accents, dict) and not up_to_date(tmp_path, passages(), emb.model_id)
    for question in ("busan ket nghia nam nao", "Thị trưởng Busan là ai?", "cang bien"):
        a, b = (Pipeline(i, lambda t: emb.embed_queries([t])[0]).answer(question, 3) for i in (older, new))
        assert [p.passage.id for p in a.passages] == [p.passage.id for p in b.passages]
        assert a.confidence == pytest.approx(b.confidence) and a.understood_as == b.understood_as
    emb.calls.clear()
    rebuilt, report = build_index(tmp_path, passages(), emb)
    assert report.embedded == 0 and not isinstance(rebuilt.accents, dict)
    assert up_to_date(tmp_path, passages(), emb.model_id)


@pytest.mark.parametrize("n, lists", [(10, 1), (400, 20), (10_000, 200), (1_000_000, 2000)])
def test_ivf_list_count_grows_with_the_square_root_and_stays_trainable(n, lists):
    assert ivf_lists(n) == lists


def test_above_the_exact_limit_the_index_is_approximate_and_still_finds_each_passage(tmp_path):
    texts = [f"Đoạn {i}: hợp tác {w} giữa Busan và thành phố số {i * 7 % 13}." for i, w in
             enumerate(("cảng biển du lịch giáo dục y tế logistics văn hóa thể thao " * 30).split())]
    emb = HashEmbedder()
    index, _ = build_index(tmp_path, passages(texts), emb, exact_limit=50)
    assert index.manifest.search.startswith("ivf")
    vectors = emb.embed_passages(texts)
    found = sum(i in [row for row, _ in index.dense.search(v, 5)] for i, v in enumerate(vectors))
    assert found == len(texts)
    mean, spread = index.dense.stats(vectors[0])
    assert mean == pytest.approx(float((vectors @ vectors[0]).mean()), abs=1e-4)


def test_a_damaged_generation_is_rebuilt_with_a_message_not_a_crash(tmp_path):
    import shutil
    from pathlib import Path

    from retrieval.engine import open_engine
    from retrieval.settings import load_settings

    seeds = tmp_path / "seeds"
    shutil.copytree(Path(__file__).resolve().parents[2] / "seeds", seeds)
    settings = load_settings(seeds_dir=str(seeds), index_dir=str(tmp_path / "index"))
    emb = HashEmbedder()
    first = open_engine(settings, embedder=emb)
    stats = Path(first.index.location) / "stats.npz"
    stats.write_bytes(stats.read_bytes()[:50])  # truncated; the manifest still says "up to date"
    messages = []
    again = open_engine(settings, embedder=emb, notify=messages.append)
    assert any("damaged" in m and "rebuilding" in m for m in messages)
    assert again.report is not None and again.ask("Busan kết nghĩa năm nào?").passages


def _flip_bytes(path, at: int, n: int = 64):
    data = bytearray(path.read_bytes())
    data[at:at + n] = bytes(255 - b for b in data[at:at + n])
    path.write_bytes(bytes(data))


def test_changed_bytes_of_the_same_size_are_caught_by_their_checksum(tmp_path):
    build_index(tmp_path, passages(), HashEmbedder())
    generation = (tmp_path / CURRENT).resolve()
    _flip_bytes(generation / "vectors.npy", at=200)  # silent wrong answers, without checksums
    with pytest.raises(IndexError_, match="vectors.npy: its content changed"):
        open_index(tmp_path)


def test_verify_reads_every_byte_and_names_what_is_damaged(tmp_path, monkeypatch):
    from retrieval.store import files

    build_index(tmp_path, passages(), HashEmbedder())
    store = files.FileStore(tmp_path)
    assert store.verify() == []
    generation = (tmp_path / CURRENT).resolve()
    _flip_bytes(generation / "dense.faiss", at=100)
    monkeypatch.setattr(files, "FULL_CHECK_BYTES", 0)  # a large index: loading checks sizes only
    assert len(open_index(tmp_path)) == 4
    assert store.verify() == ["dense.faiss: its content changed (checksum)"]


def test_changed_articles_are_answered_from_the_previous_index_while_the_new_one_is_built(tmp_path):
    import shutil
    import threading
    from pathlib import Path

    from retrieval.engine import open_engine
    from retrieval.settings import load_settings

    seeds = tmp_path / "seeds"
    shutil.copytree(Path(__file__).resolve().parents[2] / "seeds", seeds)
    settings = load_settings(seeds_dir=str(seeds), index_dir=str(tmp_path / "index"))
    release = threading.Event()

    class SlowToEmbed(HashEmbedder):  # a long build: held until the test releases it
        def embed_passages(self, texts, progress=False):
            assert release.wait(30)
            return super().embed_passages(texts, progress)

    release.set()
    emb = SlowToEmbed()
    open_engine(settings, embedder=emb)
    release.clear()
    (seeds / "moi.txt").write_text("Busan mở văn phòng\nBusan mở văn phòng đại diện tại Cần Thơ.\n", encoding="utf-8")
    messages = []
    engine = open_engine(settings, embedder=emb, notify=messages.append, background=True)
    assert engine.updating and any("answering from it" in m for m in messages)
    before = engine.ask("văn phòng đại diện Cần Thơ")
    assert before.updating and all("Cần Thơ" not in ap.passage.text for ap in before.passages)
    release.set()
    engine.wait_for_update()
    after = engine.ask("văn phòng đại diện Cần Thơ")
    assert not after.updating and "Cần Thơ" in after.passages[0].passage.text
    assert any("up to date" in m for m in messages)


def test_tidy_leaves_a_running_build_alone(tmp_path):
    from filelock import FileLock

    from retrieval.store.files import FileStore

    build_index(tmp_path, passages(), HashEmbedder())
    (tmp_path / ".building-gen-x").mkdir()
    held = FileLock(str(tmp_path / ".lock"))
    held.acquire()  # another process is building
    try:
        assert FileStore(tmp_path).tidy() == 0 and (tmp_path / ".building-gen-x").exists()
    finally:
        held.release()
    assert FileStore(tmp_path).tidy() == 1 and not (tmp_path / ".building-gen-x").exists()


def mapped(array) -> bool:
    """Whether an array's memory is a memory-mapped file (scipy keeps views of what it is given)."""
    import mmap

    while array is not None:
        if isinstance(array, mmap.mmap):
            return True
        array = getattr(array, "base", None)
    return False


def test_bm25_is_memory_mapped_and_an_earlier_versions_single_file_still_reads(tmp_path):
    from retrieval.store.bm25 import Bm25
    from retrieval.store.bm25_write import write as write_bm25
    from retrieval.store.manifest import LEXICAL_FILES

    built = Bm25.build(TEXTS)
    write_bm25(tmp_path, TEXTS)
    loaded = Bm25.load(tmp_path)
    assert mapped(loaded.weights.data) and mapped(loaded.weights.indices)  # views of the file, not copies
    query = "Busan kết nghĩa Thành phố Hồ Chí Minh"
    assert loaded.query(query).top(4) == built.query(query).top(4) and loaded.query(query).top(4)
    for name in LEXICAL_FILES:  # as the version before wrote it: one .npz
        (tmp_path / name).unlink()
    w = built.weights
    np.savez(tmp_path / "lexical.npz", data=w.data, indices=w.indices, indptr=w.indptr, shape=np.array(w.shape),
             idf=built.idf_values)
    old = Bm25.load(tmp_path)
    assert not mapped(old.weights.data) and old.query(query).top(4) == built.query(query).top(4)


@pytest.mark.parametrize("free_after, timeout, waits, builds", [
    (0, 1.0, 0, True),     # free at once: nobody is told to wait
    (2, 5.0, 1, True),     # free after two tries: told once, then built
    (None, 0.3, 1, False),  # never free: told once, then the clear message
])
def test_the_build_lock_every_backend_shares(free_after, timeout, waits, builds):
    from retrieval.store.builder import waiting_for

    tries, told, released = [], [], []

    def try_lock():
        tries.append(1)
        return free_after is not None and len(tries) > free_after

    def hold():
        with waiting_for(try_lock, lambda: released.append(1), "the test", timeout, lambda: told.append(1)):
            return "built"

    if builds:
        assert hold() == "built"
        assert released == [1]
    else:
        with pytest.raises(IndexError_, match="another busan-bot is building the index in the test"):
            hold()
        assert released == []  # a lock never taken is not released
    assert len(told) == waits


@pytest.mark.parametrize("chunk", [1, 2, 3])
def test_a_build_streamed_in_chunks_writes_what_one_chunk_writes(tmp_path, monkeypatch, chunk):
    """Chunks that mix reused and new passages, each sentence block in passage order: the
    same files, vector for vector, as a build that takes the corpus in one piece."""
    import retrieval.store.builder as builder

    texts = [MULTI, TEXTS[0], TEXTS[1], "Một đoạn mới. Có hai câu.", TEXTS[2], TEXTS[3]]
    whole, pieces = tmp_path / "whole", tmp_path / "pieces"
    build_index(whole, passages(texts), HashEmbedder())
    build_index(pieces, passages(texts[1:3] + texts[4:]), HashEmbedder())  # a previous generation to reuse
    monkeypatch.setattr(builder, "EMBED_CHUNK", chunk)
    emb = HashEmbedder()
    _, report = build_index(pieces, passages(texts), emb)
    assert (report.embedded, report.reused) == (2, 4)
    assert all(n <= chunk + 3 for _, n in emb.calls)  # a chunk's passages and their sentences
    one, many = (open_index(folder) for folder in (whole, pieces))
    assert np.array_equal(np.asarray(one.dense.vectors), np.asarray(many.dense.vectors))
    assert np.array_equal(one.dense.sentences.starts, many.dense.sentences.starts)
    assert np.array_equal(np.asarray(one.dense.sentences.vectors), np.asarray(many.dense.sentences.vectors))
    assert np.allclose(one.dense.dense_stats.cov, many.dense.dense_stats.cov, atol=1e-9)
    assert not [p for p in pieces.iterdir() if p.name.startswith(".building-")]
    assert not list((pieces / CURRENT).resolve().glob("*.raw"))


def bm25_by_hand(texts):
    """BM25 weights computed the plain way, term by term: the reference the written index must match."""
    from collections import Counter

    from retrieval.text import lexical_terms
    from retrieval.tuned import BM25_B, BM25_K1

    counts = [Counter(lexical_terms(t)) for t in texts]
    terms = list(dict.fromkeys(term for c in counts for term in c))
    lengths = np.array([sum(c.values()) for c in counts], dtype=np.float64)
    avg = lengths.mean()
    out = {}
    for term in terms:
        df = sum(term in c for c in counts)
        idf = np.log1p((len(texts) - df + 0.5) / (df + 0.5))
        for row, c in enumerate(counts):
            if term in c:
                tf = c[term]
                out[term, row] = tf * (BM25_K1 + 1) / (tf + BM25_K1 * (1 - BM25_B + BM25_B * lengths[row] / avg)) * idf
    return terms, out


@pytest.mark.parametrize("run, block", [(1, 1), (2, 5), (3, 1000), (50_000, 8_000_000)])
def test_bm25_written_in_runs_and_blocks_holds_every_weight_by_hand(tmp_path, monkeypatch, run, block):
    import retrieval.store.bm25_write as bm25_write
    from retrieval.store.bm25 import Bm25

    texts = TEXTS + [MULTI, "Busan Busan Busan cảng", ""]
    monkeypatch.setattr(bm25_write, "RUN_PASSAGES", run)
    monkeypatch.setattr(bm25_write, "MERGE_POSTINGS", block)
    bm25_write.write(tmp_path, texts)
    index = Bm25.load(tmp_path)
    terms, weights = bm25_by_hand(texts)
    assert list(index.terms) == terms and [index.terms.row(t) for t in terms] == list(range(len(terms))) and not list(tmp_path.glob(".bm25-runs"))
    csc = index.weights
    got = {(index.terms[col], int(row)): float(csc.data[at])
           for col in range(csc.shape[1]) for at, row in zip(range(csc.indptr[col], csc.indptr[col + 1]),
                                                              csc.indices[csc.indptr[col]:csc.indptr[col + 1]])}
    assert got.keys() == weights.keys()
    assert all(got[key] == pytest.approx(value, rel=1e-5) for key, value in weights.items())
    assert all(np.all(np.diff(csc.indices[csc.indptr[c]:csc.indptr[c + 1]]) > 0) for c in range(csc.shape[1]))


@pytest.mark.parametrize("size", [1, 2, 7, 4_000_000])
def test_every_terms_postings_read_in_turn_a_few_at_a_time_are_the_indexs_columns(tmp_path, size):
    from retrieval.store.bm25 import Bm25, columns
    from retrieval.store.bm25_write import write

    write(tmp_path, TEXTS + [MULTI, "Busan Busan Busan cảng", ""])
    csc = Bm25.load(tmp_path).weights
    want = [(t, csc.indices[csc.indptr[t]:csc.indptr[t + 1]].tolist(), csc.data[csc.indptr[t]:csc.indptr[t + 1]].tolist())
            for t in range(csc.shape[1])]
    assert [(t, rows.tolist(), weights.tolist()) for t, rows, weights in columns(tmp_path, size)] == want


def test_passages_are_read_by_row_from_any_thread_and_a_file_without_hashes_still_finds_texts(tmp_path, monkeypatch):
    import sqlite3
    from concurrent.futures import ThreadPoolExecutor

    from retrieval.store import sqlite_passages
    from retrieval.store.sqlite_passages import SqlitePassages

    monkeypatch.setattr(sqlite_passages, "PARAMETERS", 2)  # several reads per request
    many = passages([f"Đoạn số {i} về Busan." for i in range(40)])
    SqlitePassages.write(tmp_path, many)
    store = SqlitePassages.load(tmp_path)
    rows = [39, 0, 17, 17, 5]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: store.many(rows), range(40)))
    assert all(got == [many[r] for r in rows] for got in results)
    assert store.rows_for_texts([many[3].text, "không có", many[39].text]) == [3, None, 39]
    with pytest.raises(IndexError):
        store.many([40])
    older = tmp_path / "older"  # as the version before wrote it: no hash column
    older.mkdir()
    db = sqlite3.connect(older / sqlite_passages.FILE)
    db.execute("CREATE TABLE passages (row INTEGER PRIMARY KEY, id TEXT NOT NULL, article TEXT NOT NULL, "
               "title TEXT NOT NULL, source TEXT NOT NULL, paragraph INTEGER NOT NULL, text TEXT NOT NULL)")
    db.executemany("INSERT INTO passages VALUES (?, ?, ?, ?, ?, ?, ?)",
                   [(i, p.id, p.article, p.title, p.source, p.paragraph, p.text) for i, p in enumerate(many)])
    db.commit()
    db.close()
    old = SqlitePassages.load(older)
    assert old.rows_for_texts([many[3].text, "không có"]) == [3, None] and list(old) == many


def test_what_each_passage_holds_is_written_at_build_and_read_as_its_text_would_say(tmp_path):
    import dataclasses

    from retrieval.pipeline import Pipeline

    texts = ["Kết nghĩa năm 1995.", "Lễ đón ngày 13-8.", "Busan có ba cảng.", "Thị trưởng cảm ơn đoàn.",
             "Sau 23 năm hợp tác."]
    index, _ = build_index(tmp_path, passages(texts), HashEmbedder())
    assert index.held is not None and len(index.held) == len(texts)
    written, from_texts = (Pipeline(i, embed_query=None) for i in (index, dataclasses.replace(index, held=None)))
    for asks in ("year", "date", "number", "duration", ""):
        assert written.holding(asks, [3, 0, 4, 2, 1]) == from_texts.holding(asks, [3, 0, 4, 2, 1])
    assert written.holding("year", [0, 1, 2, 3, 4]) == [1.0, 0.0, 0.0, 0.0, 0.0]
    # a length of time: told from the texts of the passages with a number (no bit of its own)
    assert written.holding("duration", [0, 1, 2, 3, 4]) == [0.0, 0.0, 0.0, 0.0, 1.0]


def test_a_running_engine_keeps_each_articles_listing_not_its_paragraphs(tmp_path):
    import gc
    import weakref
    from pathlib import Path

    from bot.render import source_lines
    from retrieval.corpus import load_corpus
    from retrieval.engine import Engine

    articles = load_corpus(Path(__file__).resolve().parents[2] / "seeds")
    listing = [(a.title, len(a.passages)) for a in articles]
    paragraphs = [weakref.ref(p) for a in articles for p in a.passages]
    engine = Engine(settings=None, articles=articles, embedder=HashEmbedder(), index=None, pipeline=object())
    del articles
    gc.collect()
    assert [(s.title, s.paragraphs) for s in engine.sources()] == listing
    assert all(detail.endswith(f"; {n} paragraphs") for (_, detail), (_, n) in zip(source_lines(engine.sources()), listing))
    assert all(ref() is None for ref in paragraphs)  # the index holds them; the engine does not


def test_a_build_from_packed_passages_equals_one_from_a_list_chunk_by_chunk(tmp_path, monkeypatch):
    import retrieval.store.builder as builder
    from retrieval.packed import PackedPassages

    monkeypatch.setattr(builder, "EMBED_CHUNK", 3)  # several chunks, reused and new rows mixed within them
    texts = TEXTS + [MULTI, "Một đoạn hoàn toàn mới về hợp tác thư viện."]
    from_list, _ = build_index(tmp_path / "list", passages(texts), HashEmbedder())
    build_index(tmp_path / "packed", passages(TEXTS), HashEmbedder())
    emb = HashEmbedder()
    with PackedPassages(passages(texts)) as packed:
        from_packed, report = build_index(tmp_path / "packed", packed, emb)
    assert (report.embedded, report.reused) == (2, len(TEXTS))
    assert emb.calls[0][0] == "passage" and sum(n for _, n in emb.calls) == 1 + 1 + 3  # two texts, three sentences
    assert list(from_packed.passages) == list(from_list.passages) == passages(texts)
    assert from_packed.manifest.corpus_hash == from_list.manifest.corpus_hash
    q = emb.embed_queries(["ký thỏa thuận năm 1995"])[0]
    assert from_packed.dense.search(q, 3) == from_list.dense.search(q, 3)
    rows = list(range(len(texts)))
    assert from_packed.dense.sentence_scores(q, rows) == from_list.dense.sentence_scores(q, rows)
    for words in ("san bay gimhae", "thư viện", "ket nghia"):
        assert from_packed.lexical.query(words).top(5) == from_list.lexical.query(words).top(5)
