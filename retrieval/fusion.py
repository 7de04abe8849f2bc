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
_COMMON_BY_KEY: dict[str, list[str]] = {}
for _w in dict.fromkeys(COMMON_VI):
    _COMMON_BY_KEY.setdefault(fold(_w), []).append(_w)


def _forms(key: str, word: str, accents: dict[str, dict[str, int]]) -> dict[str, float]:
    forms: dict[str, float] = dict(accents.get(key, {}))
    for common in _COMMON_BY_KEY.get(key, ()):
        forms.setdefault(common, 0.5)  # below any corpus count: the corpus knows its own words
    return forms or {word: 1.0}


def restore_diacritics(text: str, accents: dict[str, dict[str, int]]) -> str:
    """Guess the accented form of an unaccented Vietnamese sentence from corpus counts.

    A Viterbi pass over the words: each word's accented forms are scored by how often the
    corpus has them, and each adjacent pair by how often the corpus has that pair, which
    decides between readings ("ban đầu" vs "bán hàng"). Unknown words stay as typed.
    """
    tokens = words(nfc(text))
    if not tokens:
        return ""
    keys = [fold(w) for w in tokens]
    columns = [_forms(k, w, accents) for k, w in zip(keys, tokens)]
    best = {f: (math.log1p(c), [f]) for f, c in columns[0].items()}
    for i in range(1, len(tokens)):
        pair_counts = accents.get(f"{keys[i - 1]} {keys[i]}", {})
        step = {}
        for form, count in columns[i].items():
            def total(prev: str) -> float:
                return best[prev][0] + 3.0 * math.log1p(pair_counts.get(f"{prev} {form}", 0))

            prev = max(sorted(best), key=total)
            step[form] = (total(prev) + math.log1p(count), best[prev][1] + [form])
        best = step
    return " ".join(max(best.values(), key=lambda v: v[0])[1])


@dataclass(frozen=True)
class Weights:
    """How much each retriever counts for a kind of question (tuned on dev questions)."""

    dense: float
    lexical: float
    sentence: float = 0.0  # the passage's closest sentence to the question, as a z-score
    sentence_words: float = 0.0  # the best sentence's IDF-weighted share of the question's words


# Tuned on the first half of XQuAD and the seed dev questions (benchmarks/tune_fusion.py).
# Korean has too few questions to tune on: set by hand to lean on the dense side.
DEFAULT_WEIGHTS: dict[Kind, Weights] = {
    Kind.VI: Weights(dense=0.65, lexical=1.0, sentence=0.45, sentence_words=2.0),
    Kind.VI_PLAIN: Weights(dense=0.25, lexical=1.0, sentence=0.1, sentence_words=2.0),
    Kind.EN: Weights(dense=0.8, lexical=1.0, sentence=1.0, sentence_words=1.25),
    Kind.KO: Weights(dense=1.0, lexical=0.3),
    Kind.OTHER: Weights(dense=0.8, lexical=1.0, sentence=1.0, sentence_words=1.25),
}


def z_score(value: float, mean: float, spread: float) -> float:
    return (value - mean) / spread if spread > 0 else 0.0


def fuse(dense_z: float, lexical_norm: float, weights: Weights, sentence_z: float = 0.0,
         sentence_share: float = 0.0) -> float:
    """Dense as a z-score against the whole corpus, lexical as a share of its ceiling.

    A question usually asks about one sentence, which the whole paragraph dilutes: so the
    passage's closest sentence counts too, by meaning (``sentence_z``, on the dense z scale)
    and by words (``sentence_share``, the IDF-weighted share of the question's words in it).
    """
    return (weights.dense * dense_z + weights.lexical * lexical_norm + weights.sentence * sentence_z
            + weights.sentence_words * sentence_share)


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
    sentence_z: float = 0.0  # top passage's closest sentence, in corpus standard deviations


@dataclass(frozen=True)
class Calibration:
    bias: float
    dense: float
    coverage: float
    margin: float
    sentence: float = 0.0

    def confidence(self, ev: Evidence) -> float:
        return logistic(self.bias + self.dense * ev.dense_z + self.coverage * ev.coverage + self.margin * ev.margin
                        + self.sentence * ev.sentence_z)


# Fitted by benchmarks/calibrate.py (logistic regression; positives: questions on a corpus
# that answers them, negatives: questions on one that cannot; first half of XQuAD and the
# seed dev questions, the seed questions weighted 40x). Korean has no negatives to fit on:
# set by hand so that a clear dense match (z >= ~1.3) is answered.
DEFAULT_CALIBRATION: dict[Kind, Calibration] = {
    Kind.VI: Calibration(bias=-5.518, dense=0.358, coverage=9.721, margin=0.249, sentence=0.240),
    Kind.VI_PLAIN: Calibration(bias=-7.417, dense=1.081, coverage=8.111, margin=0.450, sentence=0.756),
    Kind.EN: Calibration(bias=-6.276, dense=1.119, coverage=8.362, margin=-0.972, sentence=1.389),
    Kind.KO: Calibration(bias=-2.0, dense=1.5, coverage=0.5, margin=0.3),
    Kind.OTHER: Calibration(bias=-6.276, dense=1.119, coverage=8.362, margin=-0.972, sentence=1.389),
}
