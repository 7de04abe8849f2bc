"""`busan-bot report` on a question log of 100,000 questions: its time, and whether the same
question typed differently lands in one group.

    python -m benchmarks.report_scale [--questions 100000]

The log is generated from our question sets over the seed articles: each logged question is one
of them, drawn with a long tail (a few asked often, most rarely), written as people chat
(benchmarks/chat_style.py: as written, without diacritics, half without, in shorthand, with
typos, as keywords). The unanswerable ones are logged "no_answer", the others "answered". The
log is written through the bot's own store (bot/feedback.py). Timed: reading the log,
summarising it, grouping the unanswered (the part that grew with the log), and apart from
them loading the model and index (`open_engine`: the same for any log). Grouping: the share of
questions whose every wording fell into one group, and the share of each group's entries that
are the group's most common question (purity).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from retrieval.evaluate import read_questions
from retrieval.settings import ROOT, load_settings

from .chat_style import REWRITES

STYLES = ("clean", "plain", "mixed", "abbrev", "typos", "keywords")


def generate(n: int, seed: int = 3) -> list[tuple[str, str, bool, str]]:
    """(text, original id, answerable, style) per logged question."""
    rng = random.Random(seed)
    questions = [q for name in ("unanswerable_questions", "seed_questions")
                 for q in read_questions(ROOT / "eval" / f"{name}.jsonl")]
    weights = [1 / (rank + 1) for rank in range(len(questions))]  # a long tail
    rng.shuffle(weights)
    variants = {q.id: {style: REWRITES[style](q.text, random.Random(f"{q.id}:{style}")) for style in STYLES}
                for q in questions}
    picks = rng.choices(questions, weights, k=n)
    styles = rng.choices(STYLES, k=n)
    return [(variants[q.id][style], q.id, bool(q.gold), style) for q, style in zip(picks, styles)]


def write_log(path: Path, log: list[tuple[str, str, bool]]) -> None:
    from bot.feedback import FeedbackStore, Logged

    store = FeedbackStore(path, log_days=30)
    for i, (text, _, answerable, _) in enumerate(log):
        status = "answered" if answerable else "no_answer"
        store.question(i % 500, answerable, Logged(f"a{i}", text, "vi", status, 0.5, ("p1",) if answerable else ()))


def grouping_figures(entries: list[tuple[str, str]], groups: list[list[int]]) -> dict:
    """``entries``: (original id, style) of each unanswered question, as ``groups`` index them."""
    group_of = {i: g for g, group in enumerate(groups) for i in group}
    where = defaultdict(set)  # (original, style) -> groups
    for i, key in enumerate(entries):
        where[key].add(group_of[i])
    originals = {original for original, _ in entries}
    together = sum(len(set().union(*(where[(o, s)] for s in STYLES if (o, s) in where))) == 1
                   for o in originals) / len(originals)
    # per way of typing: how often it lands in the group of the question as written
    with_clean = {style: [where[(o, style)] == where[(o, "clean")] for o in originals
                          if (o, style) in where and (o, "clean") in where] for style in STYLES[1:]}
    purity = sum(Counter(entries[i][0] for i in group).most_common(1)[0][1] for group in groups) / len(entries)
    return {"questions": len(originals), "groups": len(groups), "all_wordings_together": together,
            "purity": purity, **{f"with_written_{style}": sum(v) / len(v) for style, v in with_clean.items() if v}}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--questions", type=int, default=100_000)
    args = ap.parse_args(argv)
    from bot.feedback import FeedbackStore
    from bot.report import lines, summarise, unanswered_groups
    from retrieval.engine import open_engine

    log = generate(args.questions)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "feedback.sqlite3"
        start = time.perf_counter()
        write_log(path, log)
        print(f"log of {len(log):,} questions written in {time.perf_counter() - start:.1f} s", file=sys.stderr)
        t0 = time.perf_counter()
        engine = open_engine(load_settings())
        engine.plan("khởi động")  # the planner's corpus tables, as any first question would
        t1 = time.perf_counter()
        rows = FeedbackStore(path, log_days=30).logged_since(0)
        t2 = time.perf_counter()
        report = summarise(rows)
        t3 = time.perf_counter()
        groups = unanswered_groups(engine, report, rows)
        t4 = time.perf_counter()
        printed = lines(report, groups, {})
        t5 = time.perf_counter()
        engine.close()
    assert report.unanswered == [text for text, _, answerable, _ in log if not answerable]  # the log's own order
    figures = grouping_figures([(original, style) for _, original, answerable, style in log if not answerable], groups)
    result = {"questions": len(log), "unanswered": len(report.unanswered),
              "distinct_unanswered": len(set(report.unanswered)), "open_engine_s": t1 - t0,
              "read_s": t2 - t1, "summarise_s": t3 - t2, "group_s": t4 - t3, "lines_s": t5 - t4,
              "report_s": t5 - t1, **figures}
    print(json.dumps(result, indent=1))
    print("\n".join(printed[-12:]))
    out = ROOT / "benchmarks" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "report_scale.json").write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
