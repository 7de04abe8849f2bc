"""Recall@k and MRR over a passage file and a question file (XQuAD's format, or ours)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .embedder import Embedder
from .errors import InputError
from .passage import Passage
from .pipeline import Pipeline
from .store import throwaway_store
from .text import Kind, fold

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    gold: tuple[str, ...]  # empty: the articles do not hold the answer
    answer: str = ""
    kind: str = ""  # as labelled in the file; detected when absent
    split: str = ""  # "dev" (tuned on) or "test" (only reported), where the file says
    conversation: str = ""  # the conversation the question is a turn of (turns in file order)
    turn: str = ""  # "first", "followup", "switch", "social" or "more", where the file says
    rewrite: str = ""  # a follow-up written out by hand as a question that stands alone


def _jsonl(path: Path) -> Iterable[tuple[int, dict]]:
    try:
        with open(path, encoding="utf-8") as fh:
            for number, line in enumerate(fh, start=1):
                if line.strip():
                    try:
                        yield number, json.loads(line)
                    except ValueError as exc:
                        raise InputError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
    except FileNotFoundError:
        raise InputError(f"file not found: {path}") from None


def read_passages(path: Path) -> list[Passage]:
    """``{"id", "title", "text"}`` per line; the file's ids are kept so gold ids match."""
    out = []
    for number, row in _jsonl(path):
        try:
            out.append(Passage(str(row["id"]), str(row.get("doc_id", row.get("title", ""))), str(row.get("title", "")),
                               str(row.get("source", "")), int(row.get("paragraph", number)), str(row["text"])))
        except KeyError as exc:
            raise InputError(f"{path}:{number}: missing field {exc}") from None
    if not out:
        raise InputError(f"{path} holds no passages")
    return out


def read_questions(path: Path) -> list[Question]:
    out = []
    for number, row in _jsonl(path):
        try:
            out.append(Question(str(row.get("id", number)), str(row["question"]),
                                tuple(str(g) for g in row.get("gold_passage_ids", [])),
                                str(row.get("answer", "")), str(row.get("kind", "")), str(row.get("split", "")),
                                str(row.get("conversation", "")), str(row.get("turn", "")),
                                str(row.get("rewrite", ""))))
        except KeyError as exc:
            raise InputError(f"{path}:{number}: missing field {exc}") from None
    if not out:
        raise InputError(f"{path} holds no questions")
    return out


@dataclass(frozen=True)
class Scores:
    n: int
    recall: dict[int, float]  # k -> share of questions with a gold passage in the top k
    mrr_at_10: float

    def to_json(self) -> dict:
        data: dict = {"n": self.n}
        data.update({f"recall@{k}": round(v, 4) for k, v in sorted(self.recall.items())})
        data["mrr@10"] = round(self.mrr_at_10, 4)
        return data


def score_rankings(rankings: list[tuple[tuple[str, ...], list[str]]], ks=(1, 3, 5)) -> Scores:
    """(gold ids, ranked ids) pairs -> recall@k and MRR@10; questions with no gold are skipped."""
    ks = sorted(set(ks))
    hits = dict.fromkeys(ks, 0)
    mrr = 0.0
    n = 0
    for gold, ranked in rankings:
        if not gold:
            continue
        n += 1
        gold_set = set(gold)
        first = next((i for i, pid in enumerate(ranked) if pid in gold_set), None)
        for k in ks:
            hits[k] += first is not None and first < k
        if first is not None and first < 10:
            mrr += 1.0 / (first + 1)
    if not n:
        return Scores(0, dict.fromkeys(ks, 0.0), 0.0)
    return Scores(n, {k: hits[k] / n for k in ks}, mrr / n)


STATUSES = ("answered", "uncertain", "no_answer")
UNANSWERABLE = ("off_topic", "near_domain")  # buckets of questions with no gold passage


@dataclass(frozen=True)
class Report:
    overall: Scores
    by_kind: dict[str, Scores]
    # bucket -> status -> count; buckets: each kind of answerable question, and UNANSWERABLE's
    statuses: dict[str, dict[str, int]]
    highlight: tuple[int, int]  # (highlight holds the answer, top passage right and answer known)

    def answerable_statuses(self) -> dict[str, int]:
        return {s: sum(v[s] for k, v in self.statuses.items() if k not in UNANSWERABLE) for s in STATUSES}

    def to_json(self) -> dict:
        data = self.overall.to_json()
        data["by_kind"] = {k: v.to_json() for k, v in self.by_kind.items()}
        data["refused"] = {k: {"refused": v["no_answer"], "of": sum(v.values())} for k, v in self.statuses.items()}
        data["status"] = self.statuses
        hit, total = self.highlight
        data["highlight_has_answer"] = round(hit / total, 4) if total else None
        return data


def eval_index_dir(cache_dir: Path, passages: list[Passage]) -> Path:
    """A per-corpus folder, so a second `eval` on the same passages reuses their vectors."""
    digest = hashlib.sha256("".join(p.id + p.text for p in passages).encode()).hexdigest()[:16]
    return cache_dir / "eval" / digest


def throwaway_index(passages: list[Passage], embedder: Embedder, index_dir: Path, settings, progress: bool = False):
    """An index of ``passages`` in the configured backend, kept apart from the product's own
    (named after ``index_dir``, one per corpus: a second `eval` reuses its vectors)."""
    store = throwaway_store(settings, index_dir)
    index, _ = store.build(passages, embedder, progress=progress)
    return index


def evaluate(passages: list[Passage], questions: list[Question], embedder: Embedder, index_dir: Path,
             settings, progress: bool = False, extra_k: int = 5) -> Report:
    """Every question through the product's own pipeline (its settings too), embedded in one batch."""
    pipeline = Pipeline.from_settings(throwaway_index(passages, embedder, index_dir, settings, progress),
                                      embedder, settings)
    index = pipeline.index
    plans = [pipeline.planner.plan(q.text, Kind(q.kind) if q.kind in Kind._value2member_map_ else None)
             for q in questions]
    vectors = embedder.embed_queries([p.dense_text for p in plans])  # one batch: far faster than one by one
    per_kind: dict[str, list] = defaultdict(list)
    statuses: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STATUSES, 0))
    highlight_hits = highlight_total = 0
    for q, plan, vector in zip(questions, plans, vectors):
        ranking, _, status = pipeline.verdict(plan, vector)  # decided as every answer is
        ids = [index.passages[r].id for r in ranking.rows]
        label = q.kind or plan.kind.value
        bucket = label if q.gold else ("near_domain" if q.kind == "near" else "off_topic")
        statuses[bucket][status] += 1
        if not q.gold:
            continue
        per_kind[label].append((q.gold, ids))
        if ids and ids[0] in q.gold and q.answer:
            highlight_total += 1
            highlight_hits += fold(q.answer) in fold(pipeline.highlight(ranking, ranking.rows[0]))
    everything = [pair for pairs in per_kind.values() for pair in pairs]
    ks = (1, 3, 5, extra_k)
    return Report(
        overall=score_rankings(everything, ks),
        by_kind={k: score_rankings(v, ks) for k, v in sorted(per_kind.items())},
        statuses={k: v for k, v in sorted(statuses.items())},
        highlight=(highlight_hits, highlight_total),
    )


# ----------------------------------------------------------------------------- question sets


def strip_questions(questions: list[Question]) -> list[Question]:
    """The same questions typed without diacritics (NFD, marks dropped, đ -> d), case kept."""
    def strip(text: str) -> str:
        return "".join(f if o.islower() or not o.isalpha() else f.upper() for o, f in zip(text, fold(text)))

    return [dataclasses.replace(q, text=strip(q.text), kind="vi_plain" if q.kind in ("", "vi") else q.kind)
            for q in questions]


def with_answers_from(questions: list[Question], translations: list[Question]) -> list[Question]:
    """Each question with the answer of the same-id question in ``translations``.

    The highlight is a sentence of a passage, so it can only hold an answer written in the
    passages' language; an English question's own answer never occurs in a Vietnamese passage.
    """
    by_id = {q.id: q.answer for q in translations if q.answer}
    if not any(q.id in by_id for q in questions):
        raise InputError("the answers file shares no question id with the questions file")
    return [dataclasses.replace(q, answer=by_id.get(q.id, q.answer)) for q in questions]


def half_filter(passages: list[Passage], questions: list[Question], half: str):
    """Split by document (a passage's article), so no document is in both halves."""
    docs = sorted({p.article for p in passages})
    chosen = set(docs[: len(docs) // 2]) if half == "first" else set(docs[len(docs) // 2 :])
    kept = [p for p in passages if p.article in chosen]
    ids = {p.id for p in kept}
    return kept, [q for q in questions if not q.gold or set(q.gold) & ids]
