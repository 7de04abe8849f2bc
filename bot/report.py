"""`busan-bot report`: what users asked, day by day, and what the articles could not answer,
grouped by meaning, from the bot's question log (pure functions; the CLI feeds them)."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

import numpy as np

from retrieval.tuned import SAME_MEANING

STATUSES = ("answered", "uncertain", "no_answer")
# Two questions whose centred e5 vectors (``centred``) are at least SAME_MEANING alike ask the
# same thing (tuned.json, "report": fitted on a generated log by benchmarks/report_scale.py).


@dataclass
class Report:
    days: dict[str, Counter] = field(default_factory=dict)  # "2026-12-01" -> status -> questions
    up: int = 0
    down: int = 0
    unanswered: list[str] = field(default_factory=list)  # texts of questions not answered (logged ones)
    vectors: dict[str, bytes] = field(default_factory=dict)  # a logged question's text -> its stored embedding
    down_passages: Counter = field(default_factory=Counter)  # passage id -> 👎 on answers that showed it first
    uncounted_texts: int = 0  # questions logged without their text (question_log_days = 0, or pruned)


def summarise(rows: list[tuple]) -> Report:
    """Rows of ``logged_since``: (time, question, lang, status, confidence, passage_ids, up, down,
    vector)."""
    report = Report()
    per_day: dict[str, Counter] = defaultdict(Counter)
    for when, question, _lang, status, _confidence, passage_ids, up, down, vector in rows:
        if question is not None and vector is not None:
            report.vectors.setdefault(question, bytes(vector))
        day = dt.datetime.fromtimestamp(when, dt.timezone.utc).date().isoformat()
        per_day[day][status] += 1
        report.up += up
        report.down += down
        if question is None:
            report.uncounted_texts += 1
        elif status == "no_answer":
            report.unanswered.append(question)
        if down and passage_ids:
            report.down_passages[passage_ids.split(",")[0]] += down
    report.days = dict(sorted(per_day.items()))
    return report


def group_by_meaning(vectors: np.ndarray, threshold: float = SAME_MEANING,
                     weights: list[int] | None = None) -> list[list[int]]:
    """Indices grouped so that each joins the first group whose first member it is at least
    ``threshold`` similar to (unit vectors; greedy, in order); largest groups first (by the sum
    of ``weights``, one each by default)."""
    groups: list[list[int]] = []
    if not len(vectors):
        return groups
    leaders = np.empty_like(vectors)
    for i, vector in enumerate(vectors):
        sims = leaders[: len(groups)] @ vector
        best = int(np.argmax(sims)) if len(groups) else -1
        if best >= 0 and sims[best] >= threshold:
            groups[best].append(i)
        else:
            leaders[len(groups)] = vector
            groups.append([i])
    weight = (lambda g: len(g)) if weights is None else (lambda g: sum(weights[i] for i in g))  # noqa: E731
    return sorted(groups, key=weight, reverse=True)


def lines(report: Report, groups: list[list[int]], titles: dict[str, str], top: int = 10) -> list[str]:
    """The report as terminal lines."""
    out = ["questions per day      answered  uncertain  no_answer"]
    for day, counts in report.days.items():
        n = sum(counts.values())
        out.append(f"{day}  {n:>6}   " + "".join(f"{counts[s] / n:>10.0%}" for s in STATUSES))
    total = sum(sum(c.values()) for c in report.days.values())
    out.append(f"all: {total} questions; feedback 👍 {report.up} / 👎 {report.down}")
    if report.uncounted_texts:
        out.append(f"({report.uncounted_texts} logged without their text: question_log_days)")
    out.append("")
    out.append("not answered by the articles, grouped by meaning (count: examples):" if groups else
               "every logged question found an answer in the articles")
    for group in groups[:top]:
        examples = " | ".join(dict.fromkeys(report.unanswered[i] for i in group))
        out.append(f"{len(group):>4}: {_short(examples)}")
    if report.down_passages:
        out.append("")
        out.append("paragraphs most often voted down (as the first shown):")
        for pid, n in report.down_passages.most_common(top):
            out.append(f"{n:>4} 👎  {titles.get(pid, pid)}")
    return out


def _short(text: str, width: int = 150) -> str:
    return text if len(text) <= width else text[:width].rsplit(" ", 1)[0] + " …"


def centred(vectors: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Unit vectors less the reference's mean: e5's similarities all sit near 0.85-0.95 between
    any two questions about Busan; measured from what is typical they spread out (same question
    0.8-0.9, another question of the same city 0.2-0.4)."""
    moved = vectors - reference.mean(axis=0)
    return moved / np.maximum(np.linalg.norm(moved, axis=1, keepdims=True), 1e-9)


MODEL_TYPICAL_SAMPLE = 200  # the same, where they must be embedded now: each costs a model call
TYPICAL_SAMPLE = 2000  # distinct logged questions the "typical" mean is taken over: enough for a mean


TYPO_RARER = 3  # a word is read as a slip for a word of the log this many times as common, or more


class _AsCommonAs(AbstractSet):
    """The log's words asked at least ``least`` times: a set to ``spelling.correction``, which
    only intersects it with a word's few edits (membership, never a copy of the vocabulary)."""

    def __init__(self, seen: Counter, least: int):
        self.seen, self.least = seen, least

    def __contains__(self, word) -> bool:
        return self.seen.get(word, 0) >= self.least

    def __iter__(self):
        return (w for w, n in self.seen.items() if n >= self.least)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    @classmethod
    def _from_iterable(cls, words):  # what ``edits & self`` returns
        return frozenset(words)


def mended_by_log(keys: list[frozenset[str]], counts: list[int]) -> list[frozenset[str]]:
    """Each wording's words with its slips mended by the log's own words, where the mended
    wording is one the log holds: a word one edit away (``spelling.correction``: a swap of
    neighbours first, else the only one) from exactly one word the log holds ``TYPO_RARER``
    times as often may be that word; the wording takes it only when someone asked with those
    words ("gái vàng hôm nay" -> "giá vàng hôm nay"; "giá" is not a slip for "gì": nobody
    asked "gì vàng hôm nay"). The planner mends what the articles' vocabulary knows; what the
    articles cannot answer is in the log's. ``counts``: how often each wording was asked."""
    from retrieval.spelling import correction

    seen: Counter = Counter()
    for key, n in zip(keys, counts):
        for word in key:
            seen[word] += n
    asked = set(keys)
    slip = {word: correction(word, _AsCommonAs(seen, TYPO_RARER * n)) for word, n in seen.items()}
    return [_mended(key, slip, asked) for key in keys]


def _mended(key: frozenset[str], slip: dict[str, str | None], asked: set[frozenset[str]]) -> frozenset[str]:
    """Every slip of ``key`` mended, else one of them, whichever gives a wording asked."""
    slips = [w for w in key if slip[w]]
    tries = ([frozenset(slip[w] or w for w in key)] if len(slips) > 1 else []) + \
        [key - {w} | {slip[w]} for w in sorted(slips)]
    return next((k for k in tries if k in asked), key)


def unanswered_groups(engine, report: Report, rows: list[tuple], threshold: float = SAME_MEANING) -> list[list[int]]:
    """``report.unanswered`` grouped by meaning (indices into it), measured from what is typical:
    the questions logged (and our own questions about the articles, for a log without embeddings).

    A log repeats itself: each distinct wording is read once, and wordings with the same words
    once planned (typed with or without diacritics, in shorthand, with a typo, in another order:
    the planner writes them out alike and folding drops the marks) are one question before any
    model call. The bot logs each question's embedding: the model is asked only for those
    logged without one (by a version before it), with a sample of what is typical to centre on."""
    from retrieval.highlight import folded_words
    from retrieval.settings import ROOT

    plans = {text: engine.plan(text) for text in dict.fromkeys(report.unanswered)}
    asked = Counter(report.unanswered)
    keys = [folded_words(plan.read_as) or frozenset([text]) for text, plan in plans.items()]
    same_words: dict[frozenset, list[str]] = defaultdict(list)
    for text, key in zip(plans, mended_by_log(keys, [asked[t] for t in plans])):
        same_words[key].append(text)
    representatives = [next((w for w in wordings if w in report.vectors), wordings[0])
                       for wordings in same_words.values()]
    logged = list(dict.fromkeys(r[1] for r in rows if r[1]))
    typical = [q for q in logged if q in report.vectors][:TYPICAL_SAMPLE]
    if not typical:  # a log from before embeddings were kept: a smaller sample, and our own questions
        typical = logged[:MODEL_TYPICAL_SAMPLE]
        seeds = ROOT / "eval" / "seed_questions.jsonl"
        if seeds.exists():
            typical += [json.loads(line)["question"] for line in seeds.open(encoding="utf-8") if line.strip()]
    vectors = _vectors(lambda t: (plans.get(t) or engine.plan(t)).dense_text, engine.embedder, report.vectors,
                       representatives + typical)
    positions: dict[str, list[int]] = defaultdict(list)
    for i, text in enumerate(report.unanswered):
        positions[text].append(i)
    members = [[i for text in wordings for i in positions[text]] for wordings in same_words.values()]
    groups = group_by_meaning(centred(vectors[: len(representatives)], vectors), threshold,
                              weights=[len(m) for m in members])
    return [sorted(i for g in group for i in members[g]) for group in groups]


def _vectors(dense_text, embedder, stored: dict[str, bytes], texts: list[str]) -> np.ndarray:
    """Each text's logged embedding, or the model's for those logged without one (all of them
    the model's where the logged ones are of another size: another model)."""
    def embed(wanted: list[str]) -> dict[str, np.ndarray]:
        return dict(zip(wanted, embedder.embed_queries([dense_text(t) for t in wanted]))) if wanted else {}

    distinct = list(dict.fromkeys(texts))
    vectors = embed([t for t in distinct if t not in stored])
    kept = {t: np.frombuffer(stored[t], dtype=np.float16) for t in distinct if t in stored}
    if len({v.shape for v in list(kept.values()) + list(vectors.values())}) > 1:
        kept = {}
        vectors.update(embed([t for t in distinct if t not in vectors]))
    vectors.update(kept)
    return np.array([vectors[t] for t in texts], dtype=np.float32)


def top_unanswered(report: Report, groups: list[list[int]], top: int = 3) -> list[str]:
    """ "count× first wording" for the largest groups: /stats' short version."""
    return [f"{len(g)}× {_short(report.unanswered[g[0]], 80)}" for g in groups[:top]]


def run_report(settings, telegram, days: float, out, html_path=None) -> int:
    """Read the question log (the bot's feedback database, or PostgreSQL), print the report
    (and write it as a page at ``html_path``)."""
    import time

    from retrieval.corpus import corpus_passages, load_corpus
    from retrieval.engine import open_engine
    from retrieval.errors import BusanBotError

    from .side_stores import open_feedback

    rows = open_feedback(settings, telegram).logged_since(time.time() - days * 86400)
    report = summarise(rows)
    groups: list[list[int]] = []
    if report.unanswered:
        engine = open_engine(settings)
        try:
            groups = unanswered_groups(engine, report, rows)
        finally:
            engine.close()
    passages = corpus_passages(load_corpus(settings.seeds_dir, max_bytes=settings.max_article_bytes))
    titles = {p.id: f"{p.title}, đoạn {p.paragraph}" for p in passages}
    print(f"busan-bot report: the last {days:g} days", file=out)
    for line in lines(report, groups, titles):
        print(line, file=out)
    if html_path is not None:
        from .report_html import page, write_page

        try:
            write_page(html_path, page(report, groups, titles, days))
        except OSError as exc:
            raise BusanBotError(f"could not write {html_path}: {exc.strerror or exc}") from exc
        print(f"page written: {html_path}", file=out)
    return 0
