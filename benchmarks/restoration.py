"""Syllable accuracy of diacritic restoration on XQuAD's Vietnamese questions.

    python -m benchmarks.restoration [--xquad ../shared/data/xquad]

Each question is typed without diacritics ("plain") or with about half of its words without
them ("mixed", benchmarks/chat_style.py), restored against the corpus of its half of the
documents, and compared word by word with the question as written. Reported: the share of
words restored exactly, on the first half (tuning) and the second (held out); beside ours,
pyvi's CRF (`ViUtils.add_accents`) when pyvi is installed, and the words left as typed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from retrieval.evaluate import half_filter, read_passages, read_questions
from retrieval.restore import accent_table, restore_diacritics
from retrieval.text import words

from .chat_style import rewrite, strip
from .common import OUT, XQUAD


def accuracy(pairs, restore) -> float:
    good = total = 0
    for typed, written in pairs:
        truth, out = words(written), words(restore(typed))
        total += len(truth)
        if len(out) == len(truth):
            good += sum(a == b for a, b in zip(out, truth))
    return good / total if total else 0.0


def methods():
    found = {"ours": lambda typed, accents: restore_diacritics(typed, accents),
             "as typed": lambda typed, accents: typed}
    try:
        from pyvi import ViUtils
    except ImportError:
        return found
    def pyvi(typed: str, accents) -> str:  # it reads unaccented text only, and fails on some
        try:
            return ViUtils.add_accents(strip(typed))
        except (KeyError, ValueError):
            return typed

    found["pyvi add_accents"] = pyvi
    return found


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--xquad", type=Path, default=XQUAD)
    args = ap.parse_args(argv)
    passages = read_passages(args.xquad / "passages.jsonl")
    questions = read_questions(args.xquad / "questions.jsonl")
    results = {}
    print(f"{'typed':<7} {'method':<18} {'first half':>11} {'second half':>12}")
    for name in ("plain", "mixed"):
        typed = rewrite(questions, name, seed=7)
        for method, restore in methods().items():
            row = results.setdefault(name, {}).setdefault(method, {})
            for half in ("first", "second"):
                ps, qs = half_filter(passages, questions, half)
                accents = accent_table([p.text for p in ps])
                by_id = {q.id: q.text for q in typed}
                row[half] = accuracy([(by_id[q.id], q.text) for q in qs], lambda t: restore(t, accents))
            print(f"{name:<7} {method:<18} {row['first']:>11.4f} {row['second']:>12.4f}", flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "restoration.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
