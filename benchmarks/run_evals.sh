#!/usr/bin/env bash
# Every retrieval figure of the closing notes, through `busan-bot eval` itself.
# Usage: bash benchmarks/run_evals.sh [XQUAD_DIR]   (default ../shared/data/xquad)
set -euo pipefail
cd "$(dirname "$0")/.."
X="${1:-../shared/data/xquad}"
OUT=benchmarks/out/evals
mkdir -p "$OUT"
BB=.venv/bin/busan-bot
run() { name=$1; shift; echo "== $name"; "$BB" eval "$@" | tee "$OUT/$name.txt"; }
run seeds --questions eval/seed_questions.jsonl
run seeds-test --questions eval/seed_questions.jsonl --split test
run xquad-vi --passages "$X/passages.jsonl" --questions "$X/questions.jsonl"
run xquad-vi-stripped --passages "$X/passages.jsonl" --questions "$X/questions.jsonl" --strip-diacritics
# English questions: the highlight is judged by the same-id Vietnamese answer (--answers).
run xquad-en --passages "$X/passages.jsonl" --questions "$X/questions.en.jsonl" --answers "$X/questions.jsonl"
if [ "${HALVES:-0}" = 1 ]; then   # the held-out half (tuning used the first): HALVES=1
  for half in first second; do
    run "xquad-vi-$half" --passages "$X/passages.jsonl" --questions "$X/questions.jsonl" --half $half
    run "xquad-vi-stripped-$half" --passages "$X/passages.jsonl" --questions "$X/questions.jsonl" --strip-diacritics --half $half
    run "xquad-en-$half" --passages "$X/passages.jsonl" --questions "$X/questions.en.jsonl" \
        --answers "$X/questions.jsonl" --half $half
  done
fi
