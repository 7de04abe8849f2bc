"""One question's path: plan -> candidates -> signals -> fuse -> decide -> highlight, each once.

The pipeline reads the stores only through their interfaces (``store/base.py``), so tests
hand it in-memory fakes and a new backend changes nothing here.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

from .adapter import load_adapter
from .align import DEPTH, Aligner, TokenEncoder, spans_of, tuned_for
from .answer import ANSWERED, NO_ANSWER, UNCERTAIN, Answer, AnswerPassage, Cursor, message_for
from .errors import InputError
from .fusion import FIRST_PAGE, Calibration, Evidence, Weights, fuse, z_score
from .highlight import (HELD, IN_TEXT, NARROWER, Sentences, best_sentence, figures, folded_words, holds, holds_beyond,
                        lexical_scores, share)
from .mentions import names_holder, places_held
from .query import Planner, QueryPlan, idf_policy
from .roles import reports_speech, roles
from .store.base import Index
from .text import Kind, expand_abbreviations
from .timing import NO_STAGES
from .tuned import ANSWER_THRESHOLD, CALIBRATION, TOPICALITY, UNCERTAIN_THRESHOLDS, WEIGHTS

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Candidates:
    """One question's candidate passages with every signal fusion weighs, before fusion."""

    rows: list[int]
    dense_z: list[float]  # passage similarity, in corpus standard deviations
    lexical: list[float]  # BM25 as a share of what a full match would score
    sentence_z: list[float]  # closest sentence's similarity, on the same scale as dense_z
    sentence_share: list[float]  # best sentence's IDF-weighted share of the question's words
    holds_asked: list[float]  # 1 where the passage holds what the question asks for (or it asks nothing in particular)
    sentence_sims: list[list[float]] = field(repr=False)  # per candidate, similarity to each sentence
    topic: float = 0.0  # the question's mean similarity to every passage: how much it is about what they are about

    def without(self, rows: set[int]) -> "Candidates":
        keep = [i for i, r in enumerate(self.rows) if r not in rows]
        pick = lambda values: [values[i] for i in keep]  # noqa: E731
        return Candidates(pick(self.rows), pick(self.dense_z), pick(self.lexical), pick(self.sentence_z),
                          pick(self.sentence_share), pick(self.holds_asked), pick(self.sentence_sims), self.topic)

    def fused(self, weights: Weights) -> list[float]:
        signals = zip(self.dense_z, self.lexical, self.sentence_z, self.sentence_share, self.holds_asked)
        return [fuse(d, l, weights, s, w, h) for d, l, s, w, h in signals]


@dataclass(frozen=True)
class Ranking:
    """A ranking before presentation (what `eval` scores); the highlight reads it, "more" pages it."""

    plan: QueryPlan
    rows: tuple[int, ...]
    scores: tuple[float, ...]
    evidence: Evidence | None
    sentence_sims: dict[int, list[float]] = field(repr=False)  # candidate row -> similarity per sentence
    vector: object = field(default=None, repr=False, compare=False)  # the question's embedding it was ranked by
    sentence_aligned: dict[int, list[float]] = field(default_factory=dict, repr=False)  # row -> alignment per
    #                                           sentence, for the passages re-ranked by alignment (align.py)


class Pipeline:
    """Answers questions over one index; ``embed_query`` maps a text to its vector."""

    def __init__(self, index: Index, embed_query: Callable[[str], object], *, candidates: int = 50,
                 weights: dict[Kind, Weights] | None = None, calibration: dict[Kind, Calibration] | None = None,
                 topicality: dict[Kind, Calibration] | None = None,
                 threshold: float | None = None, uncertain_threshold: float | None = None,
                 max_chars: int = 1000, embed_queries: Callable[[list[str]], list] | None = None,
                 adapter: Callable[[object], object] | None = None, aligner: Aligner | None = None):
        """``embed_queries`` embeds several texts in one model call (a follow-up is tried as
        understood and as typed); by default one ``embed_query`` call each. ``adapter``: maps a
        question's vector before it meets the paragraphs (``retrieval/adapter.py``). ``aligner``:
        aligns a question's tokens with a passage's (``retrieval/align.py``)."""
        self.index = index
        self.adapter = adapter
        self.aligner = aligner
        self.embed_query = embed_query
        self.embed_queries = embed_queries or (lambda texts: [self.embed_query(t) for t in texts])
        self.candidates_per_retriever = candidates
        self.weights = dict(weights or WEIGHTS)
        self.calibration = dict(calibration or CALIBRATION)  # the top passage answers: "answered" or not
        self.topicality = dict(topicality or TOPICALITY)  # the articles answer at all: "no answer" or not
        self.threshold = ANSWER_THRESHOLD if threshold is None else threshold
        self.uncertain_thresholds = {kind: min(value if uncertain_threshold is None else uncertain_threshold,
                                               self.threshold) for kind, value in UNCERTAIN_THRESHOLDS.items()}
        self.planner = Planner(index.accents, idf_policy(index.lexical.idf, len(index)), max_chars)
        # Splitting and folding a candidate's sentences costs more than scoring them, and popular
        # passages come back question after question.
        self.sentences = lru_cache(maxsize=4096)(lambda row: Sentences.of(index.passages[row].text))

    @classmethod
    def from_settings(cls, index: Index, embedder, settings, embed_query=None, embed_queries=None) -> "Pipeline":
        """The pipeline as the product runs it: every front end, `eval` and the benchmarks.
        ``embed_query`` defaults to one model call per question (a ``QueryBatcher``'s embed
        batches questions that arrive together)."""
        if embed_query is None:  # straight to the model: several texts go in one call
            embed_query = lambda text: embedder.embed_queries([text])[0]  # noqa: E731
            embed_queries = embed_queries or embedder.embed_queries
        adapter = load_adapter(embedder.model_id, index.manifest.dim) if settings.query_adapter else None
        aligner = Aligner(embedder) if isinstance(embedder, TokenEncoder) and tuned_for(embedder.model_id) else None
        return cls(index, embed_query, candidates=settings.candidates,
                   threshold=settings.answer_threshold, uncertain_threshold=settings.uncertain_threshold,
                   max_chars=settings.max_question_chars, embed_queries=embed_queries, adapter=adapter,
                   aligner=aligner)

    def answer(self, question: str | QueryPlan, k: int = 3, stages=NO_STAGES) -> Answer:
        """The best ``k`` passages, each with its best sentence, and whether they answer.
        ``question`` may come planned already (a front end that needed its language first)."""
        if k < 1:
            raise InputError("k must be at least 1")
        with stages("normalise"):
            plan = question if isinstance(question, QueryPlan) else self.planner.plan(question)
        with stages("embed"):
            vector = self.embed_query(plan.dense_text)
        return self.decide(plan, vector, k, stages)

    def answer_many(self, plans: list[QueryPlan], k: int = 3, exclude: frozenset[str] = frozenset(),
                    judges: list[QueryPlan | None] | None = None) -> list[Answer]:
        """Each plan's answer, their texts embedded in one model call; passages whose id is in
        ``exclude`` are left out ("besides those": what was shown already). ``judges``: per plan,
        the plan whose words the answer is judged by, where not its own (see ``rank``)."""
        if k < 1:
            raise InputError("k must be at least 1")
        vectors = self.embed_queries([p.dense_text for p in plans])
        judges = judges or [None] * len(plans)
        return [self.decide(plan, vector, k, exclude=exclude, judge=judge)
                for plan, vector, judge in zip(plans, vectors, judges)]

    def decide(self, plan: QueryPlan, vector, k: int, stages=NO_STAGES, exclude: frozenset[str] = frozenset(),
               judge: QueryPlan | None = None) -> Answer:
        """Rank, judge and present one embedded plan: the one way every answer is made.
        ``judge``: a follow-up ranked with the last turn's words carried beside it is sure only
        when it is sure by the words the user typed too; else it is shown as uncertain (never
        refused for it: the carried words found the passage)."""
        ranking, confidence, status = self.verdict(plan, vector, stages, exclude, judge)
        with stages("format"):
            passages = self.page(ranking, 0, k)
        log.debug("answer kind=%s read as %r confidence=%.3f %s", plan.kind.value, plan.read_as, confidence, status)
        cursor = Cursor(ranking, len(passages) if status != NO_ANSWER else 0, self)
        return Answer(plan.question, status, passages, confidence, plan.kind, message_for(status, plan.kind), cursor)

    def verdict(self, plan: QueryPlan, vector, stages=NO_STAGES, exclude: frozenset[str] = frozenset(),
                judge: QueryPlan | None = None) -> tuple[Ranking, float, str]:
        """The ranking, its confidence and the status: what every answer and `eval` decide by."""
        ranking = self.rank(plan, vector, stages, exclude)
        with stages("fuse"):
            confidence = self.confidence(ranking)
            topical = self.topicality[plan.kind].confidence(ranking.evidence) if ranking.evidence else 0.0
            status = self.status(confidence, plan.kind, topical)
            evidence = ranking.evidence
            if status == ANSWERED and (evidence.wrong_type or evidence.wrong_agent or evidence.unsaid
                                       or evidence.unnamed):
                # "what year" is not answered by a passage without one, however close, nor what
                # Busan asks by what the other city asks, nor whether he came by a passage that
                # does not say he came, nor who the consul is by one that names no consul
                status = UNCERTAIN
            if judge is not None and status == ANSWERED and ranking.evidence is not None:
                own = self.calibration[plan.kind].confidence(self.judged(ranking, judge))
                # the confidence stays the reading's own; and whether it is so is asked by the turn's
                # words ("họ có được cấp nhà ở không", read with the last turn's words beside it)
                if self.status(own, plan.kind) != ANSWERED or self._unsaid(judge, ranking.rows[0]):
                    status = UNCERTAIN
        return ranking, confidence, status

    def resume(self, question: str, shown: int) -> Cursor:
        """A cursor for an answer given before this process started (or by another replica):
        the question ranked again, its first ``shown`` passages counted as seen."""
        return Cursor(self.answer(question).cursor.ranking, shown, self)

    def more(self, cursor: Cursor, k: int = 3) -> Answer:
        """The next ``k`` passages of an earlier answer's ranking: shown, since the user asked."""
        ranking: Ranking = cursor.ranking
        passages = self.page(ranking, cursor.shown, k)
        plan = ranking.plan
        return Answer(plan.question, ANSWERED, passages, self.confidence(ranking), plan.kind, "",
                      Cursor(ranking, cursor.shown + len(passages), self), offset=cursor.shown)

    def rank(self, plan: QueryPlan, vector, stages=NO_STAGES, exclude: frozenset[str] = frozenset()) -> Ranking:
        """``vector``: the question's embedding as the model gives it (the ranking keeps it so,
        for the question log); the adapter's map of it is what meets the paragraphs."""
        found = self.candidates(plan, self.adapter(vector) if self.adapter else vector, stages)
        if exclude:
            found = found.without({r for r in found.rows if self.index.passages[r].id in exclude})
        if not found.rows:
            return Ranking(plan, (), (), None, {}, vector)
        with stages("fuse"):
            fused = found.fused(self.weights[plan.kind])
            order = sorted(range(len(found.rows)), key=lambda i: -fused[i])
        with stages("align"):
            order, aligned = self._by_alignment(plan, found.rows, fused, order)
        with stages("fuse"):
            order = self._by_caption(plan, found.rows, fused, order)  # before who asks: that order stands
            order, wrong_agent = self._by_agent(plan, found.rows, fused, order)
            order = self._by_saying(plan, found.rows, fused, order)
            order = self._by_length(plan, found, fused, order)
            rows = tuple(found.rows[i] for i in order)
            scores = tuple(fused[i] for i in order)
            evidence = Evidence(
                dense_z=found.dense_z[order[0]],
                margin=scores[0] - scores[1] if len(scores) > 1 else scores[0],
                wrong_agent=wrong_agent,
                sentence_z=found.sentence_z[order[0]],
                sentence_cos=max(found.sentence_sims[order[0]], default=0.0),
                topic=found.topic,
                wrong_type=1.0 - found.holds_asked[order[0]],
                type_nowhere=1.0 - max(found.holds_asked[i] for i in order[:FIRST_PAGE]),
                unsaid=self._unsaid(plan, rows[0]),
                unnamed=float(bool(plan.role) and not names_holder(self.index.passages[rows[0]].text, plan.role)),
                **self._word_evidence(plan, rows[0]),
            )
        return Ranking(plan, rows, scores, evidence, dict(zip(found.rows, found.sentence_sims)), vector, aligned)

    def _by_alignment(self, plan: QueryPlan, rows: list[int], fused: list[float],
                      order: list[int]) -> tuple[list[int], dict[int, list[float]]]:
        """``order`` with its first ``align.DEPTH`` passages re-ranked by how well the question's
        tokens align with theirs, for the share of the question its lexical side does not express
        (an English question's words the glossary lacks; none of a Vietnamese one's): each gains
        ``fused`` score, so they stay above the rest. And, per row re-ranked, the alignment of
        each of its sentences, which the highlight reads."""
        weight = self.weights[plan.kind].aligned * (1.0 - plan.expressed)
        if self.aligner is None or weight <= 0 or not order:
            return order, {}
        top = order[:DEPTH]
        texts = [p.text for p in self.index.passages.many([rows[i] for i in top])]
        parts = [spans_of(text, self.sentences(rows[i]).texts) for i, text in zip(top, texts)]
        by_sentence = {}
        for i, (whole, sentences) in zip(top, self.aligner.alignment(plan.dense_text, texts, parts)):
            fused[i] += weight * whole
            by_sentence[rows[i]] = sentences
        return sorted(top, key=lambda i: -fused[i]) + order[DEPTH:], by_sentence

    def prime_alignment(self) -> int:
        """Read every passage's token states now, where some kind of question is re-ranked by
        them and the aligner can keep them all: how many were read (0 otherwise)."""
        n = len(self.index)
        if self.aligner is None or not any(w.aligned for w in self.weights.values()) or n > self.aligner.keep:
            return 0
        self.aligner.prime([p.text for p in self.index.passages.many(range(n))])
        return n

    def _by_agent(self, plan: QueryPlan, rows: list[int], fused: list[float],
                  order: list[int]) -> tuple[list[int], float]:
        """``order`` with, on the first page, the passages where a place the question names asks
        or wants (``roles.agents``) and hold what it is asked about (``QueryPlan.about``: "what
        did Busan want about tourism") put in the places of those where only another place does or
        where that place is only asked (``roles.roles``' addressees: "… mong muốn TP.HCM tiếp tục …" is
        no answer to what TP.HCM wants), and those after the rest of the page (the reverse
        request is known not to be the answer; a passage where nobody asks may be); each place
        keeps its ``fused`` score, so the scores stay in order. And 1.0 when fusion put first
        such a passage and the page has none where the asked place asks: what takes its place
        is not sure either."""
        if not plan.agents:
            return order, 0.0
        page = order[:FIRST_PAGE]
        said = dict(zip(page, (roles(p.text) for p in self.index.passages.many([rows[i] for i in page]))))
        own = {i for i in page if said[i][0] & plan.agents}
        other = {i for i in page if i not in own and (said[i][0] or said[i][1] & plan.agents)}
        if other:
            raised = {i for i in own if self._holds_about(plan, rows[i])}  # not over what it asks about
            scores = [fused[i] for i in page]
            places = [at for at, i in enumerate(page) if i in raised or i in other]
            movers = [page[at] for at in places if page[at] in raised] + [page[at] for at in places if page[at] in other]
            page = list(page)
            for at, i in zip(places, movers):
                page[at] = i
            page = [i for i in page if i not in other] + [i for i in page if i in other]
            for at, i in enumerate(page):
                fused[i] = scores[at]
        return page + order[FIRST_PAGE:], float(order[0] in other and not own)

    def _holds_about(self, plan: QueryPlan, row: int) -> bool:
        """Whether passage ``row`` holds what ``plan`` asks a place's wish about (any, when it
        asks only what the place wants)."""
        return not plan.about or self._holds_any(row, plan.about)

    def _holds_any(self, row: int, folded: tuple[str, ...], typed: tuple[str, ...] = ()) -> bool:
        """Whether passage ``row`` holds one of a question's words: as written where ``typed``
        gives its sure form, else folded."""
        held = self.sentences(row)
        typed = typed or ("",) * len(folded)
        return any(form in held.marked if form else word in held.every for word, form in zip(folded, typed))

    def _by_saying(self, plan: QueryPlan, rows: list[int], fused: list[float], order: list[int]) -> list[int]:
        """``order`` with, on the first page of a yes/no question, the passages that say what it
        asks of its subject (``_unsaid``) before those that do not, each place keeping its
        ``fused`` score: "did the mayor say anything about businesses" is answered by where he
        speaks of businesses, not by where he is only named."""
        if not plan.whether:
            return order
        return _raised(order, fused, {i for i in order[:FIRST_PAGE] if not self._unsaid(plan, rows[i])})

    def _by_caption(self, plan: QueryPlan, rows: list[int], fused: list[float], order: list[int]) -> list[int]:
        """``order`` with, where fusion put first a photo caption (one short sentence: "Ông Nguyễn
        Thành Phong và ông Oh Keo-don (trái) tại buổi tiếp."), the first page's passages that can
        answer before it: a caption says who was there, not what they said or did. Where the
        question asks what was said, those that report speech; else, where the caption holds none
        of what the question says beyond its names, places and titles (it came first on those
        alone: "ông Oh Keo-don tin điều gì": "tin"), those that hold some of it."""
        top = rows[order[0]]
        if not _caption_like(self.sentences(top)):
            return order
        if plan.speech:
            return _raised(order, fused, {i for i in order[:FIRST_PAGE]
                                          if reports_speech(self.index.passages[rows[i]].text)})
        if not plan.said or self._holds_any(top, plan.said):
            return order
        return _raised(order, fused, {i for i in order[:FIRST_PAGE] if self._holds_any(rows[i], plan.said)})

    def _by_length(self, plan: QueryPlan, found: Candidates, fused: list[float], order: list[int]) -> list[int]:
        """``order`` with, where a question asks how long and fusion put first a passage holding a
        year, the first page's passages that say a length of time before it: a length ("bao
        nhiêu năm") is not answered by the year it began, which shares more of its words ("quan
        hệ hai thành phố … từ năm 1995"). Only over a year: a passage without one may say its
        length in a way ``holds`` does not read ("3:08", "cho đến thế kỷ mười chín")."""
        if plan.asks != "duration" or not holds("year", self.index.passages[found.rows[order[0]]].text):
            return order
        return _raised(order, fused, {i for i in order[:FIRST_PAGE] if found.holds_asked[i]})

    def judged(self, ranking: Ranking, judge: QueryPlan) -> Evidence:
        """The ranking's evidence with coverage and names measured by ``judge``'s words."""
        return dataclasses.replace(ranking.evidence, **self._word_evidence(judge, ranking.rows[0]))

    def _word_evidence(self, plan: QueryPlan, row: int) -> dict[str, float]:
        """What passage ``row`` holds of ``plan``'s words: their IDF-weighted share (measured on
        what the lexical side saw; for English, times the share of its content words that side
        expresses) and the share of its names and figures it lacks."""
        return {"coverage": plan.expressed * share(plan.terms, self.sentences(row).every),
                "missing_names": self._missing_names(plan, row)}

    def _unsaid(self, plan: QueryPlan, row: int) -> float:
        """1 when ``plan`` asks whether something is so and passage ``row`` holds none of the
        words that say it: as written where the question's form is sure (``whether_typed``),
        else folded."""
        if not plan.whether:
            return 0.0
        return float(not self._holds_any(row, plan.whether, plan.whether_typed))

    def _missing_names(self, plan: QueryPlan, row: int) -> float:
        """The share of the question's names and figures the top passage lacks: with whether it
        holds the kind of thing asked for, what tells "about Busan, but not this" from an answer."""
        if not plan.names:
            return 0.0
        present = folded_words(expand_abbreviations(self.index.passages[row].text))
        held = present | places_held(plan.names, present)  # "Saigon" by "Thành phố Hồ Chí Minh"
        return sum(name not in held for name in plan.names) / len(plan.names)

    def candidates(self, plan: QueryPlan, vector, stages=NO_STAGES) -> Candidates:
        """The union of both retrievers' top passages, each with every signal fusion weighs."""
        index, n = self.index, self.candidates_per_retriever
        if not len(index):
            return Candidates([], [], [], [], [], [], [])
        with stages("dense"):
            dense_hits = index.dense.search(vector, n)
        with stages("lexical"):
            lexical_query = index.lexical.query(plan.lexical_text)
            lexical_hits = lexical_query.top(n)
            rows = list(dict.fromkeys([r for r, _ in dense_hits] + [r for r, _ in lexical_hits]))
            # An English question's words count only as much as its lexical side expresses it
            # (``QueryPlan.expressed``, as for the coverage evidence): "where did the leader's
            # yacht dock" matched by "lãnh đạo" alone is not a full match of the question.
            ceiling = lexical_query.ceiling or 1.0
            lexical = [plan.expressed * score / ceiling for score in lexical_query.at(rows)]
            held = self.holding(plan.asks, rows, figures(plan.read_as))
            shares = [share * plan.expressed for share in self.sentence_shares(plan, rows)]
        with stages("dense"):
            mean, spread = index.dense.stats(vector)
            dense = [z_score(d, mean, spread) for d in index.dense.scores(vector, rows)]
            sims = index.dense.sentence_scores(vector, rows)
            sentence = [z_score(max(s), mean, spread) for s in sims]
        return Candidates(rows, dense, lexical, sentence, shares, held, sims, mean)

    def holding(self, asks: str, rows: list[int], own: frozenset[str] = frozenset()) -> list[float]:
        """Per row, 1 where the passage holds what is asked for (always, when nothing in
        particular is), beyond the figures the question says itself (``own``)."""
        if asks not in IN_TEXT:
            return [1.0] * len(rows)
        if self.index.held is None:  # a store that keeps no held bits: the texts are read anyway
            return [1.0 if holds_beyond(asks, p.text, own) else 0.0 for p in self.index.passages.many(rows)]
        bit = 1 << HELD.index(NARROWER.get(asks, asks))  # written by the store at build time
        held = [1.0 if int(flags) & bit else 0.0 for flags in self.index.held[rows]]
        # the texts of those holding it are read again where the bit is too wide: the question's own
        # figures, a narrower kind, a number (not "hai bên": highlight.holds_beyond)
        if (own or asks in NARROWER or asks == "number") and any(held):
            kept = [r for r, h in zip(rows, held) if h]
            again = dict(zip(kept, (holds_beyond(asks, p.text, own) for p in self.index.passages.many(kept))))
            held = [1.0 if h and again[r] else 0.0 for r, h in zip(rows, held)]
        return held

    def sentence_shares(self, plan: QueryPlan, rows: list[int]) -> list[float]:
        """Per row, its best sentence's IDF-weighted share of the question's words."""
        if self.index.sentence_words is not None:  # precomputed by the store
            return self.index.sentence_words.best_shares(rows, plan.terms)
        return [max(share(plan.terms, words) for words in self.sentences(r).words) for r in rows]

    def status(self, confidence: float, kind: Kind, topical: float | None = None) -> str:
        """"answered" (the top passage is confidently right), "no_answer" (nothing near: the
        articles are unlikely to answer at all, ``topical``; by default the confidence itself)
        or else "uncertain" (shown with a caveat)."""
        if confidence >= self.threshold:
            return ANSWERED
        topical = confidence if topical is None else topical
        return UNCERTAIN if topical >= self.uncertain_thresholds[kind] else NO_ANSWER

    def confidence(self, ranking: Ranking) -> float:
        if ranking.evidence is None:
            return 0.0
        return self.calibration[ranking.plan.kind].confidence(ranking.evidence)

    def page(self, ranking: Ranking, offset: int, k: int) -> tuple[AnswerPassage, ...]:
        chosen = list(zip(ranking.rows, ranking.scores))[offset : offset + k]
        return tuple(AnswerPassage(self.index.passages[row], score, self.highlight(ranking, row))
                     for row, score in chosen)

    def sentence_evidence(self, ranking: Ranking,
                          row: int) -> tuple[Sentences, list[float], list[float] | None, list[float] | None]:
        """Passage ``row``'s sentences with what the highlight judges them by: shared words
        with the plan's match, the question's similarity to each, and its tokens' alignment
        with each (where the passage was re-ranked by it)."""
        sentences = self.sentences(row)
        return (sentences, lexical_scores(ranking.plan.match, sentences), ranking.sentence_sims.get(row),
                ranking.sentence_aligned.get(row))

    def highlight(self, ranking: Ranking, row: int) -> str:
        """The sentence of passage ``row`` that answers the ranked question."""
        return best_sentence(self.index.passages[row].text, ranking.plan.match, self.sentences(row),
                             ranking.sentence_sims.get(row), ranking.sentence_aligned.get(row))


CAPTION_WORDS = 20  # a photo caption: one sentence this long at most (the seed articles' are 4-17 words)


def _caption_like(sentences: Sentences) -> bool:
    """Whether a passage reads as a photo caption: one short sentence."""
    return len(sentences.texts) == 1 and len(sentences.folded[0]) <= CAPTION_WORDS


def _raised(order: list[int], fused: list[float], first: set[int]) -> list[int]:
    """``order`` with the first page's ``first`` before the rest of it, each in its order, and
    each place keeping its ``fused`` score (so the scores stay in order)."""
    page = order[:FIRST_PAGE]
    if not first or page[0] in first:
        return order
    scores = [fused[i] for i in page]
    page = [i for i in page if i in first] + [i for i in page if i not in first]
    for at, i in enumerate(page):
        fused[i] = scores[at]
    return page + order[FIRST_PAGE:]
