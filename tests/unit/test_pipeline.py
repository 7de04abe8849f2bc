"""The pipeline over in-memory fake stores (tests/fakes.py): no FAISS, no disk."""

import dataclasses

import numpy as np
import pytest
from fakes import HashEmbedder, memory_index

from retrieval.align import DEPTH, Aligner, TokenStates
from retrieval.errors import InputError, QuestionError
from retrieval.fusion import Calibration
from retrieval.passage import Passage
from retrieval.pipeline import Pipeline
from retrieval.text import Kind

TEXTS = [
    "Busan là địa phương đầu tiên của Hàn Quốc kết nghĩa với Thành phố Hồ Chí Minh vào năm 1995. "
    "Quan hệ đó trở thành hình mẫu.",
    "Hai thành phố hợp tác về cảng biển, logistics và du lịch.",
    "Tổng Bí thư Tô Lâm tiếp Thị trưởng Busan Park Heong-joon.",
    "Lễ đón tại sân bay quốc tế Gimhae, thành phố Busan.",
]


@pytest.fixture()
def answerer():
    emb = HashEmbedder()
    ps = [Passage.create("a", "Tiêu đề", "Báo", i + 1, t) for i, t in enumerate(TEXTS)]
    return Pipeline(memory_index(ps, emb), lambda t: emb.embed_queries([t])[0], threshold=0.5)


@pytest.mark.parametrize("question, paragraph", [
    ("Busan kết nghĩa với TP.HCM năm nào?", 1),
    ("busan ket nghia nam nao", 1),
    ("san bay Gimhae", 4),
    ("Thị trưởng Park Heong-joon", 3),
])
def test_best_passage_first(answerer, question, paragraph):
    answer = answerer.answer(question, k=2)
    assert answer.passages[0].passage.paragraph == paragraph
    assert len(answer.passages) == 2
    assert answer.passages[0].score >= answer.passages[1].score


def test_highlight_is_the_answering_sentence(answerer):
    top = answerer.answer("Busan kết nghĩa với TP.HCM năm nào?").passages[0]
    assert top.highlight.startswith("Busan là địa phương đầu tiên") and top.highlight in top.passage.text


def test_more_pages_through_the_same_ranking_without_searching_again(answerer):
    always = {k: Calibration(bias=50, dense=0, coverage=0, margin=0) for k in Kind}
    answerer.calibration = answerer.topicality = always
    first = answerer.answer("Busan", k=2)
    calls = []
    answerer.embed_query = lambda t: calls.append(t)
    more = answerer.more(first.cursor, k=2)
    assert calls == []  # no embedding, no retrieval: the ranking is reused
    assert {p.passage.id for p in first.passages}.isdisjoint(p.passage.id for p in more.passages)
    assert [p.passage.id for p in first.passages + more.passages] == [
        answerer.index.passages[r].id for r in first.cursor.ranking.rows[:4]]
    assert more.answered and more.cursor.shown == 4
    assert answerer.more(more.cursor, k=2).passages == ()  # four passages in all


def test_more_after_a_refusal_starts_with_the_first_passage(answerer):
    never = {k: Calibration(bias=-50, dense=0, coverage=0, margin=0) for k in Kind}
    answerer.calibration = answerer.topicality = never
    refused = answerer.answer("Busan kết nghĩa năm nào?", k=2)
    assert not refused.shown() and refused.cursor.shown == 0
    assert answerer.more(refused.cursor, k=2).passages == refused.passages  # none of them was seen


def test_json_contract(answerer):
    data = answerer.answer("san bay Gimhae", k=1).to_json()
    assert list(data) == ["question", "answered", "status", "confidence", "passages"]
    if data["answered"]:
        assert list(data["passages"][0]) == ["id", "article", "title", "source", "paragraph", "text", "highlight", "score"]
        assert isinstance(data["passages"][0]["paragraph"], int) and isinstance(data["passages"][0]["score"], float)


def test_low_confidence_says_no_answer(answerer):
    never = {k: Calibration(bias=-50, dense=0, coverage=0, margin=0) for k in Kind}
    answerer.calibration = answerer.topicality = never
    answer = answerer.answer("Busan kết nghĩa năm nào?")
    assert not answer.answered and answer.message and answer.to_json()["passages"] == []
    assert answer.passages  # the closest passages are still there for "more"
    english = answerer.answer("How do I bake bread?")
    assert "articles do not" in english.message


@pytest.mark.parametrize("bias, status, answered, shown, caveat", [
    (50, "answered", True, True, ""),
    (0, "uncertain", True, True, "Có thể đoạn sau"),  # confidence 0.5 with thresholds 0.6 / 0.3
    (-50, "no_answer", False, False, "Các bài báo không"),
])
def test_three_statuses(answerer, bias, status, answered, shown, caveat):
    answerer.calibration = answerer.topicality = {k: Calibration(bias=bias, dense=0, coverage=0, margin=0) for k in Kind}
    answerer.threshold, answerer.uncertain_thresholds = 0.6, dict.fromkeys(Kind, 0.3)
    answer = answerer.answer("Busan kết nghĩa năm nào?")
    assert (answer.status, answer.answered, bool(answer.shown())) == (status, answered, shown)
    assert answer.message.startswith(caveat) if caveat else answer.message == ""
    data = answer.to_json()
    assert (data["status"], data["answered"], bool(data["passages"])) == (status, answered, shown)


def test_confident_answer(answerer):
    always = {k: Calibration(bias=50, dense=0, coverage=0, margin=0) for k in Kind}
    answerer.calibration = answerer.topicality = always
    answer = answerer.answer("Busan kết nghĩa năm nào?")
    assert answer.answered and answer.to_json()["passages"]


@pytest.mark.parametrize("question, k, message", [
    ("   ", 3, "empty"),
    ("x" * 1001, 3, "too long"),
    ("Busan", 0, "at least 1"),
])
def test_bad_questions(answerer, question, k, message):
    with pytest.raises(InputError, match=message):
        answerer.answer(question, k=k)


@pytest.mark.parametrize("question, reason, lang", [
    ("  \n ", "empty", "vi"),
    ("Who is the mayor? " * 80, "too_long", "en"),
    ("Thị trưởng Busan là ai? " * 60, "too_long", "vi"),
])
def test_a_question_that_cannot_be_asked_says_why_in_its_language(answerer, question, reason, lang):
    with pytest.raises(QuestionError) as caught:
        answerer.planner.plan(question)
    assert (caught.value.reason, caught.value.lang) == (reason, lang)
    if reason == "too_long":
        assert caught.value.length > caught.value.limit == 1000


def test_a_planned_question_is_answered_as_the_plain_one(answerer):
    plan = answerer.planner.plan("busan ket nghia nam nao")
    assert plan.kind is Kind.VI_PLAIN and "kết nghĩa" in plan.dense_text and plan.lang == "vi"
    assert answerer.answer(plan, k=2) == answerer.answer("busan ket nghia nam nao", k=2)


def test_stages_time_each_step_without_changing_the_answer(answerer):
    from retrieval.timing import Stages

    stages = Stages()
    timed = answerer.answer("busan ket nghia nam nao", k=2, stages=stages)
    plain = answerer.answer("busan ket nghia nam nao", k=2)
    assert timed == plain
    assert set(stages.seconds) == {"normalise", "embed", "lexical", "dense", "fuse", "align", "format"}
    assert all(s >= 0 for s in stages.seconds.values())


def test_warm_up_loads_the_model_through_one_query_and_reads_what_english_questions_are_ranked_by(answerer):
    from retrieval.engine import Engine

    emb = HashEmbedder()
    encoder = EveryTextEncoder()
    answerer.aligner = Aligner(encoder)
    answerer.weights[Kind.EN] = dataclasses.replace(answerer.weights[Kind.EN], aligned=24.0)
    Engine(settings=None, articles=[], embedder=emb, index=None, pipeline=answerer).warm_up()
    assert emb.calls == [("query", 1)]
    assert sorted(encoder.passages) == sorted(TEXTS)


def test_candidates_line_up_every_signal_with_its_candidate(answerer):
    plan = answerer.planner.plan("Quan hệ đó trở thành hình mẫu")
    found = answerer.candidates(plan, answerer.embed_query(plan.dense_text))
    n = len(found.rows)
    assert n == len(set(found.rows))
    assert len(found.dense_z) == len(found.lexical) == len(found.sentence_z) == len(found.sentence_share) == n
    assert found.holds_asked == [1.0] * n  # it asks for nothing in particular
    mean, spread = answerer.index.dense.stats(answerer.embed_query(plan.dense_text))
    # the closest sentence's z-score is read from the per-sentence similarities the highlight reuses
    assert found.sentence_z == pytest.approx([(max(sims) - mean) / spread for sims in found.sentence_sims])
    first = found.rows.index(0)
    # passage 1's second sentence is the question itself: its sentence beats its whole paragraph
    assert found.sentence_z[first] > found.dense_z[first]
    one_sentence = found.rows.index(1)
    assert found.sentence_z[one_sentence] == pytest.approx(found.dense_z[one_sentence], abs=0.05)
    # every content word of the question is in passage 1's second sentence; "thành" alone in passage 2
    assert found.sentence_share[first] == pytest.approx(1.0)
    assert 0.0 < found.sentence_share[one_sentence] < 0.5


@pytest.mark.parametrize("expressed", [1.0, 0.5, 0.0])
def test_an_english_questions_word_signals_count_as_much_as_its_lexical_side_expresses_it(answerer, expressed):
    plan = answerer.planner.plan("where is Gimhae airport?")
    assert plan.kind is Kind.EN and plan.expressed == 1.0  # "Gimhae", "airport": "sân bay"
    vector = answerer.embed_query(plan.dense_text)
    whole = answerer.candidates(plan, vector)
    part = answerer.candidates(dataclasses.replace(plan, expressed=expressed), vector)
    assert part.rows == whole.rows and part.dense_z == whole.dense_z
    assert max(whole.lexical) > 0 and max(whole.sentence_share) > 0
    assert part.lexical == pytest.approx([v * expressed for v in whole.lexical])
    assert part.sentence_share == pytest.approx([v * expressed for v in whole.sentence_share])


def test_highlight_takes_the_sentence_closest_in_meaning_when_no_word_is_shared(answerer):
    second = TEXTS[0].split(". ")[1]
    # "Điều gì?" shares no content word with any sentence, so the lexical side has nothing to
    # go on; its vector is made to be the second sentence's, so only the dense side can find it.
    plan = answerer.planner.plan("Điều gì?")
    ranked = answerer.rank(plan, HashEmbedder().embed_passages([second])[0])
    assert answerer.highlight(ranked, 0) == second
    plain = answerer.rank(plan, answerer.embed_query(plan.dense_text))
    assert answerer.highlight(plain, 0) != second  # the fake's own vector: no preference
    assert answerer.highlight(ranked, 3) == TEXTS[3]  # one sentence: the whole passage


@pytest.mark.parametrize("right, topical, status", [
    (50, 50, "answered"),  # the top passage is surely right
    (-50, 50, "uncertain"),  # the articles are about it, but this passage may not be the answer
    (-50, -50, "no_answer"),  # nothing near: said plainly
    (50, -50, "answered"),  # sure of the passage: answered whatever the topic model says
])
def test_answered_is_decided_by_the_top_passage_and_no_answer_by_the_topic(answerer, right, topical, status):
    answerer.calibration = {k: Calibration(bias=right, dense=0, coverage=0, margin=0) for k in Kind}
    answerer.topicality = {k: Calibration(bias=topical, dense=0, coverage=0, margin=0) for k in Kind}
    answer = answerer.answer("Busan kết nghĩa năm nào?")
    assert answer.status == status
    assert answer.confidence == pytest.approx(1.0 if right > 0 else 0.0)  # the reported confidence is the top's


@pytest.mark.parametrize("question, status", [
    ("Lễ đón Tổng Bí thư tại sân bay Gimhae năm nào?", "uncertain"),  # the passage has no year
    ("sân bay Gimhae cách Busan bao xa?", "uncertain"),  # nor a figure ("sân bay" is no "bảy")
    ("Lễ đón Tổng Bí thư tại sân bay nào?", "answered"),  # a place: nothing to check
])
def test_a_passage_without_what_is_asked_for_is_never_answered_outright(answerer, question, status):
    answerer.calibration = answerer.topicality = {k: Calibration(bias=50, dense=0, coverage=0, margin=0) for k in Kind}
    answer = answerer.answer(question)
    assert answer.passages[0].passage.paragraph == 4
    assert answer.status == status


def test_the_adapter_maps_what_meets_the_paragraphs_and_the_log_keeps_the_models_vector(answerer):
    """A map sending every question to the gimhae paragraph's vector: that paragraph comes first
    whatever is asked, while the ranking keeps the vector the model gave (the question log's)."""
    import numpy as np

    from retrieval.adapter import QueryAdapter

    question = "Busan kết nghĩa với TP.HCM năm nào?"
    before = answerer.answer(question)
    assert before.passages[0].passage.paragraph == 1
    model_vector = np.asarray(answerer.embed_query(before.cursor.ranking.plan.dense_text), dtype=np.float32)
    target = np.asarray(answerer.index.dense.passage_vectors([3])[0], dtype=np.float32)
    answerer.adapter = QueryAdapter(np.outer(target, model_vector))  # this question -> the gimhae paragraph
    answerer.weights = {k: dataclasses.replace(w, lexical=0.0, sentence_words=0.0) for k, w in answerer.weights.items()}
    answer = answerer.answer(question)
    assert answer.passages[0].passage.paragraph == 4
    assert np.allclose(answer.cursor.ranking.vector, model_vector)


@pytest.mark.parametrize("fitted_for, dim, used", [
    ("fake-hash-v1", 64, True),
    ("another-model", 64, False),  # fitted for another model: questions as the model embeds them
    ("fake-hash-v1", 32, False),  # another size
])
def test_the_adapter_is_used_only_with_the_model_it_was_fitted_for(tmp_path, fitted_for, dim, used):
    import numpy as np

    from retrieval.adapter import load_adapter, save_adapter

    path = tmp_path / "adapter.npz"
    save_adapter(path, 2 * np.eye(dim), fitted_for)
    adapter = load_adapter("fake-hash-v1", 64, path)
    assert (adapter is not None) == used
    if used:
        mapped = adapter(np.array([3.0, 4.0] + [0.0] * 62))
        assert np.allclose(mapped[:2], [0.6, 0.8]) and mapped.dtype == np.float32  # mapped, then normalised
    assert load_adapter("fake-hash-v1", 64, tmp_path / "none.npz") is None


@pytest.mark.parametrize("damage", [b"", b"not a zip file at all", None])
def test_a_damaged_adapter_file_is_said_and_not_used(tmp_path, caplog, damage):
    import numpy as np

    from retrieval.adapter import load_adapter, save_adapter

    path = tmp_path / "adapter.npz"
    save_adapter(path, np.eye(64), "fake-hash-v1")
    path.write_bytes(path.read_bytes()[:200] if damage is None else damage)  # None: cut short
    assert load_adapter("fake-hash-v1", 64, path) is None
    assert "cannot be read" in caplog.text


@pytest.mark.parametrize("texts, status", [
    ([TEXTS[3], TEXTS[0], TEXTS[1]], "uncertain"),  # a year among the passages ranked first: near, shown
    ([TEXTS[3], TEXTS[2], TEXTS[1]], "no_answer"),  # none has one: the articles do not say
])
def test_no_answer_reads_whether_any_passage_near_the_top_holds_what_is_asked_for(texts, status):
    """The top passage without a year is not the answer to "năm nào?"; that says nothing of
    whether the articles hold it: only none of the first page having one does."""
    emb = HashEmbedder()
    ps = [Passage.create("a", "Tiêu đề", "Báo", i + 1, t) for i, t in enumerate(texts)]
    pipeline = Pipeline(memory_index(ps, emb), lambda t: emb.embed_queries([t])[0], threshold=0.5)
    pipeline.calibration = {k: Calibration(bias=-50, dense=0, coverage=0, margin=0) for k in Kind}
    pipeline.topicality = {k: Calibration(bias=5, dense=0, coverage=0, margin=0, type_nowhere=-10) for k in Kind}
    answer = pipeline.answer("Lễ đón Tổng Bí thư tại sân bay Gimhae năm nào?")
    assert answer.status == status
    evidence = pipeline.rank(pipeline.planner.plan(answer.question), emb.embed_queries([answer.question])[0]).evidence
    assert evidence.wrong_type == 1.0 and evidence.type_nowhere == (status == "no_answer")


@pytest.mark.parametrize("texts, status", [
    (["Lãnh đạo hai thành phố đã ký thỏa thuận hợp tác.", TEXTS[1]], "uncertain"),  # its only figure is the question's
    (["Lãnh đạo hai thành phố đã ký 12 thỏa thuận hợp tác.", TEXTS[1]], "answered"),
])
def test_the_figures_a_question_says_itself_are_not_what_it_asks_for(texts, status):
    emb = HashEmbedder()
    ps = [Passage.create("a", "Tiêu đề", "Báo", i + 1, t) for i, t in enumerate(texts)]
    pipeline = Pipeline(memory_index(ps, emb), lambda t: emb.embed_queries([t])[0], threshold=0.5)
    pipeline.calibration = pipeline.topicality = {k: Calibration(bias=50, dense=0, coverage=0, margin=0) for k in Kind}
    answer = pipeline.answer("hai thành phố ký bao nhiêu thỏa thuận?")
    assert answer.passages[0].passage.text == texts[0]
    assert answer.status == status


@pytest.mark.parametrize("began, first", [
    ("Busan và Thành phố Hồ Chí Minh thiết lập quan hệ hữu nghị từ năm 1995.", 2),  # the year it began
    ("Busan và Thành phố Hồ Chí Minh thiết lập quan hệ hữu nghị tốt đẹp.", 1),  # no year: as fused
])
def test_a_length_of_time_is_not_answered_by_the_year_it_began(began, first):
    emb = HashEmbedder()
    texts = [began, "Sau 23 năm, quan hệ rất tốt.", "Lễ đón tại sân bay quốc tế Gimhae."]
    ps = [Passage.create("a", "Tiêu đề", "Báo", i + 1, t) for i, t in enumerate(texts)]
    pipeline = Pipeline(memory_index(ps, emb), lambda t: emb.embed_queries([t])[0], threshold=0.5)
    answer = pipeline.answer("Busan và Thành phố Hồ Chí Minh thiết lập quan hệ hữu nghị được bao nhiêu năm?", k=3)
    assert answer.passages[0].passage.paragraph == first
    scores = [ap.score for ap in answer.passages]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("question, missing", [
    ("Saigon và Busan kết nghĩa năm nào?", 0.0),  # the passage writes "Thành phố Hồ Chí Minh"
    ("Seoul và Busan kết nghĩa năm nào?", 0.5),
])
def test_a_name_is_not_missing_from_a_passage_that_names_the_place_another_way(answerer, question, missing):
    plan = answerer.planner.plan(question)
    row = next(i for i, p in enumerate(answerer.index.passages) if p.text == TEXTS[0])
    assert answerer._missing_names(plan, row) == missing


def test_the_fold_maps_kept_for_the_benchmarks_belong_to_the_shipped_map():
    """benchmarks/data's two cross-validation maps measure the dev questions the shipped map was
    fitted on: fitted for the same model, the same size, every fitted text in one fold."""
    from pathlib import Path

    import numpy as np

    from retrieval.adapter import ADAPTER_FILE

    folds_file = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "query_adapter_folds.npz"
    with np.load(ADAPTER_FILE) as shipped, np.load(folds_file) as folds:
        assert str(folds["model_id"]) == str(shipped["model_id"])
        assert folds["fold0"].shape == folds["fold1"].shape == shipped["matrix"].shape
        assert len(folds["texts"]) == len(folds["folds"]) > 0
        assert set(folds["folds"].tolist()) <= {0, 1}


class FavouringAligner:
    """Aligns a question fully with one passage's text, not at all with the rest; its sentences
    by their order (0, 1, ...)."""

    def __init__(self, text):
        self.text, self.asked = text, []

    def alignment(self, question, texts, parts):
        self.asked.append((question, list(texts), list(parts)))
        return [(1.0 if t == self.text else 0.0, [float(i) for i in range(len(p))]) for t, p in zip(texts, parts)]


@pytest.mark.parametrize("expressed, weight, first_is_favoured, aligned", [
    (0.5, 100.0, True, True),  # half the question unexpressed by its words: alignment decides
    (1.0, 100.0, False, False),  # every word expressed (as a Vietnamese question's are): not asked
    (0.5, 0.0, False, False),  # a kind whose fusion does not weigh it: not asked
])
def test_the_first_passages_are_re_ranked_by_alignment_for_what_the_words_do_not_express(
        answerer, expressed, weight, first_is_favoured, aligned):
    plan = dataclasses.replace(answerer.planner.plan("where did the two cities sign?"), expressed=expressed)
    vector = answerer.embed_query(plan.dense_text)
    before = answerer.rank(plan, vector)
    favoured = before.rows[1]
    answerer.aligner = FavouringAligner(answerer.index.passages[favoured].text)
    answerer.weights[plan.kind] = dataclasses.replace(answerer.weights[plan.kind], aligned=weight)
    after = answerer.rank(plan, vector)
    assert (after.rows[0] == favoured) is first_is_favoured
    assert bool(answerer.aligner.asked) is aligned
    assert list(after.scores) == sorted(after.scores, reverse=True)
    if aligned:
        question, texts, parts = answerer.aligner.asked[0]
        assert question == plan.dense_text and len(texts) == min(len(before.rows), DEPTH)
        for text, spans, row in zip(texts, parts, before.rows):  # each sentence where it lies in its passage
            sentences = answerer.sentences(row).texts
            assert [text[a:b] for a, b in spans] == list(sentences)
            assert after.sentence_aligned[row] == [float(i) for i in range(len(sentences))]
    else:
        assert after.sentence_aligned == {}


class EveryTextEncoder:
    """One token state per text; remembers the passages it was asked to read."""

    def __init__(self):
        self.passages = []

    def token_states(self, texts, passages):
        if passages:
            self.passages.extend(texts)
        return [TokenStates(np.ones((1, 2), np.float32) / np.sqrt(2), np.ones(1, np.float32)) for _ in texts]


@pytest.mark.parametrize("weight, keep, read", [
    (24.0, 512, 4),  # every passage read at the start, once
    (0.0, 512, 0),  # no kind of question re-ranked by alignment: nothing to read
    (24.0, 3, 0),  # more passages than it keeps: read as questions meet them
])
def test_a_server_reads_the_passages_token_states_at_its_start_where_it_can_keep_them(answerer, weight, keep, read):
    encoder = EveryTextEncoder()
    answerer.aligner = Aligner(encoder, keep=keep)
    answerer.weights = {kind: dataclasses.replace(w, aligned=weight if kind is Kind.EN else 0.0)
                        for kind, w in answerer.weights.items()}
    assert answerer.prime_alignment() == read
    assert sorted(encoder.passages) == sorted(TEXTS if read else [])
    plan = dataclasses.replace(answerer.planner.plan("where did the two cities sign?"), expressed=0.5)
    answerer.rank(plan, answerer.embed_query(plan.dense_text))
    assert len(encoder.passages) == (4 if read or (weight and keep) else 0)  # nothing read twice
