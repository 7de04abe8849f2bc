"""Helpers of `busan-bot eval`: question variants, document halves, the printed table."""

from __future__ import annotations

import dataclasses

from retrieval.errors import InputError
from retrieval.evaluate import Question, Report
from retrieval.passage import Passage
from retrieval.text import fold


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


def print_report(report: Report, k: int) -> None:
    ks = sorted({1, 3, 5, k})
    header = f"{'kind':<12}{'n':>6}" + "".join(f"{'R@' + str(x):>8}" for x in ks) + f"{'MRR@10':>9}{'refused':>10}"
    print(header)
    print("-" * len(header))
    rows = list(report.by_kind.items()) + [("all", report.overall)]
    for kind, scores in rows:
        refused = report.refusals.get(kind)
        if kind == "all":
            answerable = [v for key, v in report.refusals.items() if key != "off_topic"]
            refused = (sum(r for r, _ in answerable), sum(n for _, n in answerable)) if answerable else None
        cell = f"{refused[0]}/{refused[1]}" if refused else "-"
        print(f"{kind:<12}{scores.n:>6}" + "".join(f"{scores.recall[x]:>8.3f}" for x in ks)
              + f"{scores.mrr_at_10:>9.3f}{cell:>10}")
    if "off_topic" in report.refusals:
        r, n = report.refusals["off_topic"]
        print(f"off-topic questions refused: {r}/{n}")
    hit, total = report.highlight
    if total:
        print(f"highlight holds the answer: {hit}/{total} = {hit / total:.3f} (top passage right, answer known)")
