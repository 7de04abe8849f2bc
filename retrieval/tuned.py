"""Every tuned number of retrieval, read once from ``data/tuned.json``.

The file records where each number came from and which script regenerates it; fitting
scripts rewrite their section through ``write_section`` instead of code being edited by hand.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from .fusion import Calibration, Weights
from .text import Kind

PATH = Path(__file__).parent / "data" / "tuned.json"


@dataclass(frozen=True)
class Highlight:
    dense_weight: float  # each unit of cosine behind the closest sentence costs this many best lexical matches
    bigram_weight: float  # a shared word pair, against one IDF unit of a shared word
    number_bonus: float  # a sentence with a figure, when the question asks for one
    aligned_weight: float = 0.0  # each unit of token alignment behind the best-aligned sentence (align.py)


@dataclass(frozen=True)
class Restoration:
    pair_weight: float  # a word pair's corpus count against a single word's
    common_word_count: float  # what a common word absent from the corpus counts as
    common_pair_count: float  # what a common question phrase ("năm nào") absent from the corpus counts as


@dataclass(frozen=True)
class Ann:
    nprobe: int
    lists_per_sqrt: int
    train_per_list: int
    train_rounds: int


@dataclass(frozen=True)
class Pgvector:
    hnsw_m: int
    hnsw_ef_construction: int
    hnsw_ef_search: int  # candidates the HNSW search keeps: recall against speed
    lexical_first_block: int  # postings read first per term, highest BM25 weight first
    lexical_block_growth: int  # each further block of a term is this many times larger
    lexical_max_rounds: int  # blocks read per term at most before the top is taken as found
    lexical_max_rescore: int  # passages scored exactly at most per question


def _numbers(section: dict) -> dict:
    return {k: v for k, v in section.items() if k not in ("source", "regenerate")}


def _load(path: Path = PATH) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


_DATA = _load()
WEIGHTS: dict[Kind, Weights] = {Kind(k): Weights(**v) for k, v in _DATA["fusion_weights"]["by_kind"].items()}
# Two models read the same evidence. CALIBRATION: how likely the top passage answers (the
# confidence reported; at or above ANSWER_THRESHOLD: answered). TOPICALITY: how likely the
# articles answer the question at all (below the kind's UNCERTAIN_THRESHOLDS: no answer; else
# shown with a caveat).
CALIBRATION: dict[Kind, Calibration] = {Kind(k): Calibration(**v) for k, v in _DATA["calibration"]["by_kind"].items()}
TOPICALITY: dict[Kind, Calibration] = {Kind(k): Calibration(**v)
                                       for k, v in _DATA["calibration"]["topicality_by_kind"].items()}
ANSWER_THRESHOLD = float(_DATA["calibration"]["answer_threshold"])
UNCERTAIN_THRESHOLDS: dict[Kind, float] = {Kind(k): float(v) for k, v in
                                           _DATA["calibration"]["uncertain_threshold"].items()}
HIGHLIGHT = Highlight(**_numbers(_DATA["highlight"]))
RESTORATION = Restoration(**_numbers(_DATA["restoration"]))
BM25_K1, BM25_B = _DATA["bm25"]["k1"], _DATA["bm25"]["b"]
ANN = Ann(**_numbers(_DATA["ann"]))
PGVECTOR = Pgvector(**_numbers(_DATA["pgvector"]))
SAME_MEANING = float(_DATA["report"]["same_meaning"])  # `report`: two unanswered questions are one at this similarity


def by_kind(values: dict[Kind, Weights | Calibration]) -> dict[str, dict]:
    return {kind.value: {k: round(x, 4) for k, x in asdict(v).items()} for kind, v in values.items()}


def write_section(name: str, values: dict, path: Path = PATH) -> None:
    """Replace the numbers of one section, keeping its source notes; written atomically."""
    data = _load(path)
    data[name] = {**{k: v for k, v in data[name].items() if k in ("source", "regenerate")}, **values}
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2, ensure_ascii=False)
        fh.write("\n")
    os.replace(tmp, path)
