"""Turns of conversation answered in the light of the turns before them.

``Dialogue`` is the one place a chat turn is answered: the engine (console, Telegram, `ask`
with chat ids) and `eval` on conversation files both go through it. It reads a turn
(``conversation.read_turn``), answers what was understood with the pipeline, and keeps what the
next turn may refer to in a ``ConversationStore``.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import threading
import time
from collections import OrderedDict
from typing import Callable

from .answer import ABOUT_BOT, ASK_FIRST, NO_ANSWER, SOCIAL, SOCIAL_REPLIES, UNCERTAIN, Answer, Cursor, message_for
from .conversation import META_TURN, MORE_TURN, SOCIAL_TURN, Reading, carries_words, read_turn, social_language
from .memory import Conversation, ConversationStore, Turn, remembered
from .normalise import as_typed
from .pipeline import Pipeline
from .query import validate_question
from .restore import restore_diacritics
from .text import Kind, lang_of

log = logging.getLogger(__name__)
CURSORS_KEPT = 1000  # conversations whose last ranking is kept for "more" (the others are ranked again)


def better(leaning: Answer, alone: Answer) -> bool:
    """Whether a turn read with the last one's words is answered better than alone: only when
    alone it is uncertain (something near, not sure), and with them it is surer. A turn whose
    own words find nothing near ("giá vàng hôm nay" after a question about Busan) is not made
    about the articles by the words carried beside it."""
    return alone.status == UNCERTAIN and leaning.status != NO_ANSWER and leaning.confidence > alone.confidence


class Dialogue:
    def __init__(self, pipeline: Callable[[], Pipeline], store: ConversationStore, quiet_minutes: float = 30.0,
                 clock: Callable[[], float] = time.time):
        """``pipeline``: the pipeline to answer with now (an engine's follows a rebuilt index)."""
        self.pipeline = pipeline
        self.store = store
        self.quiet_s = quiet_minutes * 60
        self.clock = clock
        self._cursors: OrderedDict[str, Cursor] = OrderedDict()  # a conversation's last answer, for "more"
        self._lock = threading.Lock()

    def turn(self, conversation: str, question: str, k: int = 3) -> Answer:
        """A turn of ``conversation``: understood with the turns before it (a follow-up's
        ``understood_as`` says how), answered and remembered. A social turn ("cảm ơn", "👍") gets
        a friendly line and no passages; "more" / "nữa đi" the next passages of the last answer."""
        now = self.clock()
        pipeline = self.pipeline()  # once: the turn is planned and answered on one index
        history = self._history(conversation, now)
        last = history.last() if history else None
        typed = as_typed(question)
        if typed or not question.strip():  # emoji alone ("👍") cleans to nothing: social, not an error
            typed = validate_question(question, pipeline.planner.max_chars)
        # a turn typed with the Vietnamese keyboard off ("oong aays noi gi") is read as meant:
        # its pronoun is one, and what is remembered of it is words, not keystrokes
        meant = pipeline.planner.decode_keyboard_off(typed) if typed else typed
        reading = read_turn(meant, last, functools.partial(restore_diacritics, accents=pipeline.planner.accents))
        if reading.act in (SOCIAL_TURN, META_TURN) or (reading.act == MORE_TURN and last is None):
            said = typed or question.strip()[: pipeline.planner.max_chars]  # emoji alone, echoed within bounds
            return self._social(conversation, history, said, reading, now)
        if reading.act == MORE_TURN:
            return self._more(pipeline, conversation, history, typed, k, now)
        answer = self._answer(pipeline, typed, reading, last, k)
        shown = answer.shown()
        # a text per passage: its answering sentence, then the rest of it (the person of a passage
        # whose highlight names nobody is still its own before the next passage's); the passages
        # of the first one's article before the others, whose persons belong to another story
        # ("and the other guy?" after the HCMC reception is the Busan visitor, not Busan's mayor)
        ordered = sorted(shown, key=lambda ap: ap.passage.article != shown[0].passage.article)  # stable
        story = sum(ap.passage.article == shown[0].passage.article for ap in shown)
        said = [" ".join(dict.fromkeys((ap.highlight, ap.passage.text))) for ap in ordered]
        turn = remembered(typed, answer.understood_as or meant, answer.lang, answer.status,
                          said, [ap.passage.id for ap in shown], history, now, story)
        self._save(conversation, (history or Conversation()).add(turn), answer.cursor)
        return answer

    def forget(self, conversation: str) -> None:
        with self._lock:
            self._cursors.pop(conversation, None)
        try:
            self.store.forget(conversation)
        except Exception as exc:  # noqa: BLE001 - it expires on its own after the quiet period
            log.warning("conversation store: could not forget a conversation (%s)", exc)

    def _answer(self, pipeline: Pipeline, typed: str, reading: Reading, last: Turn | None, k: int) -> Answer:
        # "besides that": the passage that answered last is left out (the others were only nearby)
        exclude = frozenset(last.passage_ids[:1]) if reading.other and last else frozenset()
        plan = pipeline.planner.plan
        if reading.carry:  # may lean on the last turn or not: both, in one model call, the better kept
            typed_plan = plan(typed)
            alone, leaning = pipeline.answer_many([typed_plan, plan(reading.carry)], k, exclude, [None, typed_plan])
            chosen = leaning if better(leaning, alone) else alone
            understood = reading.carry if chosen is leaning else ""
        else:
            judge = plan(reading.own) if reading.own else None
            understood_plan = plan(reading.understood)
            if judge is not None and judge.agents and carries_words(reading):
                # who asks or wants is what the turn says where it says it, not the words carried
                # beside it: "còn Busan thì muốn gì" after "TP.HCM muốn gì ở Busan" asks what
                # Busan wants ("ngoài ra còn gì nữa" asks on for whoever the last turn named)
                understood_plan = dataclasses.replace(understood_plan, agents=judge.agents)
            if judge is not None:
                # what came from the conversation (the words carried beside the turn, the person a
                # pronoun stands for) counts less than what the turn asks: BM25 reads its own twice
                understood_plan = dataclasses.replace(
                    understood_plan, lexical_text=f"{judge.lexical_text} {understood_plan.lexical_text}")
            chosen, = pipeline.answer_many([understood_plan], k, exclude, [judge])
            understood = reading.understood if reading.followup else ""
            if (chosen.status == NO_ANSWER and reading.why == "ellipsis" and not reading.own and chosen.passages
                    and last is not None and last.status != NO_ANSWER):
                # "năm nào?", "bao lâu rồi?" ask within a question the articles answered: what is
                # near is shown with the caveat, never "the articles do not say"
                chosen = dataclasses.replace(chosen, status=UNCERTAIN, message=message_for(UNCERTAIN, chosen.kind),
                                             cursor=dataclasses.replace(chosen.cursor, shown=len(chosen.passages)))
        if reading.kind is not Kind.OTHER and lang_of(reading.kind) != chosen.lang:
            # an English turn read with a Vietnamese name ("what did Tô Lâm …") is ranked as its
            # reading is written, and answered in the language it was asked in
            chosen = dataclasses.replace(chosen, kind=reading.kind, message=message_for(chosen.status, reading.kind))
        return dataclasses.replace(chosen, question=typed, understood_as=understood)

    def _social(self, conversation: str, history: Conversation | None, typed: str, reading: Reading,
                now: float) -> Answer:
        last = history.last() if history else None
        # a question about the bot is in a language of its own; "ok" or "👍" hardly says one
        about_bot = reading.act == META_TURN and reading.kind is not Kind.OTHER
        lang = lang_of(reading.kind) if about_bot else social_language(reading.kind, last)
        replies = {SOCIAL_TURN: SOCIAL_REPLIES, META_TURN: ABOUT_BOT}.get(reading.act, ASK_FIRST)
        message = replies[lang]
        if history is not None:
            self._save(conversation, history.touched(now))
        kind = reading.kind if lang_of(reading.kind) == lang else (Kind.EN if lang == "en" else Kind.VI)
        return Answer(typed, SOCIAL, (), 0.0, kind, message)

    def _more(self, pipeline: Pipeline, conversation: str, history: Conversation, typed: str, k: int,
              now: float) -> Answer:
        last = history.last()
        with self._lock:
            cursor = self._cursors.get(conversation)
        if cursor is None:  # answered before this process started, or by another replica: ranked again
            cursor = pipeline.resume(last.understood, last.shown)
        more = (cursor.pipeline or pipeline).more(cursor, k)
        turn = dataclasses.replace(last, passage_ids=last.passage_ids + tuple(ap.passage.id for ap in more.passages),
                                   shown=more.cursor.shown, time=now)
        self._save(conversation, history.with_last(turn), more.cursor)
        return dataclasses.replace(more, question=typed, understood_as=last.understood)

    def _history(self, conversation: str, now: float) -> Conversation | None:
        """The conversation so far; None when it is new or has been quiet too long."""
        try:
            history = self.store.load(conversation)
        except Exception as exc:  # noqa: BLE001 - a store that cannot answer costs the context, not the answer
            log.warning("conversation store: could not read a conversation (%s); answering the turn alone", exc)
            return None
        if history is None or now - history.updated > self.quiet_s:
            return None
        return history

    def _save(self, conversation: str, history: Conversation, cursor: Cursor | None = None) -> None:
        if cursor is not None:
            with self._lock:
                self._cursors[conversation] = cursor
                self._cursors.move_to_end(conversation)
                while len(self._cursors) > CURSORS_KEPT:
                    self._cursors.popitem(last=False)
        try:
            self.store.save(conversation, history)
        except Exception as exc:  # noqa: BLE001 - the answer goes out; the next turn stands alone
            log.warning("conversation store: could not keep a conversation (%s)", exc)
