"""Who asks, wants or commits, in a question and in a passage: "Busan đề nghị TP.HCM …" is
Busan's request, "Thành phố Hồ Chí Minh mong muốn Busan …" the city's. A passage whose
requests are all another place's is not the answer to a question about this one's, however
many words the two share (the same two cities are named either way): the pipeline ranks the
passages where the asked place asks before those, and is never sure of those.

The verbs are data (data/lexicon.toml [roles]); the places are those ``mentions`` knows.
Pure functions of the text.
"""

from __future__ import annotations

import re

from .lexicon import ROLE_VERBS
from .mentions import Phrases, mentions, tokens
from .text import fold

_VERBS = Phrases(tuple(fold(v).split()) for v in ROLE_VERBS)
_ANY_VERB = re.compile(r"\b(?:" + "|".join(re.escape(" ".join(v)) for v in _VERBS) + r")\b")
_NEAR = 3  # words at most between the place and its verb ("Busan cũng rất mong muốn")


def agents(text: str) -> frozenset[frozenset[str]]:
    """The places (their keys) said right before a verb of asking, wanting or committing, with no
    other name between."""
    if not _ANY_VERB.search(fold(text)):  # most questions: no words or names looked at
        return frozenset()
    toks = tokens(text)
    verbs = [i for i in range(len(toks)) if _VERBS.end_at(toks.folded, i) > i]
    said = mentions(text, subject=True)
    found = set()
    for i in verbs:
        before = [m for m in said if m.end <= toks[i].start]
        # the nearest name before the verb: a person there ("ông Oh Keo-dong mong muốn") is who asks
        if before and before[-1].kind == "place" and sum(before[-1].end <= t.start < toks[i].start
                                                        for t in toks) <= _NEAR:
            found.add(before[-1].key)
    return frozenset(found)
