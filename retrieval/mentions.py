"""Names in a text: persons (by the title before them), places, other capitalised names; and
the word-level matching of phrase tables that reading a chat turn is built on.

Word lists: ``data/conversation.toml`` ([titles], [places]; the turn tables are read by
``conversation.py``). Everything here is a pure function of the text.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from pathlib import Path

from .lexicon import QUESTION_WORDS_EN, QUESTION_WORDS_VI
from .text import fold, fold_word, nfc

DATA = tomllib.loads((Path(__file__).parent / "data" / "conversation.toml").read_text(encoding="utf-8"))
# A word with its hyphens and inner apostrophes ("Heong-joon", "O'Brien"), not an English
# possessive or contraction ending ("Park's", "who's": the name or word is the token).
_TOKEN = re.compile(r"[^\W_]+(?:-[^\W_]+|['’](?![st]\b)[^\W_]+)*", re.UNICODE)


class Phrases:
    """Phrases (word tuples) looked up by their first word: what a turn is matched against."""

    def __init__(self, phrases):
        self.by_first: dict[str, list[tuple[str, ...]]] = {}
        for phrase in sorted(set(phrases), key=lambda p: (-len(p), p)):  # longest first: "ông ấy" before "ấy"
            self.by_first.setdefault(phrase[0], []).append(phrase)

    def __iter__(self):
        return (p for group in self.by_first.values() for p in group)

    def end_at(self, words: list[str], i: int) -> int:
        """The end of the longest phrase starting at word ``i`` (``i`` when none does)."""
        for phrase in self.by_first.get(words[i], ()) if i < len(words) else ():
            if tuple(words[i:i + len(phrase)]) == phrase:
                return i + len(phrase)
        return i


def _split(raw: str) -> Phrases:
    return Phrases(tuple(p.split()) for p in re.split(r"[|\n]", raw) if p.strip())


Table = tuple[Phrases, Phrases]  # matched folded, matched as typed (lower case, with diacritics)


def phrase_table(section: str, lang: str | None = None, suffix: str = "") -> Table:
    """A section's phrases: language-neutral ones ("folded", "exact") or one language's
    ("vi", "vi_exact", "en", "ko"; with a suffix such as "_male")."""
    data = DATA[section]
    if lang is None:
        return _split(data.get("folded", "")), _split(data.get("exact", ""))
    return _split(data.get(f"{lang}{suffix}", "")), _split(data.get(f"{lang}_exact{suffix}", ""))


TITLES = _split(DATA["titles"]["folded"])
FEMALE_TITLES = _split(DATA["titles"]["female"])
MALE_TITLES = _split("ong | mr")
OFFICE_WORDS = frozenset(DATA["titles"]["office"].split())
PLACES = _split(DATA["places"]["folded"])
PLACE_WORDS = frozenset(w for p in PLACES for w in p)
_CITY = frozenset({"tp", "thanh", "pho", "city"})  # "city" alone names no place
# Each place's forms, folded, its first form first ("ho chi minh", "hcm", "sai gon"): a line of "same"
_PLACE_LINES = [[form.strip() for form in line.split("|")] for line in DATA["places"]["same"].splitlines()]
_SAME_PLACE = {form: frozenset(forms[0].split())  # "tphcm" -> {"ho", "chi", "minh"}
               for forms in _PLACE_LINES for form in forms}
_PLACE_FORMS = tuple(tuple(frozenset(form.split()) for form in forms) for forms in _PLACE_LINES)  # word by word
_ASKING_AS_TYPED = frozenset(QUESTION_WORDS_VI + QUESTION_WORDS_EN)  # "Ai", "What": not names; "Tô" is
GENERIC_TITLES = frozenset({"ong", "ba", "mr", "mrs", "ms"})  # say nothing of who it is
TITLE_WORDS = frozenset(w for title in TITLES for w in title)
# A question asking who someone is, over its folded text ("thị trưởng Busan là ai", "who is the mayor")
IDENTITY = re.compile(r"\b(la ai|ai (se |da |dang |hien )?la|ai lam|ten (la )?gi"
                      r"|who(?:['’]s| (is|was|are|will be|would be|is going to be|becomes|became))"
                      r"|what is (his|her|the) name)\b|누구|이름")


# ----------------------------------------------------------------------------- tokens


@dataclass(frozen=True)
class Token:
    text: str
    folded: str
    exact: str  # lower case, diacritics kept
    start: int
    end: int

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper()


class Tokens(list):
    """A text's tokens, with their folded words (what phrase tables are matched against) at hand."""

    @cached_property
    def folded(self) -> list[str]:
        return [t.folded for t in self]


# Korean case particles written onto the word before them ("시장은" is "시장" + "은"): matched
# without them. Only off a stem of two syllables or more, so "나이" or "국가" keep their last syllable.
_KO_PARTICLE = re.compile(r"(?<=[가-힣]{2})(?:은|는|이|가|을|를|의|도|에|에서|에게|와|과|로|으로|께서|님|이란|란)$")


def _folded(word: str) -> str:
    return _KO_PARTICLE.sub("", fold_word(word))


def tokens(text: str) -> Tokens:
    found = Tokens()
    for m in _TOKEN.finditer(text):
        word, start = m.group(0), m.start()
        cut = _glued_title(_folded(word)) if _HANGUL.match(word) else 0
        if cut:  # "부산시장은": "부산", "시장은"
            found.append(Token(word[:cut], _folded(word[:cut]), nfc(word[:cut]).lower(), start, start + cut))
            word, start = word[cut:], start + cut
        found.append(Token(word, _folded(word), nfc(word).lower(), start, m.end()))
    return found


# Korean writes a place and a title as one word ("부산시장": Busan's mayor, "베트남대통령"): the
# places and titles of one word each, in Hangul, longest first.
_HANGUL = re.compile("[가-힣]")
_KO_PLACES = sorted({p[0] for p in PLACES if len(p) == 1 and _HANGUL.match(p[0])}, key=len, reverse=True)
_KO_TITLES = frozenset(p[0] for p in TITLES if len(p) == 1 and _HANGUL.match(p[0]))


def _glued_title(folded: str) -> int:
    """Where the place ends in a Korean word that is a place and a title written together
    ("부산시장": 2, not "부산시" + "장"), else 0."""
    return next((len(place) for place in _KO_PLACES
                 if folded.startswith(place) and folded[len(place):] in _KO_TITLES), 0)


def phrase_end(folded: list[str], exact: list[str], table: Table, i: int) -> int:
    """The end of the longest of ``table``'s phrases starting at word ``i`` (folded or as typed;
    ``i`` when none does)."""
    return max(table[0].end_at(folded, i), table[1].end_at(exact, i))


def find(toks: list[Token], table: Table, start: int = 0) -> tuple[int, int] | None:
    """The first (i, j) such that toks[i:j] is one of ``table``'s phrases (folded or as typed)."""
    folded, exact = [t.folded for t in toks], [t.exact for t in toks]
    for i in range(start, len(toks)):
        j = phrase_end(folded, exact, table, i)
        if j > i:
            return i, j
    return None


def only(toks: list[Token], table: Table) -> bool:
    """Whether the turn is made of ``table``'s phrases alone (and punctuation or emoji)."""
    folded, exact = [t.folded for t in toks], [t.exact for t in toks]
    i = 0
    while i < len(toks):
        j = phrase_end(folded, exact, table, i)
        if j == i:
            return False
        i = j
    return True


# ----------------------------------------------------------------------------- mentions


@dataclass(frozen=True)
class Mention:
    """A person or place a text names: as written, and the folded words that identify it."""

    text: str
    kind: str  # "person" (after a title), "place" (a known one) or "name" (any other capitalised name)
    key: frozenset[str]
    start: int = 0
    end: int = 0
    named: bool = False  # a person known by name, not only by title ("Phu nhân", "the mayor")


def _run(toks: Tokens, i: int, phrases: Phrases) -> int:
    """The end of as many of ``phrases`` in a row as start at token ``i``."""
    while (k := phrases.end_at(toks.folded, i)) > i:
        i = k
    return i


def _place_end(toks: Tokens, i: int) -> int:
    """The end of a known place starting at token ``i``: not "thành phố" / "TP" alone."""
    end = _run(toks, i, PLACES)
    return end if any(t.folded not in _CITY for t in toks[i:end]) else i


def _name_end(toks: Tokens, i: int) -> int:
    """The end of a capitalised name starting at token ``i`` (a title ends it)."""
    while i < len(toks) and toks[i].capitalised and TITLES.end_at(toks.folded, i) == i:
        i += 1
    return i


def mentions(text: str, subject: bool = False) -> list[Mention]:
    """Persons (titles, the place they are of, a capitalised name: "Thị trưởng TP Busan Park
    Heong-joon", "ông thị trưởng", "mayor of Busan") and places ("Busan", "TP.HCM", any other
    capitalised name but a sentence's first word, unless ``subject``: a name said alone), in order."""
    return list(_mentions(text, subject))


@lru_cache(maxsize=1024)
def _mentions(text: str, subject: bool) -> tuple[Mention, ...]:
    # the same passages are read at every turn of a conversation that shows them
    toks = tokens(text)
    found: list[Mention] = []
    i = 0
    while i < len(toks):
        titles = _run(toks, i, TITLES)
        if titles > i and titles < len(toks) and toks[titles].folded in OFFICE_WORDS:  # "tổng lãnh sự quán"
            i = titles + 1
            continue
        if titles > i:
            k = _place_at(toks, titles)
            places = _run(toks, k, PLACES)
            end = _name_end(toks, places)
            generic = all(t.folded in GENERIC_TITLES for t in toks[i:titles])
            if generic and end == places:  # "ông" alone is not a person ("bà con", "ba năm")
                i += 1
                continue
            named = end > places
            end = end if named else (places if places > k else titles)
            found.append(_mention(text, toks, i, end, "person", named))
            i = end
            continue
        places = _place_end(toks, i)
        if places > i or _name_starts(toks, i, subject):
            end = max(_name_end(toks, places), i + 1)
            found.append(_mention(text, toks, i, end, "place" if places > i else "name"))
            i = end
            continue
        i += 1
    return tuple(_joined(found, text))


def _name_starts(toks: Tokens, i: int, subject: bool = False) -> bool:
    """A capitalised word starts a name; a text's first word only when the name goes on
    ("Oh Keo-don", "Tô Lâm": not "Hai thành phố") or is hyphenated ("Heong-joon")."""
    if not toks[i].capitalised or toks[i].exact in _ASKING_AS_TYPED:
        return False
    if i > 0 or subject:
        return True
    return "-" in toks[i].text or _name_end(toks, i) > i + 1


def _mention(text: str, toks: list[Token], i: int, end: int, kind: str, named: bool = False) -> Mention:
    key = frozenset(t.folded for t in toks[i:end])
    if kind == "place":  # "TP Busan", "Busan", "pusan": one key; "TP.HCM", "tphcm", "Sài Gòn": one key
        core = " ".join(t.folded for t in toks[i:end] if t.folded not in _CITY)
        key = _SAME_PLACE.get(core, frozenset(core.split()) or key)
    return Mention(text[toks[i].start:toks[end - 1].end], kind, key, toks[i].start, toks[end - 1].end, named)


def places_held(names: Iterable[str], present: frozenset[str] | set[str]) -> frozenset[str]:
    """Those of the folded ``names`` words that name a place ``present`` (a text's folded
    words) names in another of its forms: "saigon" in a passage writing "Thành phố Hồ Chí Minh",
    "pusan" where it writes "Busan"."""
    names = set(names)
    held: set[str] = set()
    for forms in _PLACE_FORMS:
        asked = [form for form in forms if form <= names]
        if asked and any(form <= present for form in forms):
            held.update(*asked)
    return frozenset(held)


def _joined(found: list[Mention], text: str) -> list[Mention]:
    """ "ông Park Heong-joon - Thị trưởng TP Busan": one person, known by both."""
    out: list[Mention] = []
    for m in found:
        prev = out[-1] if out else None
        if prev and prev.kind == m.kind == "person" and not text[prev.end:m.start].strip(" -–,("):
            out[-1] = replace(prev, key=prev.key | m.key, end=m.end, named=prev.named or m.named)
        else:
            out.append(m)
    return out


_SAME_TITLE = [[name.split() for name in line.split("|")] for line in DATA["titles"]["same"].splitlines()]


def title_words(person: Mention) -> frozenset[str]:
    """The words of every form of the titles a person is known by ("시장" -> "thi", "truong",
    "mayor"), for knowing them by the title another language gives them."""
    toks = tokens(person.text).folded
    found = set()
    for forms in _SAME_TITLE:
        if any(toks[i:i + len(f)] == f for f in forms for i in range(len(toks))):
            found.update(w for f in forms for w in f)
    return frozenset(found)


def _title_forms() -> dict[str, dict[str, str]]:
    """A title's form in each language by any of its forms: "thi truong" -> {"en": "mayor", "ko": "시장"}."""
    table = {}
    for line in DATA["titles"]["same"].splitlines():
        forms = [f.strip() for f in line.split("|") if f.strip()]
        by_lang = {"vi": forms[0], "en": next((f for f in forms[1:] if f.isascii()), ""),
                   "ko": next((f for f in forms if re.search("[가-힣]", f)), "")}
        table.update({f: by_lang for f in forms})
    return table


_TITLE_FORMS = _title_forms()


def title_in(person: str, lang: str) -> str:
    """``person`` with the title it starts with in ``lang`` ("Thị trưởng Park Heong-joon" ->
    "mayor Park Heong-joon" / "Park Heong-joon 시장"; the place of a title with a name after it
    left out: "Tổng thống Hàn Quốc Lee Jae Myung" -> "president Lee Jae Myung"); as it is when
    the title has no form there or nothing follows it."""
    toks = tokens(person)
    end = TITLES.end_at(toks.folded, 0)
    forms = _TITLE_FORMS.get(" ".join(toks.folded[:end]))
    if lang == "vi" or not forms or not forms.get(lang) or end >= len(toks):
        return person
    named = _run(toks, end, PLACES)  # "Tổng thống Hàn Quốc Lee Jae Myung": the name, not "Hàn Quốc Lee …"
    name = person[toks[named if named < len(toks) else end].start:]
    return f"{forms['en']} {name}" if lang == "en" else f"{name} {forms['ko']}"


def without_titles(person: str, titles: frozenset[str] = GENERIC_TITLES) -> str:
    """``person`` without the ``titles`` it starts with ("ông Park Heong-joon" -> "Park
    Heong-joon"); as it is when nothing else would be left."""
    toks = tokens(person)
    i = 0
    while i < len(toks) - 1 and toks[i].folded in titles:
        i += 1
    return person[toks[i].start:] if i else person


def name_typed_in(text: str, person: Mention) -> bool:
    """Whether ``text`` names ``person`` by their name typed any way, capitals or not ("ông oh
    keo-don là ai", "oh keo don"): two words of the name in a row, or one after a title ("ong
    phong", "thi truong park"); not its title's or place's words ("Thị trưởng TP Busan Park
    Heong-joon": "park", "heong", "joon")."""
    toks = tokens(person.text)
    places = _name_at(toks)
    name = [w for t in toks[places:_name_end(toks, places)] for w in t.folded.replace("-", " ").split()]
    said = tokens(text)
    after_title = {end for i in range(len(said)) if (end := TITLES.end_at(said.folded, i)) > i}
    typed, firsts = [], set()  # the text's name words, and those right after a title
    for i, t in enumerate(said):
        if i in after_title:
            firsts.add(len(typed))
        typed += t.folded.replace("-", " ").split()
    for n in range(1, len(name) + 1):
        for part in (name[i:i + n] for i in range(len(name) - n + 1)):
            at = [i for i in range(len(typed) - n + 1) if typed[i:i + n] == part]
            if at and (n >= 2 or firsts & set(at)):
                return True
    return False


def asked_role(question: str) -> frozenset[str]:
    """The office a question asks the holder of ("ai là tổng lãnh sự", "who is the mayor of
    Busan"): the words of the first title said without a name, when the question asks who
    someone is; empty otherwise (asked by name: "ông Oh Keo-don là ai")."""
    if not IDENTITY.search(fold(question)):
        return frozenset()
    return next((m.key for m in mentions(question, subject=True) if m.kind == "person" and not m.named), frozenset())


def names_holder(text: str, role: frozenset[str]) -> bool:
    """Whether ``text`` names someone holding ``role`` (``asked_role``): a person by name with that
    title ("ông Park Heong-joon - Thị trưởng TP Busan", in any language's form of it), or a name of
    two words or more just before the title ("Henry Cole, giám đốc đầu tiên")."""
    wanted = _title_groups(role)
    said = frozenset(role) & TITLE_WORDS - GENERIC_TITLES
    for m in mentions(text):
        if m.kind == "person" and m.named and (_title_groups(m.key) & wanted if wanted else m.key & said):
            return True
    toks = tokens(text)
    for i in range(len(toks)):
        end = TITLES.end_at(toks.folded, i)
        if end > i and (_title_groups(frozenset(toks.folded[i:end])) & wanted if wanted
                        else set(toks.folded[i:end]) & said):
            before = toks[max(0, i - 3):i]
            if sum(t.capitalised for t in before) >= 2:
                return True
    return False




def _title_groups(words: frozenset[str]) -> frozenset[int]:
    """The titles of [titles] same (a line each: "thi truong | mayor | 시장") that ``words`` hold
    one form of."""
    return frozenset(i for i, forms in enumerate(_SAME_TITLE) if any(set(f) <= words for f in forms))


def same_person(a: Mention, b: Mention) -> bool:
    """Whether two mentions can be one person: a word of a name in common, or a whole title
    (not the "tổng" that "Tổng thống" and "Tổng Bí thư" share), beyond generic titles and
    places; and not of two different places ("thị trưởng Busan" is not "thị trưởng TP.HCM")."""
    places_a, places_b = _places_of(a.key), _places_of(b.key)
    if places_a and places_b and not places_a & places_b:
        return False
    common = (a.key & b.key) - GENERIC_TITLES - PLACE_WORDS
    return (bool(common - TITLE_WORDS or common & _name_words(a) & _name_words(b))  # "ông Nhân"
            or any(set(title) <= common for title in TITLES))


def _name_words(person: Mention) -> frozenset[str]:
    """The folded words of a person's name, after their titles and place."""
    toks = tokens(person.text)
    return frozenset(toks.folded[_name_at(toks):])


def _place_at(toks: Tokens, titles: int) -> int:
    """Where the place a person's titles (ending at ``titles``) are of starts ("mayor of Busan",
    "thị trưởng của Busan")."""
    return titles + (titles < len(toks) and toks[titles].folded in ("of", "cua"))


def _name_at(toks: Tokens) -> int:
    """Where a person's name starts in their mention: after their titles and place."""
    return _run(toks, _place_at(toks, _run(toks, 0, TITLES)), PLACES)


def _places_of(key: frozenset[str]) -> frozenset[str]:
    """The places a mention's words name, each by its first form ("sai gon" -> "ho chi minh")."""
    named = [name for name in _SAME_PLACE if set(name.split()) <= key]
    said = {w for name in named for w in name.split()}
    return frozenset().union(*(_SAME_PLACE[name] for name in named)) | (key & PLACE_WORDS - _CITY - said)


def gender(person: str) -> str:
    """ "f" or "m" where a person's title says ("bà", "Phu nhân"; "ông", "Mr"), else ""."""
    toks = tokens(person)
    for titles, said in ((FEMALE_TITLES, "f"), (MALE_TITLES, "m")):
        if titles.end_at(toks.folded, 0) > 0:
            return said
    return ""


def places_in(text: str) -> list[str]:
    """The known places a text names, also those in a title ("mayor of Busan" -> "Busan")."""
    return [m.text for m in place_mentions(text)]


def place_mentions(text: str) -> list[Mention]:
    """``places_in`` with where each stands in ``text``."""
    toks = tokens(text)
    found, i = [], 0
    while i < len(toks):
        end = _place_end(toks, i)
        if end > i:
            found.append(_mention(text, toks, i, end, "place"))
        i = max(end, i + 1)
    return found
