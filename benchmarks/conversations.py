"""Conversations: follow-up turns answered with the turns before them, against the same turns
asked alone (raw) and their hand-written rewrites (the upper bound).

    python -m benchmarks.conversations [--questions eval/conversations.jsonl] [--split dev|test]

Prints, per kind of turn (first, follow-up, topic switch, social, "more"): R@1 in the
conversation, R@1 of the turn asked alone, R@1 of the hand rewrite, answerable turns refused,
unanswerable turns not presented as answered, and the time understanding a turn adds beyond
the model call (p50, against asking it alone). Writes benchmarks/out/conversations.json.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from retrieval.chat_eval import KINDS, evaluate_chat
from retrieval.corpus import corpus_passages, load_corpus
from retrieval.evaluate import read_questions
from retrieval.settings import ROOT, load_settings

from .common import OUT, cached_embedder, pipeline_over


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--questions", type=Path, default=ROOT / "eval" / "conversations.jsonl")
    ap.add_argument("--split", choices=["dev", "test"], help="one half only (default: both, reported apart)")
    args = ap.parse_args(argv)
    settings = load_settings()
    embedder = cached_embedder(settings)
    passages = corpus_passages(load_corpus(settings.seeds_dir, max_bytes=settings.max_article_bytes))
    questions = read_questions(args.questions)
    results = {}
    for split in [args.split] if args.split else ["dev", "test"]:
        chosen = [q for q in questions if q.split == split]
        pipeline = pipeline_over(passages, embedder, settings)
        report = evaluate_chat(pipeline, chosen, settings.top_k, settings.conversation_minutes)
        results[split] = report.to_json()
        print_table(split, results[split])
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "conversations.json").write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")


def print_table(split: str, data: dict) -> None:
    print(f"\n{split}: {'turn':<10}{'n':>4}{'R@1':>7}{'alone':>7}{'rewrite':>9}{'refused':>9}{'ans.prec':>9}"
          f"{'unans. not answered':>22}{'social/more ok':>16}{'used context':>14}")
    for kind in KINDS:
        t = data["turns"].get(kind)
        if not t:
            continue
        cell = lambda v: f"{v:.3f}" if v is not None else "-"  # noqa: E731
        print(f"{'':7}{kind:<10}{t['n']:>4}{cell(t['recall@1']):>7}{cell(t['alone_recall@1']):>7}"
              f"{cell(t['rewrite_recall@1']):>9}{t['refused']:>9}{cell(t['answered_precision']):>9}"
              f"{t['not_answered']:>15}/{t['unanswerable']:<6}"
              f"{t['as_expected']:>9}/{t['social_or_more']:<6}{t['used_context']:>14}")
    print(f"       understanding a turn adds {data['understanding_ms_p50']} ms at p50 beyond the model call")


if __name__ == "__main__":
    main()
