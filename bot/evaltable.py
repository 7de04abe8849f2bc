"""The table `busan-bot eval` prints."""

from __future__ import annotations

from retrieval.evaluate import Report


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
