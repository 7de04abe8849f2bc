"""Reading a chat turn in the light of the turns before it (what is remembered of them:
``memory.py``).

Pure functions over small frozen records: ``read_turn`` says what a turn is (social, "more",
a question) and, for a follow-up, what it is understood as ("ông ấy nói gì?" after a question
about the mayor -> "Thị trưởng Park Heong-joon nói gì?"). The engine answers what was
understood and keeps the ``Conversation``.

The method follows what works without a language model in conversational search (TREC CAsT):
references are resolved to the last person or place they can name, "what about X" swaps X into
the last question, an elliptical turn ("năm nào?") borrows the last question's words, and a
turn with its own names and topic is a new question, never polluted by the old one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Callable

from .highlight import asks_for
from .lexicon import ROLE_VERBS, SPEECH_ASKED
from .memory import Turn
from .mentions import (DATA, GENERIC_TITLES, PLACE_WORDS, Mention, Phrases, Table, Token, find, gender, mentions,
                       name_typed_in, only, phrase_end, phrase_table, place_mentions, same_person, title_in, tokens,
                       without_titles)
from .normalise import strip_framing, written_out
from .roles import WHETHER_LAST
from .text import Kind, fold, lang_of, nfc, question_kind

LANGS = ("vi", "en", "ko")
SOCIAL, MORE, META = phrase_table("social"), phrase_table("more"), phrase_table("meta")
COLOUR = frozenset(w.strip() for w in re.split(r"[|\n]", DATA["social"]["colour"]) if w.strip())  # "ghê", "bạn"
PERSON = {lang: {g: phrase_table("person", lang, s) for g, s in (("o", "_other"), ("m", "_male"), ("f", "_female"),
                                                                   ("", ""))}
          for lang in LANGS}
PLACE, THING, OTHER, ABOUT = ({lang: phrase_table(section, lang) for lang in LANGS}
                              for section in ("place", "thing", "other", "about"))
BUT = {lang: phrase_table("other", lang, "_but") for lang in LANGS}
# "ảnh", "chỉ" typed as a pronoun, and the words they are a syllable of ("điện ảnh", "chỉ đạo")
_EXACT_PRONOUNS = frozenset(w for g in ("_male", "_female") for p in phrase_table("person", "vi", g)[1] for w in p)
_PRONOUN_IN_WORDS = frozenset(phrase_table("person", "vi", "_in_words")[1])
_AMBIGUOUS_PRONOUNS = _EXACT_PRONOUNS & {w for word in _PRONOUN_IN_WORDS for w in word}
STOP = {lang: frozenset(nfc(w) for w in DATA["stop"].get(lang, "").split()) for lang in LANGS}
STOP_FOLDED = {lang: frozenset(fold(w) for w in words) for lang, words in STOP.items()}


def _asking_phrases(*keys: str) -> list[tuple[tuple[str, str], ...]]:
    """[asking] phrases of ``keys``, each word as written and folded, longest first ("như thế
    nào" before "thế nào")."""
    raw = "|".join(DATA["asking"].get(key, "") for key in keys)
    phrases = {tuple((nfc(w), fold(w)) for w in p.split()) for p in re.split(r"[|\n]", raw) if p.strip()}
    return sorted(phrases, key=len, reverse=True)


QUESTION = {lang: _asking_phrases(lang) for lang in LANGS}  # what is asked: "gì", "khi nào", "why"
ASKING = {lang: _asking_phrases(lang, f"{lang}_more") for lang in LANGS}  # and what only makes it a question
OPENERS = tuple(re.compile(p) for p in DATA["opener"]["patterns"])
VIETNAMESE_COURTESY = frozenset({"ong", "ba"})


def turn_language(kind: Kind) -> str:
    return "en" if kind is Kind.EN else "ko" if kind is Kind.KO else "vi"


# ----------------------------------------------------------------------------- reading a turn


ASK, SOCIAL_TURN, MORE_TURN, META_TURN = "ask", "social", "more", "meta"


@dataclass(frozen=True)
class Reading:
    act: str  # ASK, SOCIAL_TURN, MORE_TURN or META_TURN (about the bot itself)
    understood: str  # what to answer: the turn itself when it stands alone
    followup: bool = False  # the conversation was used
    why: str = ""  # how: "person", "place", "swap", "ellipsis", "reference", or "" (standalone)
    carry: str = ""  # a turn that may lean on the last: also tried with these words, kept if better
    own: str = ""  # when the last turn's words were carried beside it: the turn itself, by which
    #                the answer is judged (the carried words help find it, never make it sure)
    other: bool = False  # "besides that": what was shown last is not what is asked for
    kind: Kind = field(default=Kind.OTHER, compare=False)


def read_turn(question: str, last: Turn | None, restore: Callable[[str], str] | None = None) -> Reading:
    """How a turn is to be answered, given the last asked turn of the conversation (None: the
    first, or an expired conversation). ``restore``: the last turn with its diacritics restored
    (the planner's restorer), so that its words typed without them are told from function
    words ("to lam de nghi": "lâm", "đề", not "làm", "để")."""
    toks = tokens(question)
    kind = question_kind(question)
    if not toks or only(toks, SOCIAL):
        return Reading(SOCIAL_TURN, question, kind=kind)
    if only(toks, MORE):
        return Reading(MORE_TURN, question, last is not None, kind=kind)
    reaction = _reaction(toks)  # "hay ghê", "cảm ơn bạn nhiều lắm", "nói thêm đi": phrasings not listed whole
    if reaction in (SOCIAL_TURN, META_TURN):
        return Reading(reaction, question, kind=kind)
    if reaction == MORE_TURN:
        return Reading(MORE_TURN, question, last is not None, kind=kind)
    if last is None:
        return Reading(ASK, question, kind=kind)
    if restore is not None:  # only a turn read with the last one needs it (not "cảm ơn", not "more")
        last = replace(last, marks=_marks(last.understood, restore))
    lang = turn_language(kind)
    core = _without_social(strip_framing(question))  # "cảm ơn! còn TP.HCM thì sao?"
    besides = _besides(tokens(core), lang)  # leans on the last turn either way
    resolved, why, bare = _resolve(core, lang, last)  # "ông ấy" -> the person meant, "ở đó" -> the place
    reading = _opener(resolved, lang, last, why)
    if why and (reading is None or reading.why == why):
        # The referent comes from the conversation: the answer is judged by what the turn itself
        # asks of it ("ông ấy học ở đâu?": "học"), unless it asks nothing but who they are.
        asked = _opener(bare, lang, last, why) if reading is not None else None  # "and what did he …"
        asked = asked.understood if asked is not None else bare
        own = asked if any(not _stop(t, lang) for t in tokens(asked)) else ""
        reading = replace(reading or Reading(ASK, resolved, True, why), own=own)
    if reading is None and not mentions(resolved) and (besides or find(tokens(resolved), THING[lang])):
        reading = Reading(ASK, _with_context(resolved, last), True, "reference", own=resolved)  # "chuyện đó"
    if reading is None:
        reading = _ellipsis(resolved, lang, last)
    # what was shown is set aside, unless the turn names what it sets aside ("ngoài đầu tư …")
    return replace(reading, other=besides and not _sets_aside(tokens(core), lang), kind=kind)


def _besides(toks: list[Token], lang: str) -> bool:
    """Whether the turn asks for something besides what was shown ("còn gì khác", "what else"):
    not the "other" of "the other guy", who is a person."""
    found, person = find(toks, OTHER[lang]), find(toks, PERSON[lang]["o"])
    if person is not None and _a_thing(toks, person[1], lang):  # "the other fields"
        person = None
    return found is not None and (person is None or not person[0] <= found[0] < person[1])


def _sets_aside(toks: list[Token], lang: str) -> bool:
    """Whether the turn names what it sets aside ("ngoài đầu tư thì còn gì", "besides the port"):
    a content word right after "ngoài" / "besides" (an article between), not "ngoài ra"."""
    found = find(toks, BUT[lang])
    if found is None:
        return False
    after = [t for t in toks[found[1]:found[1] + 2] if t.folded not in ("the", "a", "an")]
    return bool(after) and not _stop(after[0], lang)


def _reaction(toks: list[Token]) -> str | None:
    """SOCIAL_TURN, MORE_TURN or META_TURN for a message made of social, "more" or "about the
    bot" phrases and words that only colour them ([social] colour: "ghê", "lắm", "bạn", "nói"),
    at least one phrase among them ("hey, what is this about?" asks about the bot); None when
    any other word is there (a name, a topic, a question word)."""
    found = set()
    folded, exact = toks.folded, [t.exact for t in toks]
    i = 0
    while i < len(toks):
        ends = {act: phrase_end(folded, exact, table, i)
                for act, table in ((SOCIAL_TURN, SOCIAL), (MORE_TURN, MORE), (META_TURN, META))}
        # the longest phrase is what was said ("thêm đi" is "more"); a tie is social, as "ok" is
        act, end = max(ends.items(), key=lambda item: item[1])
        if end > i:
            found.add(act)
            i = end
        elif folded[i] in COLOUR:
            i += 1
        else:
            return None
    return next((act for act in (META_TURN, MORE_TURN, SOCIAL_TURN) if act in found), None)


def _without_social(text: str) -> str:
    """The turn without the social words it starts with, set off by punctuation ("ok, thanks.
    năm nào?", "ok thx, who is …", "cảm ơn bạn nhiều, còn …"; not "Đà Nẵng", whose "da" is
    also "dạ")."""
    toks = tokens(text)
    i = cut = 0
    while i < len(toks):
        found = find(toks[i:], SOCIAL)
        if found is not None and found[0] == 0:
            i += found[1]
        elif i and toks[i].folded in COLOUR:  # "bạn", "nhiều" after a social word
            i += 1
        else:
            break
        if i < len(toks) and re.search(r"[,.!;:]", text[toks[i - 1].end:toks[i].start]):
            cut = i
    return text[toks[cut].start:] if cut else text


def _resolve(text: str, lang: str, last: Turn) -> tuple[str, str, str]:
    """``text`` with its pronouns for a person or a place replaced by the last one they can
    mean, which kind was ("person", "place" or "" when none), and ``text`` without them."""
    why, bare, at, named, other = "", text, 0, set(), None
    for _ in range(3):  # "ông ấy gặp bà ấy ở đó": each reference once
        toks, bare_toks = [t for t in tokens(text) if t.start >= at], tokens(bare)
        found = _person(toks, lang, last, other) or _place(toks, lang, last)
        if found is None:
            break
        (start, end), name, why = found
        if why == "person" and _named_before(text, start):  # "what about the general secretary, what did he
            why, at = "", end  # ask for": he is the one this turn names, not the last turn's person
            continue
        if other is None and why == "person" and only(tokens(text[start:end]), PERSON[lang]["o"]):
            other = name  # "the other guy, what did he want": "he" is the other one too
        said = _person(bare_toks, lang, last) or _place(bare_toks, lang, last)
        if said is not None:
            (cut, cut_end), _, _ = said
            bare = " ".join((bare[:cut] + bare[cut_end:]).split())
        who = name.removesuffix("'s")
        if who in named:  # "was his wife with him?": the name once, the pronoun after it kept
            at = end
            continue
        named.add(who)
        text = text[:start] + name + text[end:]
        at = start + len(name)
    return text, why, bare


def _named_before(text: str, start: int) -> bool:
    """Whether ``text`` names a person before ``start``, set off from it by punctuation: a
    pronoun opening the clause after it stands for that person ("còn Tổng Bí thư, ông ấy nói gì")."""
    before = [m for m in mentions(text, subject=True) if m.kind == "person" and m.start < start]
    # from the person's first word: a run of titles reads on over the comma ("Tổng Bí thư, ông")
    return bool(before) and re.search(r"\w\s*[,;:]", text[before[-1].start:start]) is not None


def _person(toks: list[Token], lang: str, last: Turn, other: str | None = None):
    """Where the first word for a person is in ``toks``, the name it stands for and "person";
    ``other``: the one this turn already called "the other one", whom its pronouns then mean."""
    for said, table in PERSON[lang].items():
        found = _pronoun_at(toks, table)
        if found is None:
            continue
        if other is not None and said != "o":
            return (toks[found[0]].start, toks[found[1] - 1].end), other, "person"
        if said == "o" and _a_thing(toks, found[1], lang):
            continue
        if said == "o":  # "ông kia", "the other one": the next person who is not the first
            first = mentions(last.persons[0], subject=True) if last.persons else []
            referents = [p for p in last.persons[1:]
                         if not (first and any(same_person(m, first[0]) for m in mentions(p, subject=True)))][:1]
        else:
            referents = [p for p in last.persons if not said or gender(p) in ("", said)]
            # A woman is mostly named as one ("bà", "Phu nhân"), a man often only by his office:
            # "she" means the woman named, when there is one; "chỉ", "bả" only then (else "only").
            women = [p for p in referents if said == "f" and gender(p) == "f"]
            if said == "f" and not women and toks[found[0]].exact in _EXACT_PRONOUNS:
                continue
            referents = women or referents
        if referents:
            i, j = found
            # in an English or Korean turn without the Vietnamese courtesy "ông", "bà", and with
            # a title that says who in the turn's language ("Thị trưởng" -> "mayor", "시장")
            name = referents[0] if lang == "vi" else title_in(without_titles(referents[0], VIETNAMESE_COURTESY), lang)
            name += "'s" if lang == "en" and toks[i].folded in ("his", "hers") else ""
            return (toks[i].start, toks[j - 1].end), name, "person"
    return None


def _pronoun_at(toks: list[Token], table: Table) -> tuple[int, int] | None:
    """The first of ``table``'s words for a person in ``toks``; not "ảnh", "chỉ" where they are
    a syllable of a word ("điện ảnh", "chỉ đạo") or come right after a name or place, which then
    says who ("Busan chỉ hợp tác với TP.HCM": "only")."""
    start = 0
    while (found := find(toks, table, start)) is not None:
        i, j = found
        if j - i > 1 or toks[i].exact not in _AMBIGUOUS_PRONOUNS:  # "ổng" is never anything else
            return found
        before = (toks[i - 1].exact, toks[i].exact) if i else None
        after = (toks[i].exact, toks[i + 1].exact) if i + 1 < len(toks) else None
        named_before = i > 0 and (toks[i - 1].capitalised or toks[i - 1].folded in PLACE_WORDS)
        if not (before in _PRONOUN_IN_WORDS or after in _PRONOUN_IN_WORDS or named_before):
            return found
        start = i + 1
    return None


# what "the other" does, said of a person: "what did the other say", "the other wanted …"
_DOING = frozenset(fold(v) for v in ROLE_VERBS + SPEECH_ASKED if " " not in v)


def _a_thing(toks: list[Token], end: int, lang: str) -> bool:
    """Whether "the other" ending at ``end`` qualifies a thing ("the other fields", "the other
    ones"), not a person: a word follows that is neither a function word nor something a person does."""
    return (toks[end - 1].folded == "other" and end < len(toks) and not _stop(toks[end], lang)
            and toks[end].folded not in _DOING)


def _place(toks: list[Token], lang: str, last: Turn):
    found = find(toks, PLACE[lang])
    if found is None:
        return None
    # "who was the Busan guy there": not the place the turn names itself
    named = {m.key for m in place_mentions(" ".join(t.text for t in toks))}
    places = [p for p in last.places if not named & {m.key for m in place_mentions(p)}]
    if not places:
        return None
    i, j = found
    lead = {"o": toks[i].text + " ", "there": "in "}.get(toks[i].folded, "")  # "ở đó" -> "ở Busan"
    return (toks[i].start, toks[j - 1].end), lead + places[0], "place"


def _asking_at(toks: list[Token], phrases: list[tuple[tuple[str, str], ...]]) -> set[int]:
    """The positions of ``toks`` inside one of the asking ``phrases`` (each word as typed where
    the token has diacritics, folded where it has none, as ``_stop`` compares)."""
    def same(t: Token, word: tuple[str, str]) -> bool:
        return t.exact == word[0] if t.exact != t.folded else t.folded == word[1]

    found: set[int] = set()
    i = 0
    while i < len(toks):
        n = next((len(p) for p in phrases if all(i + j < len(toks) and same(toks[i + j], w) for j, w in enumerate(p))), 0)
        found.update(range(i, i + n))
        i += n or 1
    return found


def _stop(token: Token, lang: str, words=STOP, folded=STOP_FOLDED) -> bool:
    """A function or question word: as typed where it has diacritics ("Lâm" is not "làm"); and a
    lone Latin letter (the "s" of "what's", the "k" of "k biết"), which says nothing of a topic
    (a Korean syllable alone may: "배")."""
    if len(token.folded) == 1 and token.folded.isascii() and token.folded.isalpha():
        return True
    if token.exact != token.folded:
        return token.exact in words[lang]
    return token.folded in folded[lang]


def _content(toks: list[Token], lang: str) -> list[Token]:
    """The words that say what a turn is about: not question or function words, nor figures."""
    return [t for t in toks if not _stop(t, lang) and not t.folded.isdigit()]


def _opener(question: str, lang: str, last: Turn, resolved: str) -> Reading | None:
    """ "còn TP.HCM thì sao?" / "what about Seoul?": the new subject in the last question's
    place. "and what did he ask for?": the opener leads a question, read on its own terms."""
    toks = tokens(question)
    folded = " ".join(t.folded for t in toks)
    for pattern in OPENERS:
        m = pattern.match(folded)
        if not m:
            continue
        x = m.group("x")
        first = len(folded[: m.start("x")].split())  # the subject's first token
        subject = toks[first:first + len(x.split())]
        said = question[subject[0].start:subject[-1].end] if " ".join(t.folded for t in subject) == x else x
        asks = bool(_asking_at(subject, QUESTION[lang]))  # "còn Busan muốn gì?"
        topic = "" if asks else _swap_topic(said, last, lang)  # "and about the summit with …?"
        if topic:
            return Reading(ASK, topic, True, "swap", own=said)
        if asks or len(subject) > 4 or len(_content(subject, lang)) < len(subject) - 1:  # a question, not a subject
            rest = question[toks[first].start:]
            if resolved:
                return Reading(ASK, rest, True, resolved)
            if _names_own(rest, last) and _asks_its_own(rest, lang, last):
                # "and where did To Lam land?": a question of its own about someone or somewhere
                # it names; the last one's words only beside it, kept when they make it surer
                return Reading(ASK, rest, carry=_with_context(rest, last))
            return Reading(ASK, _with_context(rest, last), True, "reference", own=rest)
        # "phía Hàn": the Korean city the last question named; "ong phong": the person it knows
        said = _side(said, last) or _known_person(said, last) or _city_side(said) or said
        new = mentions(said, subject=True)
        # The subject is a name, swapped into the last question; a name with words of its own
        # ("his promise", "doanh nghiệp Busan") is a topic, asked with the last one's words beside it.
        beside = [t for t in tokens(said) if new and not new[0].start <= t.start < new[0].end]
        whole = len(new) == 1 and all(_stop(t, lang) for t in beside)
        swapped = _swap(last.understood, new[0]) if whole else ""
        if swapped:
            return Reading(ASK, swapped, True, "swap")
        return Reading(ASK, _with_context(said, last), True, "swap", own=said)
    return None


def _names_own(text: str, last: Turn) -> bool:
    """Whether ``text`` names a person or place of its own: a name or title it writes, or a
    person of the conversation typed in lower case or without marks ("to lam")."""
    if mentions(written_out(text, shorthand=True)):
        return True
    return any(name_typed_in(text, m) for m in last.known_persons())


def _asks_its_own(question: str, lang: str, last: Turn) -> bool:
    """Whether a question asks something of its own beyond what someone said, asked or wanted
    ("where did To Lam land", "đáp xuống sân bay nào"): "còn Busan muốn gì?", "and what did To Lam
    ask for?" ask that within the last question's topic."""
    text = written_out(question, shorthand=True)
    toks = tokens(text)
    asking = _asking_at(toks, ASKING[lang])
    named = [(m.start, _name_after(toks, m, lang)) for m in mentions(text)]
    name_words = {w for p in last.persons for w in _name_words(tokens(without_titles(p)))}
    rest = [t for i, t in enumerate(toks) if i not in asking and t.folded not in name_words
            and not any(a <= t.start < b for a, b in named)]
    return any(t.folded not in _DOING for t in _content(rest, lang))


def _name_after(toks: list[Token], said: Mention, lang: str) -> int:
    """Where a mention ends with the name typed in lower case after its title ("tbt tô lâm nói
    gì": "tô lâm"): up to three words, to the first function word or word for saying or wanting."""
    end = said.end
    if said.kind == "person" and not said.named:
        for t in [t for t in toks if t.start >= said.end][:3]:
            if _stop(t, lang) or t.folded in _DOING:
                break
            end = t.end
    return end


def _swap_topic(said: str, last: Turn, lang: str) -> str:
    """ "about the summit" after "what did Tô Lâm say about Busan's location": the last question
    with its topic, from the same word on, in ``said``'s place ("what did Tô Lâm say about the
    summit"); "" when ``said`` does not start with such a word or the last question has none.
    The last such word is the topic's ("ông ấy trở về nước nói gì về …": "về" is also "return")."""
    opens = find(tokens(said), ABOUT[lang])
    if opens is None or opens[0] != 0:
        return ""
    text = _context_free(last.understood)
    toks, at, found = tokens(text), None, find(tokens(text), ABOUT[lang])
    while found is not None:
        at, found = found, find(toks, ABOUT[lang], found[1])
    return f"{text[:toks[at[0]].start].rstrip()} {said}" if at else ""


def _sides() -> list[tuple[Phrases, frozenset[frozenset[str]]]]:
    out = []
    for line in DATA["places"]["sides"].splitlines():
        phrases, _, cities = line.partition(":")
        keys = frozenset(m.key for c in cities.split("|") for m in mentions(c.strip(), subject=True))
        out.append((Phrases(tuple(p.split()) for p in phrases.split("|") if p.strip()), keys))
    return out


_SIDES = _sides()


def _side(said: str, last: Turn) -> str:
    """The place a side stands for ("phía Hàn", "the Korean side"): the city of that country
    the last question named, as it named it; "" when ``said`` is no side or it named none."""
    toks = tokens(said)
    for phrases, cities in _SIDES:
        if toks and phrases.end_at(toks.folded, 0) == len(toks):
            named = [m for m in place_mentions(_context_free(last.understood)) if m.key in cities]
            return named[0].text if named else ""
    return ""


_SIDE_WORDS = frozenset(w.strip() for w in DATA["places"]["side_words"].split("|"))


def _city_side(said: str) -> str:
    """The city a city's side stands for ("phía tphcm", "the Busan side": "tphcm", "Busan"); ""
    when ``said`` is more than a city and the words for its side."""
    places = place_mentions(said)
    if len(places) != 1:
        return ""
    place = places[0]
    rest = [t for t in tokens(said) if not place.start <= t.start < place.end]
    return place.text if rest and all(t.folded in _SIDE_WORDS for t in rest) else ""


def _known_person(said: str, last: Turn) -> str:
    """A person typed in lower case or without marks after "ông" / "bà" / "mr" ("ong phong",
    "bà kim"): the person of the conversation whose name holds those words, as it was written
    ("ông Nguyễn Thành Phong"); "" when ``said`` is no such thing or no one known fits."""
    toks = tokens(said)
    if len(toks) < 2 or toks[0].folded not in GENERIC_TITLES or mentions(said, subject=True):
        return ""
    asked = _name_words(toks[1:])
    for person in last.persons:
        name = _name_words(tokens(person))
        if any(name[i:i + len(asked)] == asked for i in range(len(name) - len(asked) + 1)):
            return person
    return ""


def _name_words(toks) -> list[str]:
    """A name's words, folded, its hyphens as spaces ("keo don" is "Keo-don")."""
    return " ".join(t.folded for t in toks).replace("-", " ").split()


def _swap(text: str, new: Mention) -> str:
    """``text`` with ``new`` in the place of its mention of the same kind (a bare name for a
    person or place when there is none of that kind); when ``new`` is already there, it changes places with the other one
    ("Busan muốn gì ở TP.HCM?" + "còn TP.HCM?" -> "TP.HCM muốn gì ở Busan?")."""
    text = _context_free(text)
    found = mentions(text, subject=True)
    same = ([m for m in found if m.kind == new.kind]
            or [m for m in found if new.kind == "name" or (new.kind in ("place", "person") and m.kind == "name")]
            or (place_mentions(text) if new.kind == "place" else []))  # in a title: "thị trưởng Busan"
    if not same:
        return ""
    present = [m for m in same if m.key == new.key or same_person(m, new)]
    others = [m for m in same if m not in present]
    if present and others:
        first, second = sorted((present[0], others[0]), key=lambda m: m.start)
        return (text[: first.start] + second.text + text[first.end: second.start] + first.text
                + text[second.end:])
    if present:
        return ""
    old = same[0]
    # a place in a named person's title: the new place's holder is someone else, so the name goes
    # ("thị trưởng busan Park Heong-joon cam kết gì" + "còn TP.HCM?" -> "thị trưởng TP.HCM cam kết gì")
    end = max([m.end for m in found if m.kind == "person" and m.named and m.start <= old.start < m.end],
              default=old.end)
    return text[: old.start] + new.text + text[end:]


def _ellipsis(question: str, lang: str, last: Turn) -> Reading:
    """ "năm nào?", "để làm gì?", "ai nói vậy?": nothing of its own but what it asks: the last
    question's words with this one's, when it asks something (a question word or mark). A short
    turn without names may lean on the last one or not ("thị trưởng là ai?" is whole; "cảng"):
    the engine tries both and keeps the better."""
    if mentions(question):  # its own names: standalone, or, when it also refers back ("what did
        # the General Secretary propose then?"), tried with the last turn's words too, the better kept
        if _so(tokens(question), lang):  # "busan có muốn vậy ko": the last one's topic, of this one's names
            return Reading(ASK, _so_context(question, last), True, "reference", own=question)
        refers = find(tokens(question), THING[lang]) is not None
        return Reading(ASK, question, carry=_with_context(question, last) if refers else "")
    toks = tokens(question)
    asking = _asking_at(toks, ASKING[lang])
    content = _content([t for i, t in enumerate(toks) if i not in asking], lang)  # not the "lâu" of "bao lâu"
    asks = "?" in question or bool(asking)
    if len(content) <= 1 and asks:
        frame = _without_words(_frame(last.understood, last.marks), {t.folded for t in content})  # "ai ký" then "ký ở đâu"
        # judged by the word it asks about, when it has one ("ai ký": "ký"; not the "năm" of "năm
        # nào", which says what kind of thing is asked): the frame finds the passage, never makes it sure
        said = bool(content) and not asks_for(question)
        own = question.strip() if said else ""
        return Reading(ASK, f"{frame} {question.strip()}", True, "ellipsis", own=own)
    if len(content) <= 3 or _subjectless(toks, lang):
        # a word or two that ask nothing ("cảng"), or a yes/no question without its subject ("có
        # nhắc tới phim ảnh không"): a topic of its own, or said of the last one's
        return Reading(ASK, question, carry=_with_context(question, last))
    return Reading(ASK, question)


def _subjectless(toks: list[Token], lang: str) -> bool:
    """Whether a Vietnamese turn asks "có … không" with nothing before "có": whether the one it
    leaves unsaid did so ("có nhắc tới phim ảnh không", "co den busan ko")."""
    return lang == "vi" and len(toks) > 2 and toks[0].folded == "co" and toks[-1].folded in WHETHER_LAST


_SO = frozenset({"vậy", "thế"})
# the particles that end a question ("à", "nhỉ") and the "không" of a yes/no one, however typed ("ko")
_PARTICLES = frozenset(f for phrase in ASKING["vi"] if phrase not in QUESTION["vi"] for _, f in phrase) \
    | WHETHER_LAST


def _so(toks: list[Token], lang: str) -> bool:
    """Whether a Vietnamese turn says "so" of what came before: "vậy" / "thế" right after a word
    that asks nothing and before nothing but the particles that make it a question ("busan có
    muốn vậy ko": want that; not the "vậy" of "là ai vậy", nor the "thế" of "như thế nào")."""
    if lang != "vi":
        return False
    said = [t.text.lower() for t in toks]
    for i, word in enumerate(said):
        if word in _SO and i and not _asking_at(toks[i - 1:i], QUESTION[lang]) \
                and all(t.folded in _PARTICLES for t in toks[i + 1:]):
            return True
    return False


def _so_context(question: str, last: Turn) -> str:
    """The turn and, after it, the last question's topic without its names of the kinds the turn
    names: "busan có muốn vậy ko" after "TP.HCM muốn học hỏi Busan về du lịch không" asks whether
    Busan wants tourism, not what TP.HCM wanted of it."""
    kinds = {m.kind for m in mentions(question, subject=True)}
    theirs = {w for m in mentions(last.understood, subject=True) if m.kind in kinds
              for w in m.key | {t.folded for t in tokens(m.text)}}  # "hcm" is Hồ Chí Minh
    core = _without_words(_core(last.understood, last.marks), theirs)
    return f"{question.rstrip(' ?!.')} ({core})" if core else question


def _without_words(text: str, words: set[str]) -> str:
    """``text`` without the words (folded) of ``words``: a turn's own word is not said twice."""
    for t in reversed(tokens(text)):
        if t.folded in words:
            text = text[:t.start] + text[t.end:]
    return " ".join(text.split())


_CONTEXT = re.compile(r"\s*\([^()]*\)")


def _context_free(text: str) -> str:
    """A turn understood with context, without the context added ("... (Busan hợp tác)")."""
    return _CONTEXT.sub("", text)


def carries_words(reading: Reading) -> bool:
    """Whether ``reading`` is the turn with the last one's words carried beside it, in brackets."""
    return reading.followup and _CONTEXT.search(reading.understood) is not None


def _core(text: str, marks: dict[str, str] | None = None, limit: int = 10,
          persons: list[Mention] | None = None) -> str:
    """What a question was about: its words but question and function words, each once
    (``marks``: its plain words as meant, see ``_marks``), and, when ``persons`` is given, but
    its persons: those said with a title and the names of ``persons``."""
    text = strip_framing(text)  # "tell me about the consulate": the consulate
    lang = turn_language(question_kind(text))
    found = mentions(text)
    named = [(m.start, m.end) for m in found]  # "thi truong", "To Lam": never function words
    dropped = [(m.start, m.end) for m in found if persons is not None and _a_person(m, persons)]
    kept, seen = [], set()
    toks = tokens(text)
    # marks are the plain Vietnamese words as meant: an English "the" is no "thể"
    for t, meant in zip(toks, _as_meant(toks, marks or {}) if lang == "vi" else toks):
        if any(a <= t.start < b for a, b in dropped):
            continue
        keep = any(a <= t.start < b for a, b in named) or not _stop(meant, lang)
        if keep and t.folded not in seen:
            seen.add(t.folded)
            kept.append(t.text)
    return " ".join(kept[:limit])


def _frame(text: str, marks: dict[str, str] | None = None) -> str:
    """The last question as it was, without the words that asked ("thị trưởng Busan cảm ơn ai?"
    -> "thị trưởng Busan cảm ơn"), and the context it was understood in, if any: the frame an
    elliptical turn ("vì sao?") asks within."""
    context = " ".join(c.strip(" ()") for c in _CONTEXT.findall(text))  # "ngoài ra còn gì nữa (Busan hợp tác)"
    text = strip_framing(_context_free(text))
    lang = turn_language(question_kind(text))
    named = [(m.start, m.end) for m in mentions(text)]
    kept, at = [], 0
    toks = tokens(text)
    asking = _asking_at(_as_meant(toks, marks or {}), ASKING[lang])  # "dau tu" is "đầu tư", no "đâu"
    for i, t in enumerate(toks):
        if i in asking and not any(a <= t.start < b for a, b in named):
            kept.append(text[at:t.start])
            at = t.end + 2 if text[t.end:t.end + 2] in ("'s", "’s") else t.end  # "what's": "is" asks too
    kept.append(text[at:])
    return " ".join(("".join(kept).strip(" ?!.,") + " " + context).split())


def _with_context(question: str, last: Turn) -> str:
    """The turn and, after it, the names and topic of the last one (a topic that carries on).
    A person the turn names takes the place of the last one's ("còn tbt tô lâm nói gì" after a
    question about the mayor asks what Tô Lâm said, not the mayor; "and what did To Lam ask
    for" after "what did Park Heong-joon promise", both known as persons by then)."""
    known = last.known_persons()
    names_one = any(_a_person(m, known) for m in mentions(written_out(question, shorthand=True), subject=True))
    core = _core(last.understood, last.marks, persons=known if names_one else None)
    return f"{question.rstrip(' ?!.')} ({core})" if core else question


def _a_person(said: Mention, known: list[Mention]) -> bool:
    """A person, by a title ("tbt tô lâm") or as a name the conversation knows as one's ("To Lam")."""
    return said.kind == "person" or (said.kind == "name" and any(same_person(said, k) for k in known))


def _marks(text: str, restore: Callable[[str], str]) -> dict[str, str]:
    """Each word ``text`` typed without diacritics (folded) -> as restored, where one sentence
    restores it one way only; nothing when every word was typed with its marks."""
    typed = [t for t in tokens(text) if t.exact == t.folded and not t.folded.isdigit()]
    if not typed:
        return {}
    forms: dict[str, set[str]] = {}
    for t in tokens(restore(text)):
        forms.setdefault(t.folded, set()).add(t.exact)
    return {t.folded: next(iter(forms[t.folded])) for t in typed if len(forms.get(t.folded, ())) == 1}


def _as_meant(toks: list[Token], marks: dict[str, str]) -> list[Token]:
    """``toks`` with the words typed without diacritics as ``marks`` restores them: what tells a
    function word from a content word, the text itself unchanged."""
    return [replace(t, exact=marks[t.folded]) if t.exact == t.folded and t.folded in marks else t for t in toks]


def social_language(kind: Kind, last: Turn | None) -> str:
    """The language to answer a social turn in: the conversation's, since "ok" or "👍" hardly
    says one; a first turn's own."""
    if last is not None:
        return last.lang
    return "vi" if kind is Kind.OTHER else lang_of(kind)
