"""Pure parts of ranking: diacritic restoration, score calibration, fusion, confidence."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .text import Kind, fold, nfc, words

# Common Vietnamese question and function words, so that restoring diacritics works for
# words a news corpus rarely contains ("nào", "gì", "bao nhiêu"). Corpus counts win.
COMMON_VI = (
    "nào gì ai đâu bao nhiêu mấy khi sao tại vì như thế là của và có không những các một "
    "năm với ở được cho đến từ trong ngoài về này đó hai ba bốn năm sáu bảy tám chín mười "
    "thành phố hợp tác quan hệ kết nghĩa lĩnh vực người nước việt nam hàn quốc gì đã sẽ đang "
    "bởi nhiều ít lớn nhỏ đầu tiên cuối cùng thứ mong muốn đề nghị tiếp thăm ký ngày tháng"
).split()


def restore_diacritics(text: str, accents: dict[str, dict[str, int]]) -> str:
    """Guess the accented form of an unaccented Vietnamese sentence from corpus counts.

    Each word takes the accented form that best fits the word before it (pair counts),
    falling back to the most frequent form of the word alone. Unknown words stay as typed.
    """
    out: list[str] = []
    prev = None
    for word in words(nfc(text)):
        key = fold(word)
        forms = dict(accents.get(key, {}))
        for common in COMMON_VI:
            if fold(common) == key and common not in forms:
                forms[common] = 1
        if not forms:
            out.append(word)
            prev = word
            continue

        def fit(form: str) -> float:
            pair = accents.get(f"{fold(prev)} {key}", {}).get(f"{prev} {form}", 0) if prev else 0
            return 3.0 * math.log1p(pair) + math.log1p(forms[form])

        best = max(sorted(forms), key=fit)
        out.append(best)
        prev = best
    return " ".join(out)


@dataclass(frozen=True)
class Weights:
    """How much each retriever counts for a kind of question (tuned on dev questions)."""

    dense: float
    lexical: float


# Tuned on the first half of XQuAD and the seed dev questions (benchmarks/tune_fusion.py).
DEFAULT_WEIGHTS: dict[Kind, Weights] = {
    Kind.VI: Weights(dense=1.0, lexical=4.0),
    Kind.VI_PLAIN: Weights(dense=0.6, lexical=4.0),
    Kind.EN: Weights(dense=1.0, lexical=1.0),
    Kind.KO: Weights(dense=1.0, lexical=0.3),
    Kind.OTHER: Weights(dense=1.0, lexical=1.0),
}


def z_score(value: float, mean: float, spread: float) -> float:
    return (value - mean) / spread if spread > 0 else 0.0


def fuse(dense_z: float, lexical_norm: float, weights: Weights) -> float:
    """Dense as a z-score against the whole corpus, lexical as a share of its ceiling."""
    return weights.dense * dense_z + weights.lexical * lexical_norm


def logistic(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


@dataclass(frozen=True)
class Evidence:
    """What the best passage has going for it; the answer/no-answer decision reads this."""

    dense_z: float  # top passage's similarity, in corpus standard deviations
    coverage: float  # IDF-weighted share of the question's words found in the top passage
    margin: float  # fused score gap to the runner-up, in fused units


@dataclass(frozen=True)
class Calibration:
    bias: float
    dense: float
    coverage: float
    margin: float

    def confidence(self, ev: Evidence) -> float:
        return logistic(self.bias + self.dense * ev.dense_z + self.coverage * ev.coverage + self.margin * ev.margin)


DEFAULT_CALIBRATION: dict[Kind, Calibration] = {
    Kind.VI: Calibration(bias=-4.0, dense=0.9, coverage=4.0, margin=0.3),
    Kind.VI_PLAIN: Calibration(bias=-4.0, dense=0.9, coverage=4.0, margin=0.3),
    Kind.EN: Calibration(bias=-3.5, dense=1.2, coverage=1.0, margin=0.3),
    Kind.KO: Calibration(bias=-3.5, dense=1.2, coverage=0.5, margin=0.3),
    Kind.OTHER: Calibration(bias=-3.5, dense=1.2, coverage=1.0, margin=0.3),
}
