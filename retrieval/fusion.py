"""Pure parts of ranking: score calibration, fusion, confidence (the tuned numbers are in tuned.py)."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Weights:
    """How much each signal counts for a kind of question (tuned.json holds the values)."""

    dense: float
    lexical: float
    sentence: float = 0.0  # the passage's closest sentence to the question, as a z-score
    sentence_words: float = 0.0  # the best sentence's IDF-weighted share of the question's words
    holds_asked: float = 0.0  # the passage holds the kind of thing asked for (a year for "năm nào")
    aligned: float = 0.0  # the question's tokens aligned with the passage's (align.py), for what its
    #                       lexical side does not express: the first passages re-ranked by it


def z_score(value: float, mean: float, spread: float) -> float:
    return (value - mean) / spread if spread > 0 else 0.0


def fuse(dense_z: float, lexical_norm: float, weights: Weights, sentence_z: float = 0.0,
         sentence_share: float = 0.0, holds_asked: float = 0.0) -> float:
    """Dense as a z-score against the whole corpus, lexical as a share of its ceiling.

    A question usually asks about one sentence, which the whole paragraph dilutes: so the
    passage's closest sentence counts too, by meaning (``sentence_z``, on the dense z scale)
    and by words (``sentence_share``, the IDF-weighted share of the question's words in it).
    Where the question asks for a year, a date or a number, a passage holding one gains
    ``holds_asked`` (1 or 0): of two paragraphs on the same relationship, the one with the year.
    """
    return (weights.dense * dense_z + weights.lexical * lexical_norm + weights.sentence * sentence_z
            + weights.sentence_words * sentence_share + weights.holds_asked * holds_asked)


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
    missing_names: float = 0.0  # share of the question's names and figures ("Seoul", "2010") not in the passage
    wrong_type: float = 0.0  # 1 when the question asks for a year, date or number and the passage has none
    wrong_agent: float = 0.0  # 1 when the question says what a place asks or wants and the passage
    #                           only what another place does (roles.py): a rule, not in the models
    sentence_cos: float = 0.0  # the closest sentence's cosine itself: how near in meaning, whatever the corpus
    #                            (a z-score only says how much nearer than the rest of a corpus about one topic)
    topic: float = 0.0  # the question's mean cosine to every passage: how much it is about what the corpus is about
    type_nowhere: float = 0.0  # 1 when the question asks for a year, date or number and none of the
    #                            passages ranked first (FIRST_PAGE) has one: the top one lacking it says
    #                            that passage is not the answer, not that the articles hold none
    unsaid: float = 0.0  # 1 when a yes/no question's passage holds none of what it asks of its subject
    #                      ("… có tới Busan không" and no "tới"): a rule, not in the models
    unnamed: float = 0.0  # 1 when a "who is the consul" question's passage names no one holding
    #                       that office (mentions.names_holder): a rule, not in the models


FIRST_PAGE = 3  # the passages an answer shows first (settings.top_k as shipped): "near" is among them


@dataclass(frozen=True)
class Calibration:
    bias: float
    dense: float
    coverage: float
    margin: float
    sentence: float = 0.0
    missing_names: float = 0.0
    wrong_type: float = 0.0
    sentence_cos: float = 0.0
    topic: float = 0.0
    type_nowhere: float = 0.0

    def confidence(self, ev: Evidence) -> float:
        return logistic(self.bias + self.dense * ev.dense_z + self.coverage * ev.coverage + self.margin * ev.margin
                        + self.sentence * ev.sentence_z + self.missing_names * ev.missing_names
                        + self.wrong_type * ev.wrong_type + self.sentence_cos * ev.sentence_cos + self.topic * ev.topic
                        + self.type_nowhere * ev.type_nowhere)
