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

from .lexicon import (COMMIT_VERBS, ROLE_VERBS, SPEECH_ASKED, SPEECH_REPORTED, WHETHER_EN_CHOICE, WHETHER_EN_FIRST,
                      WHETHER_FRAME, WHETHER_VI_LAST)
from .mentions import DATA, OFFICE_WORDS, PLACE_WORDS, TITLE_WORDS, Phrases, mentions, tokens
from .text import TYPED_WORD, Kind, fold, fold_word, has_vietnamese_marks, nfc

_VERBS = Phrases(tuple(fold(v).split()) for v in ROLE_VERBS)
_COMMITS = frozenset(tuple(fold(v).split()) for v in COMMIT_VERBS)
_OF = frozenset({"cua"})  # "đề nghị của lãnh đạo thành phố Busan": Busan's proposal ("ask of Busan" asks Busan)
_ANY_VERB = re.compile(r"\b(?:" + "|".join(re.escape(" ".join(v)) for v in _VERBS) + r")\b")
_NEAR = 3  # words at most between the place and its verb ("Busan cũng rất mong muốn")
_AFTER = 4  # between a verb and the place asked: "mong muốn trong thời gian tới, TP.HCM …"
WHETHER_LAST = frozenset(fold(w) for w in WHETHER_VI_LAST)  # a Vietnamese yes/no question's last word, folded
# Words no yes/no question says of its subject: the frame, places, titles ("thị trưởng") and the
# word that makes a title an office ("tổng lãnh sự quán": the consulate, a thing named).
_NOT_SAID = frozenset(fold(w) for w in WHETHER_FRAME) | PLACE_WORDS | TITLE_WORDS | OFFICE_WORDS
# A question word makes "… có biết ai … không" ask who, not whether. Typed without marks only the
# words no other word folds into ("dau" is "đầu" as often as "đâu": such a question is not checked).
_ASKING_MARKED = frozenset({"ai", "gì", "nào", "đâu", "sao", "mấy", "bao"})
_ASKING_PLAIN = frozenset({"ai", "gi", "nao", "sao", "bao"})
_ASKING_EN = frozenset(w.strip() for w in DATA["asking"]["en"].split("|"))  # what, which, who … how


def agents(text: str) -> frozenset[frozenset[str]]:
    """The places that ask, want or commit in ``text`` (see ``roles``)."""
    return roles(text)[0]


def roles(text: str) -> tuple[frozenset[frozenset[str]], frozenset[frozenset[str]]]:
    """(agents, addressees), the places by their keys: who asks, wants or commits (said right
    before such a verb, with no other name between, or after it as whose it is: "đề nghị của …
    Busan"), and who is asked: the first name after a verb of asking or wanting, when it is a
    place a few words on ("Tô Lâm đề nghị TP Busan …", "ông Oh Keo-dong bày tỏ mong muốn trong
    thời gian tới, Thành phố Hồ Chí Minh tiếp tục quan tâm …"). After a verb of committing the
    place is who commits ("cam kết TP Busan sẽ …"): no one asked."""
    if not _ANY_VERB.search(fold(text)):  # most questions: no words or names looked at
        return frozenset(), frozenset()
    toks = tokens(text)
    verbs = [(i, end) for i, end in ((i, _VERBS.end_at(toks.folded, i)) for i in range(len(toks))) if end > i]
    said = mentions(text, subject=True)
    found, asked = set(), set()
    for i, end in verbs:
        before = [m for m in said if m.end <= toks[i].start]
        # the nearest name before the verb: a person there ("ông Oh Keo-dong mong muốn") is who asks
        if before and before[-1].kind == "place" and sum(before[-1].end <= t.start < toks[i].start
                                                        for t in toks) <= _NEAR:
            found.add(before[-1].key)
        verb_end = toks[end - 1].end
        after = [m for m in said if m.start >= verb_end]
        if not after or after[0].kind != "place":
            continue
        between = [t for t in toks if verb_end <= t.start < after[0].start]
        if between and between[0].folded in _OF:  # the verb as a noun: the place is whose it is
            found.add(after[0].key)
        elif len(between) <= _AFTER and tuple(toks.folded[i:end]) not in _COMMITS:
            asked.add(after[0].key)
    return frozenset(found), frozenset(asked)


def asks_whether(text: str, kind: Kind) -> bool:
    """Whether ``text`` asks if something is so ("ông ấy có tới Busan không", "did he visit
    Seoul?"), not for a name, a time or a reason: the words of data/lexicon.toml [whether]."""
    typed = [nfc(w) for w in TYPED_WORD.findall(text.lower())]
    if not typed:
        return False
    if kind is Kind.EN:
        return typed[0] in WHETHER_EN_FIRST and not (_ASKING_EN | WHETHER_EN_CHOICE) & set(typed)
    if kind not in (Kind.VI, Kind.VI_PLAIN) or fold_word(typed[-1]) not in WHETHER_LAST:
        return False
    return not any(w in _ASKING_MARKED if has_vietnamese_marks(w) else w in _ASKING_PLAIN for w in typed)


_VERB_WORDS = frozenset(w for verb in _VERBS for w in verb)


def _any_of(phrases) -> re.Pattern:
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True)) + r")(?!\w)")


_SPEECH_ASKED, _SPEECH_REPORTED = _any_of(SPEECH_ASKED), _any_of(SPEECH_REPORTED)


def asks_what_was_said(text: str) -> bool:
    """Whether a question asks what someone said or discussed ("ông ấy còn nói gì nữa", "what
    else did he say"): a verb of [speech] asked, as written (marks restored where typed without:
    "nói", not the "nội" of "Hà Nội")."""
    return bool(_SPEECH_ASKED.search(nfc(text).lower()))


def reports_speech(text: str) -> bool:
    """Whether a passage reports what someone said ("… nhấn mạnh", "… cho biết")."""
    return bool(_SPEECH_REPORTED.search(nfc(text).lower()))


def asked_about(said) -> tuple[str, ...]:
    """Of a question about what a place asks or wants, what it ``said`` of its subject
    (``said_of_subject``) that says what about: not the verbs of asking ("what did busan want
    about tourism": "du", "lich"). Empty when it asks only what the place wants."""
    return tuple(t for t in said if t not in _VERB_WORDS)


def said_of_subject(terms, names) -> tuple[str, ...]:
    """Of a yes/no question's content ``terms`` (folded), those that say what it asks of its
    subject: not its ``names``, places, titles or the frame ("Tổng thống Lee có tới Busan
    không": "tới"). The passage that answers must hold one of them."""
    return tuple(t for t in terms if t not in names and t not in _NOT_SAID)
