"""The table `busan-bot eval` prints."""

from __future__ import annotations

from retrieval.evaluate import STATUSES, UNANSWERABLE, Report

LABELS = {"off_topic": "off-topic questions", "near_domain": "near-domain questions (not in the articles)"}


def _cells(counts: dict[str, int] | None) -> str:
    if not counts:
        return "".join(f"{'-':>11}" for _ in STATUSES)
    n = sum(counts.values())
    return "".join(f"{counts[s]:>6}/{n:<4}" for s in STATUSES)


def print_report(report: Report, k: int) -> None:
    ks = sorted({1, 3, 5, k})
    header = (f"{'kind':<12}{'n':>6}" + "".join(f"{'R@' + str(x):>8}" for x in ks) + f"{'MRR@10':>9}"
              + "".join(f"{s:>11}" for s in STATUSES))
    print(header)
    print("-" * len(header))
    rows = list(report.by_kind.items()) + [("all", report.overall)]
    for kind, scores in rows:
        counts = report.answerable_statuses() if kind == "all" else report.statuses.get(kind)
        print(f"{kind:<12}{scores.n:>6}" + "".join(f"{scores.recall[x]:>8.3f}" for x in ks)
              + f"{scores.mrr_at_10:>9.3f}" + _cells(counts))
    for bucket in UNANSWERABLE:
        if bucket in report.statuses:
            counts = report.statuses[bucket]
            n = sum(counts.values())
            print(f"{LABELS[bucket]}: " + ", ".join(f"{s} {counts[s]}/{n}" for s in STATUSES))
    hit, total = report.highlight
    if total:
        print(f"highlight holds the answer: {hit}/{total} = {hit / total:.3f} (top passage right, answer known)")
