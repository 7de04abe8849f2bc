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


CHAT_KINDS = ("first", "followup", "switch", "social", "more")


def print_chat_report(data: dict) -> None:
    """Per kind of turn: R@1 in the conversation, asked alone and as rewritten by hand."""
    cell = lambda v: f"{v:.3f}" if v is not None else "-"  # noqa: E731
    header = (f"{'turn':<10}{'n':>5}{'R@1':>8}{'alone':>8}{'rewrite':>9}{'refused':>9}{'answered right':>16}"
              f"{'unanswerable not answered':>27}{'social/more as expected':>25}")
    print(header)
    print("-" * len(header))
    for kind in CHAT_KINDS:
        t = data["turns"].get(kind)
        if t:
            print(f"{kind:<10}{t['n']:>5}{cell(t['recall@1']):>8}{cell(t['alone_recall@1']):>8}"
                  f"{cell(t['rewrite_recall@1']):>9}{t['refused']:>9}{cell(t['answered_precision']):>16}"
                  f"{t['not_answered']:>20}/{t['unanswerable']:<6}"
                  f"{t['as_expected']:>18}/{t['social_or_more']:<6}")
    print(f"understanding a turn: {data['understanding_ms_p50']} ms at p50 beyond the model call "
          "(against asking it alone)")
