"""`busan-bot report` on a question log of 100,000 questions: its time, and whether the same
question typed differently lands in one group.

    python -m benchmarks.report_scale [--questions 100000] [--without-vectors]
    python -m benchmarks.report_scale --fit [--write]

The log is generated from our question sets over the seed articles: each logged question is one
of them, drawn with a long tail (a few asked often, most rarely), written as people chat
(benchmarks/chat_style.py: as written, without diacritics, half without, in shorthand, with
typos, as keywords). The unanswerable ones are logged "no_answer", the others "answered", each
with its embedding as the bot logs it (--without-vectors: as a version before that logged them,
so `report` embeds them). The log is written through the bot's own store (bot/feedback.py). Timed: reading the log,
summarising it, grouping the unanswered (the part that grew with the log), apart from them
opening the index (`open_engine`: the same for any log), and the whole `busan-bot report`
command in a process of its own (imports included). Grouping: the share of
questions whose every wording fell into one group, and the share of each group's entries that
are the group's most common question (purity). Per way of typing: how often it lands in the
group of the question as written.

--fit chooses the grouping threshold (tuned.json, "report"): on a log of 20,000 drawn from the
'dev' half of the unanswerable questions (every answerable one as what is typical), the lowest
threshold whose groups are at least FIT_PURITY pure; the same figures on the 'test' half are
printed beside it. --write puts it in tuned.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
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


def write_log(path: Path, log: list[tuple[str, str, bool, str]], vectors: dict[str, bytes]) -> None:
    from bot.feedback import FeedbackStore, Logged

    store = FeedbackStore(path, log_days=30)
    for i, (text, _, answerable, _) in enumerate(log):
        status = "answered" if answerable else "no_answer"
        store.question(i % 500, answerable, Logged(f"a{i}", text, "vi", status, 0.5, ("p1",) if answerable else (),
                                                   vectors.get(text)))


def logged_vectors(engine, texts: list[str]) -> dict[str, bytes]:
    """What the bot logs with each question: its embedding (cached across runs, as the bot had it)."""
    from bot.feedback import log_vector

    from .common import cached_embedder

    embedder = cached_embedder(load_settings())
    vectors = embedder.embed_queries([engine.plan(t).dense_text for t in texts])
    return {t: log_vector(v) for t, v in zip(texts, vectors)}


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


FIT_PURITY = 0.99
THRESHOLDS = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8)


def fit(write: bool) -> int:
    from bot.report import summarise, unanswered_groups
    from retrieval.engine import open_engine
    from retrieval.tuned import write_section

    splits = {json.loads(line)["id"]: json.loads(line).get("split", "")
              for name in ("unanswerable_questions", "seed_questions")
              for line in (ROOT / "eval" / f"{name}.jsonl").open(encoding="utf-8") if line.strip()}
    log = generate(20_000)
    engine = open_engine(load_settings())
    vectors = logged_vectors(engine, list(dict.fromkeys(t for t, *_ in log)))
    figures = {}
    for split in ("dev", "test"):
        part = [entry for entry in log if entry[2] or splits[entry[1]] == split]
        rows = [(i, t, "vi", "answered" if a else "no_answer", 0.5, "", 0, 0, vectors[t])
                for i, (t, _, a, _) in enumerate(part)]
        report = summarise(rows)
        entries = [(original, style) for _, original, answerable, style in part if not answerable]
        for threshold in THRESHOLDS:
            groups = unanswered_groups(engine, report, rows, threshold)
            figures[(split, threshold)] = grouping_figures(entries, groups)
    engine.close()
    print(f"{'threshold':>9} {'half':<5} {'groups':>6} {'together':>8} {'purity':>7}  in the written one's group: "
          + " ".join(STYLES[1:]))
    for (split, threshold), f in sorted(figures.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        print(f"{threshold:9.2f} {split:<5} {f['groups']:6d} {f['all_wordings_together']:8.3f} {f['purity']:7.3f}  "
              + " ".join(f"{f.get('with_written_' + s, 0):.2f}" for s in STYLES[1:]))
    chosen = next((t for t in THRESHOLDS if figures[("dev", t)]["purity"] >= FIT_PURITY), THRESHOLDS[-1])
    print(f"chosen: {chosen} (the lowest whose dev groups are at least {FIT_PURITY:.0%} pure)")
    if write:
        write_section("report", {"same_meaning": chosen})
        print("wrote it into retrieval/data/tuned.json")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--questions", type=int, default=100_000)
    ap.add_argument("--without-vectors", action="store_true", help="a log without embeddings (an older bot's)")
    ap.add_argument("--fit", action="store_true", help="choose the grouping threshold (see above)")
    ap.add_argument("--write", action="store_true", help="with --fit: write it into retrieval/data/tuned.json")
    args = ap.parse_args(argv)
    if args.fit:
        return fit(args.write)
    from bot.feedback import FeedbackStore
    from bot.report import lines, summarise, unanswered_groups
    from retrieval.engine import open_engine

    log = generate(args.questions)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "feedback.sqlite3"
        start = time.perf_counter()
        engine = open_engine(load_settings())
        vectors = {} if args.without_vectors else logged_vectors(engine, list(dict.fromkeys(t for t, *_ in log)))
        engine.close()
        write_log(path, log, vectors)
        print(f"log of {len(log):,} questions written in {time.perf_counter() - start:.1f} s", file=sys.stderr)
        t0 = time.perf_counter()
        engine = open_engine(load_settings())  # what `busan-bot report` opens; the model only loads if used
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
        # The command itself, as an operator runs it: a fresh process, imports and all.
        env = {**os.environ, "BUSAN_BOT_TELEGRAM_FEEDBACK_DB": str(path)}
        t6 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bot", "report", "--days", "36500"], env=env, check=True,
                       capture_output=True, cwd=ROOT)
        command_s = time.perf_counter() - t6
    assert report.unanswered == [text for text, _, answerable, _ in log if not answerable]  # the log's own order
    figures = grouping_figures([(original, style) for _, original, answerable, style in log if not answerable], groups)
    result = {"questions": len(log), "logged_with_vectors": not args.without_vectors,
              "unanswered": len(report.unanswered),
              "distinct_unanswered": len(set(report.unanswered)), "open_engine_s": t1 - t0,
              "read_s": t2 - t1, "summarise_s": t3 - t2, "group_s": t4 - t3, "lines_s": t5 - t4,
              "report_s": t5 - t1, "command_s": command_s, **figures}
    print(json.dumps(result, indent=1))
    print("\n".join(printed[-12:]))
    out = ROOT / "benchmarks" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "report_scale.json").write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
