"""Conversations through the engine (retrieval/chat.py) over the seed articles and a fake
embedder: what is remembered, how long, what a social or "more" turn gets, and that a store that
fails costs the context, never the answer."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
from fakes import HashEmbedder

from retrieval.answer import ANSWERED, SOCIAL, message_for
from retrieval.chat import Dialogue, better
from retrieval.memory import MemoryConversations
from retrieval.mentions import mentions
from retrieval.engine import open_engine
from retrieval.errors import QuestionError
from retrieval.fusion import Calibration
from retrieval.settings import load_settings
from retrieval.text import Kind

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("chat")
    shutil.copytree(ROOT / "seeds", tmp / "seeds")
    settings = load_settings(seeds_dir=str(tmp / "seeds"), index_dir=str(tmp / "index"))
    engine = open_engine(settings, embedder=HashEmbedder())
    # The fake embedder's scores are not calibrated: answer whatever shares words with the articles.
    engine.pipeline.calibration = engine.pipeline.topicality = {k: Calibration(-2.0, 0.0, 8.0, 0.0) for k in Kind}
    return engine


def test_a_follow_up_is_answered_as_understood_and_says_so(engine):
    first = engine.chat("u1", "Thị trưởng Park Heong-joon cam kết gì?")
    assert not first.followup and first.understood_as == ""
    follow = engine.chat("u1", "còn ông Oh Keo-don thì sao?")
    assert follow.followup and follow.understood_as == "ông Oh Keo-don cam kết gì?"
    assert follow.question == "còn ông Oh Keo-don thì sao?"  # what was typed stays what was typed
    alone = engine.ask("ông Oh Keo-don cam kết gì?")
    assert [ap.passage.id for ap in follow.passages] == [ap.passage.id for ap in alone.passages]


def test_a_turn_typed_with_the_vietnamese_keyboard_off_is_read_as_meant(engine):
    engine.chat("telex", "Thị trưởng Park Heong-joon cam kết gì?")
    follow = engine.chat("telex", "oong aays camr own ai")  # "ông ấy cảm ơn ai"
    assert follow.followup and follow.understood_as.startswith("Thị trưởng Park Heong-joon cảm ơn")
    assert follow.question == "oong aays camr own ai"


def test_conversations_are_apart(engine):
    engine.chat("a", "Thị trưởng Park Heong-joon cam kết gì?")
    other = engine.chat("b", "ông ấy nói gì?")
    assert not other.followup  # b never spoke of anyone


def test_plain_ask_never_uses_a_conversation(engine):
    engine.chat("c", "Thị trưởng Park Heong-joon cam kết gì?")
    assert engine.ask("ông ấy nói gì?").understood_as == ""


@pytest.mark.parametrize("turn", ["cảm ơn!", "👍", "ok", "hay quá"])
def test_social_turns_get_a_friendly_line_and_no_passages(engine, turn):
    engine.chat("s", "Busan kết nghĩa với TP.HCM năm nào?")
    answer = engine.chat("s", turn)
    assert answer.status == SOCIAL and not answer.shown() and not answer.answered and answer.message
    assert answer.lang == "vi"  # the conversation's language: "ok" says none


def test_more_typed_goes_on_from_the_last_answer(engine):
    first = engine.chat("m", "Busan hợp tác với TP.HCM trong lĩnh vực nào?")
    more = engine.chat("m", "nữa đi")
    assert more.offset == len(first.passages) and more.passages
    assert not {ap.passage.id for ap in more.passages} & {ap.passage.id for ap in first.passages}
    again = engine.chat("m", "more")
    assert again.offset == more.offset + len(more.passages)


def test_more_before_any_question_asks_for_one(engine):
    answer = engine.chat("fresh", "nữa đi")
    assert answer.status == SOCIAL and "câu hỏi" in answer.message


def test_new_forgets(engine):
    engine.chat("n", "Thị trưởng Park Heong-joon cam kết gì?")
    engine.forget("n")
    assert not engine.chat("n", "ông ấy nói gì?").followup


def test_a_conversation_quiet_too_long_is_forgotten(engine):
    now = [1000.0]
    dialogue = Dialogue(lambda: engine.pipeline, MemoryConversations(), quiet_minutes=30, clock=lambda: now[0])
    dialogue.turn("q", "Thị trưởng Park Heong-joon cam kết gì?")
    now[0] += 29 * 60
    assert dialogue.turn("q", "ông ấy nói gì?").followup
    now[0] += 31 * 60
    assert not dialogue.turn("q", "ông ấy nói gì?").followup


def test_more_after_a_restart_ranks_the_last_question_again(engine):
    store = MemoryConversations()
    before = Dialogue(lambda: engine.pipeline, store)
    first = before.turn("r", "Busan hợp tác với TP.HCM trong lĩnh vực nào?")
    after = Dialogue(lambda: engine.pipeline, store)  # a new process: no ranking in memory, the store kept
    more = after.turn("r", "more")
    assert more.offset == len(first.passages)
    assert more.passages[0].passage.id == engine.ask(first.question, k=4).passages[3].passage.id


class Broken:
    def load(self, key):
        raise OSError("disk gone")

    def save(self, key, conversation):
        raise OSError("disk gone")

    def forget(self, key):
        raise OSError("disk gone")


def test_a_store_that_fails_costs_the_context_not_the_answer(engine, caplog):
    dialogue = Dialogue(lambda: engine.pipeline, Broken())
    with caplog.at_level(logging.WARNING, logger="retrieval.chat"):
        answer = dialogue.turn("x", "Busan kết nghĩa với TP.HCM năm nào?")
    assert answer.passages and "disk gone" in caplog.text
    dialogue.forget("x")  # /new with the store down: forgotten when it expires, no error


def test_empty_and_too_long_turns_are_refused_as_questions_are(engine):
    with pytest.raises(QuestionError):
        engine.chat("e", "   ")
    with pytest.raises(QuestionError):
        engine.chat("e", "x" * 5000)


def test_leaning_on_the_last_turn_wins_only_over_an_unsure_answer(engine):
    sure = engine.ask("Busan kết nghĩa với TP.HCM năm nào?")
    assert sure.status == ANSWERED
    import dataclasses

    unsure = dataclasses.replace(sure, status="uncertain", confidence=0.3)
    assert better(sure, unsure) and not better(unsure, sure) and not better(unsure, unsure)
    nothing_near = dataclasses.replace(sure, status="no_answer", confidence=0.01)
    assert not better(unsure, nothing_near) and not better(sure, nothing_near)  # carried words make no topic


def test_carried_words_find_the_passage_but_cannot_make_the_answer_sure(engine):
    pipeline = engine.pipeline
    plan = pipeline.planner.plan("Thị trưởng Park Heong-joon cam kết gì?")
    vector = pipeline.embed_query(plan.dense_text)
    full = pipeline.decide(plan, vector, 3)
    assert full.status == ANSWERED
    same = pipeline.decide(plan, vector, 3, judge=plan)
    assert (same.status, same.confidence) == (full.status, full.confidence)
    typed = pipeline.planner.plan("thời tiết hôm đó thế nào?")  # what the user typed: nothing of it there
    judged = pipeline.decide(plan, vector, 3, judge=typed)
    assert judged.status == "uncertain" and judged.answered  # shown, with the caveat; never refused for it
    assert [ap.passage.id for ap in judged.passages] == [ap.passage.id for ap in full.passages]


def test_an_english_turn_read_with_a_vietnamese_name_is_answered_in_english(engine):
    engine.chat("lang", "Tổng Bí thư Tô Lâm gặp ai ở Busan?")
    follow = engine.chat("lang", "what did he ask Busan for?")
    assert follow.followup and "Tô Lâm" in follow.understood_as  # the reading carries Vietnamese marks
    assert follow.lang == "en"
    assert follow.message == message_for(follow.status, Kind.EN)


def test_the_first_passage_names_the_person_even_outside_its_highlight(engine):
    store = MemoryConversations()
    dialogue = Dialogue(lambda: engine.pipeline, store)
    answer = dialogue.turn("who", "Busan trở thành hình mẫu về quan hệ hợp tác như thế nào?")
    top = answer.passages[0]
    named = [m.text for m in mentions(top.passage.text) if m.kind == "person"]
    assert named and not any(n in top.highlight for n in named)  # the answering sentence names nobody
    assert store.load("who").last().persons[0] == named[0]


def _recording(pipeline):
    """A dialogue over ``pipeline``, and the plans it is asked to answer, written down."""
    planned = []

    class Recording:
        def __getattr__(self, name):
            return getattr(pipeline, name)

        def answer_many(self, plans, *args, **kwargs):
            planned.append(plans[-1])
            return pipeline.answer_many(plans, *args, **kwargs)

    return Dialogue(lambda: Recording(), MemoryConversations()), planned


def test_who_asks_is_what_the_turn_says_not_the_words_carried_beside_it(engine):
    from retrieval.roles import agents

    hcmc, = agents("Thành phố Hồ Chí Minh mong muốn")
    busan, = agents("Busan mong muốn")
    dialogue, planned = _recording(engine.pipeline)
    dialogue.turn("roles", "Thành phố Hồ Chí Minh muốn Busan làm gì?")
    follow = dialogue.turn("roles", "còn Busan thì muốn gì?")
    assert follow.followup and "Hồ Chí Minh muốn" in follow.understood_as  # the last turn's words, carried
    assert planned[-1].agents == {busan}  # not the city that wanted something in the words carried
    assert hcmc not in agents(follow.passages[0].passage.text)
    dialogue.turn("roles", "ngoài ra còn gì nữa?")  # says no one: asks on for whoever the last turn named
    assert planned[-1].agents == {busan}


def test_an_elliptical_turn_within_an_answered_question_is_never_refused(engine):
    import dataclasses

    from retrieval.answer import NO_ANSWER, UNCERTAIN

    refusing = []  # from the second turn on, the pipeline finds nothing near

    class Refusing:
        def __getattr__(self, name):
            return getattr(engine.pipeline, name)

        def answer_many(self, plans, *args, **kwargs):
            answers = engine.pipeline.answer_many(plans, *args, **kwargs)
            return [dataclasses.replace(a, status=NO_ANSWER) for a in answers] if refusing else answers

    dialogue = Dialogue(lambda: Refusing(), MemoryConversations())
    first = dialogue.turn("ellipsis", "Busan kết nghĩa với TP.HCM từ năm nào?")
    assert first.status != NO_ANSWER
    refusing.append(True)
    within = dialogue.turn("ellipsis", "bao lâu rồi?")  # asks only within the last question
    assert within.followup and within.status == UNCERTAIN and within.passages
    assert within.message == message_for(UNCERTAIN, within.kind)
    own = dialogue.turn("ellipsis", "giá vàng hôm nay thế nào?")  # its own words: as found
    assert own.status == NO_ANSWER


def test_the_words_carried_beside_a_turn_count_less_than_its_own(engine):
    dialogue, planned = _recording(engine.pipeline)
    dialogue.turn("carried", "Busan muốn gì ở TP.HCM?")
    follow = dialogue.turn("carried", "còn doanh nghiệp Busan thì sao")
    assert follow.understood_as.startswith("doanh nghiệp Busan (")  # a topic, the last turn's words beside it
    lexical = planned[-1].lexical_text.split()
    assert lexical.count("nghiep") == 2 and lexical.count("muon") == 1  # its own words twice, the carried once


def test_a_person_a_pronoun_stands_for_counts_less_than_what_the_turn_asks_of_them(engine):
    dialogue, planned = _recording(engine.pipeline)
    dialogue.turn("pronoun", "Thị trưởng Park Heong-joon là ai?")
    follow = dialogue.turn("pronoun", "ông ấy cam kết gì?")
    assert follow.followup and "Park Heong-joon" in follow.understood_as
    lexical = planned[-1].lexical_text.split()
    assert lexical.count("ket") == 2 and lexical.count("park") == 1


@pytest.mark.parametrize("turn, lang", [("hey, what is this about?", "en"), ("bạn là ai vậy?", "vi")])
def test_a_question_about_the_bot_says_what_it_does_in_its_language_and_keeps_the_conversation(engine, turn, lang):
    from retrieval.answer import ABOUT_BOT

    engine.chat("meta", "ai đón Tổng Bí thư ở Busan?")
    about = engine.chat("meta", turn)
    assert about.status == SOCIAL and not about.passages and about.message == ABOUT_BOT[lang]
    assert engine.chat("meta", "ông ấy nói gì?").followup  # the conversation goes on past it


def test_the_persons_of_the_first_passages_article_come_before_those_of_another(engine):
    """"and the other guy?" after a question answered from one article means a person of that
    story, not one a passage of the other article shown beside it names."""
    store = MemoryConversations()
    dialogue = Dialogue(lambda: engine.pipeline, store)
    answer = dialogue.turn("story", "lãnh đạo hai thành phố cảm ơn", 5)
    shown = answer.shown()
    persons = lambda aps: {m.text for ap in aps for m in mentions(ap.passage.text) if m.kind == "person"}  # noqa: E731
    own = persons(ap for ap in shown if ap.passage.article == shown[0].passage.article)
    other = persons(ap for ap in shown if ap.passage.article != shown[0].passage.article) - own
    assert own and other and shown[1].passage.article != shown[0].passage.article  # the stories interleaved
    remembered = store.load("story").last().persons
    kinds = [p in own for p in remembered if p in own or p in other]
    assert kinds == sorted(kinds, reverse=True) and kinds[0] and not kinds[-1]  # the first story's, then the other's
