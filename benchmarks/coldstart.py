"""Cold start: one-question `busan-bot ask` (index already built) against a bare
`python -c "import sentence_transformers"`, alternated so that both see the same machine.

    python -m benchmarks.coldstart [--repeats 3]

Prints a table and writes benchmarks/out/coldstart.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from retrieval.settings import ROOT

OUT = ROOT / "benchmarks" / "out"
QUESTION = "Busan và TP.HCM hợp tác trong lĩnh vực nào?"


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def busan_bot() -> list[str]:
    script = Path(sys.executable).with_name("busan-bot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    subprocess.run(busan_bot() + ["index"], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    bare, ask = [], []
    for i in range(args.repeats):
        bare.append(timed([sys.executable, "-c", "import sentence_transformers"]))
        ask.append(timed(busan_bot() + ["ask", QUESTION]))
        print(f"run {i + 1}: bare import {bare[-1]:.1f} s, ask {ask[-1]:.1f} s", file=sys.stderr)
    result = {"bare_import_s": bare, "ask_s": ask, "bare_median_s": statistics.median(bare),
              "ask_median_s": statistics.median(ask),
              "ratio_median": statistics.median(a / b for a, b in zip(ask, bare))}
    print(f"{'':<34} {'median s':>9}  runs")
    print(f"{'python -c import sentence_transformers':<34} {result['bare_median_s']:9.1f}  "
          + " ".join(f"{x:.1f}" for x in bare))
    print(f"{'busan-bot ask (one question)':<34} {result['ask_median_s']:9.1f}  " + " ".join(f"{x:.1f}" for x in ask))
    print(f"ask / bare import, median of paired runs: {result['ratio_median']:.2f}x (goal <= 1.5x)")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "coldstart.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
