"""XQuAD's Vietnamese questions rewritten the ways people type in a chat, and how the bot does.

    python -m benchmarks.chat_style [--xquad ../shared/data/xquad] [--seed 7] [--halves]

Each rewrite is seeded code of our own (deterministic for a seed):
  clean      as XQuAD has them
  plain      every diacritic dropped (đ -> d)
  mixed      the diacritics of about half the words dropped
  abbrev     chat shorthand (ko, dc, j, ntn, vs, tp, vn, hq, bn ...) and no diacritics
  keywords   question words and function words dropped, the rest kept as typed
  typos      two neighbouring letters swapped in about one word in six (words of 3+ letters)
  invisible  a zero-width space, soft hyphen or NUL inside a word, and a stray "2", emoji
             or "??" at the end
Prints Recall@1 and the share of answered / uncertain / no_answer per rewrite, on the
first half of the documents (tuning), the second (held out) and the whole; writes
benchmarks/out/chat_style.json.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

from retrieval.evaluate import half_filter, read_passages, read_questions
from retrieval.settings import load_settings
from retrieval.text import fold

from .common import OUT, XQUAD, cached_embedder, prepared

# Shorthand as it is typed, full form first: our own list for rewriting, independent of the
# lexicon the bot reads (retrieval/data/chat.toml).
SHORTHAND = [
    ("như thế nào", "ntn"), ("bao nhiêu", "bn"), ("thành phố", "tp"), ("Việt Nam", "vn"), ("Hàn Quốc", "hq"),
    ("Hồ Chí Minh", "hcm"), ("không", "ko"), ("được", "dc"), ("gì", "j"), ("với", "vs"), ("người", "ng"),
    ("trước", "trc"), ("biết", "bít"), ("vậy", "z"), ("rồi", "r"), ("cũng", "cx"), ("nhiều", "nhìu"),
    ("bao giờ", "bh"), ("thế giới", "tg"), ("Trung Quốc", "tq"), ("chính phủ", "cp"),
]
FUNCTION_WORDS = set("""nào gì ai đâu bao nhiêu mấy khi sao tại vì thế là của và có không những các một được
cho với ở trong về này đó đã sẽ đang bị bởi nó họ thì mà rằng hay hoặc như nhưng""".split())
INVISIBLE = ["\u200b", "\u00ad", "\x00"]
ENDINGS = [" 2", " 😊", " ??", " 🙏🙏", "?? 1"]
WORD = re.compile(r"\w+")


def strip(text: str) -> str:
    """Diacritics dropped, case kept (as typed on a keyboard without Vietnamese input)."""
    return "".join(f if o.islower() or not o.isalpha() else f.upper() for o, f in zip(text, fold(text)))


def mixed(text: str, rng: random.Random) -> str:
    return WORD.sub(lambda m: strip(m.group(0)) if rng.random() < 0.5 else m.group(0), text)


def abbrev(text: str, rng: random.Random) -> str:
    for full, short in SHORTHAND:
        text = re.sub(rf"\b{re.escape(full)}\b", short, text, flags=re.IGNORECASE)
    return strip(text).lower().rstrip("?").strip()


def keywords(text: str, rng: random.Random) -> str:
    kept = [w for w in WORD.findall(text) if w.lower() not in FUNCTION_WORDS]
    return " ".join(kept) if kept else text


def typos(text: str, rng: random.Random) -> str:
    def swap(m):
        w = m.group(0)
        if len(w) < 3 or w.isdigit() or rng.random() >= 1 / 6:
            return w
        i = rng.randrange(len(w) - 1)
        return w[:i] + w[i + 1] + w[i] + w[i + 2:]
    return WORD.sub(swap, text)


def invisible(text: str, rng: random.Random) -> str:
    spots = [m for m in WORD.finditer(text) if len(m.group(0)) >= 3]
    if spots:
        m = rng.choice(spots)
        cut = m.start() + rng.randrange(1, len(m.group(0)))
        text = text[:cut] + rng.choice(INVISIBLE) + text[cut:]
    return text + rng.choice(ENDINGS)


REWRITES = {"clean": lambda t, r: t, "plain": lambda t, r: strip(t), "mixed": mixed, "abbrev": abbrev,
            "keywords": keywords, "typos": typos, "invisible": invisible}


def rewrite(questions, name: str, seed: int):
    import dataclasses

    rng = random.Random(f"{seed}:{name}")
    return [dataclasses.replace(q, text=REWRITES[name](q.text, rng), kind="") for q in questions]


def measure(pipeline, items) -> dict:
    hits, statuses = 0, Counter()
    for q, plan, vector in items:
        ranking, _, status = pipeline.verdict(plan, vector)
        hits += bool(ranking.rows) and pipeline.index.passages[ranking.rows[0]].id in q.gold
        statuses[status] += 1
    n = len(items)
    return {"n": n, "recall@1": hits / n, **{s: statuses[s] / n for s in ("answered", "uncertain", "no_answer")}}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--xquad", type=Path, default=XQUAD)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--only", nargs="*", choices=list(REWRITES), help="only these rewrites")
    args = ap.parse_args(argv)
    settings = load_settings()
    embedder = cached_embedder(settings)
    passages = read_passages(args.xquad / "passages.jsonl")
    questions = read_questions(args.xquad / "questions.jsonl")
    results = {}
    print(f"{'rewrite':<10} {'part':<7} {'n':>5} {'R@1':>7} {'answered':>9} {'uncertain':>10} {'no_answer':>10}")
    for name in args.only or REWRITES:
        asked = rewrite(questions, name, args.seed)
        for part in ("first", "second", "whole"):
            ps, qs = (passages, asked) if part == "whole" else half_filter(passages, asked, part)
            r = results.setdefault(name, {})[part] = measure(*prepared(ps, qs, embedder, settings))
            print(f"{name:<10} {part:<7} {r['n']:>5} {r['recall@1']:>7.3f} {r['answered']:>9.3f} "
                  f"{r['uncertain']:>10.3f} {r['no_answer']:>10.3f}", flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "chat_style.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
