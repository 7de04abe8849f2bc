"""What a conversation remembers of its turns, and where it waits between them.

A ``Turn`` records what was asked, how it was understood, whom and where it named and what was
shown; a ``Conversation`` keeps the last few; a ``ConversationStore`` keeps conversations between
turns (in memory here, or in the bot's database so one survives a restart and is shared by
replicas: ``bot/conversation_stores.py``). Reading a new turn against them: ``conversation.py``.
"""

from __future__ import annotations

import re
import time
from dataclasses import asdict, dataclass, field, replace
from typing import Protocol

from .glossary import translate_terms
from .mentions import (GENERIC_TITLES, IDENTITY, Mention, mentions, name_typed_in, places_in, same_person, title_words,
                       tokens, without_titles)
from .text import fold

TURNS_KEPT = 6  # turns remembered per conversation: references reach back a few turns at most
_ASKS_WHO = re.compile(r"\b(ai|who|whom)\b|누구")



@dataclass(frozen=True)
class Turn:
    """One asked turn as remembered: what it was understood as, what it named and was answered."""

    question: str
    understood: str
    lang: str
    status: str
    persons: tuple[str, ...] = ()  # who a later "ông ấy" / "he" can mean, most likely first
    places: tuple[str, ...] = ()
    passage_ids: tuple[str, ...] = ()  # shown, best first
    shown: int = 0
    time: float = 0.0
    # its words typed without diacritics as the restorer reads them (conversation.read_turn
    # sets it when reading the next turn; not kept)
    marks: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def known_persons(self) -> list[Mention]:
        """Its persons as mentions, each by the first mention of its text: what a later turn's
        names are compared with."""
        return [m for p in self.persons for m in mentions(p, subject=True)[:1]]


@dataclass(frozen=True)
class Conversation:
    turns: tuple[Turn, ...] = ()
    updated: float = 0.0

    def last(self) -> Turn | None:
        return self.turns[-1] if self.turns else None

    def add(self, turn: Turn) -> "Conversation":
        return Conversation((self.turns + (turn,))[-TURNS_KEPT:], turn.time)

    def touched(self, when: float) -> "Conversation":
        return replace(self, updated=when)

    def with_last(self, turn: Turn) -> "Conversation":
        return Conversation(self.turns[:-1] + (turn,), turn.time)

    def to_json(self) -> dict:
        return {"turns": [{k: v for k, v in asdict(t).items() if k != "marks"} for t in self.turns],
                "updated": self.updated}

    @classmethod
    def from_json(cls, data: dict) -> "Conversation":
        turns = tuple(Turn(**{k: tuple(v) if isinstance(v, list) else v for k, v in t.items()
                              if k in Turn.__dataclass_fields__}) for t in data.get("turns", []))
        return cls(turns, float(data.get("updated", 0.0)))


class ConversationStore(Protocol):
    """Where conversations wait between turns (``tests/contract`` runs one suite over each)."""

    def load(self, key: str) -> Conversation | None: ...

    def save(self, key: str, conversation: Conversation) -> None: ...

    def forget(self, key: str) -> None: ...


class MemoryConversations:
    """In this process only: the console, `ask`, and a bot without a database."""

    def __init__(self, limit: int = 10_000):
        self.limit = limit
        self._data: dict[str, Conversation] = {}

    def load(self, key: str) -> Conversation | None:
        return self._data.get(key)

    def save(self, key: str, conversation: Conversation) -> None:
        self._data.pop(key, None)
        self._data[key] = conversation
        while len(self._data) > self.limit:  # the longest quiet go first
            self._data.pop(next(iter(self._data)))

    def forget(self, key: str) -> None:
        self._data.pop(key, None)


def remembered(question: str, understood: str, lang: str, status: str, shown_texts: list[str],
               passage_ids: list[str], history: Conversation | None, when: float | None = None,
               story: int | None = None) -> Turn:
    """The turn to remember: who and where it is about. A "who" question's person is the one the
    answer names that the question did not ("ai đón Tổng Bí thư?" -> the mayor); "X là ai"'s is
    X, by the name the answer gives it when it does; a "who" question about what a person it names
    did ("ông Oh Keo-don cảm ơn ai?") keeps that person first when the answering passage names no
    one else. ``shown_texts``: what was shown, a text per passage, best first (each passage's
    answering sentence before the rest of it); ``story``: how many of them, first, are of the
    first one's article (all when None): their persons come before those of another story."""
    folded = fold(understood)
    asked = mentions(understood)
    identity = bool(IDENTITY.search(folded))  # "who is Oh Keo-don": a name asked about is a person
    last = history.last() if history else None
    known = last.known_persons() if last else []
    persons = [_also_as_the_articles_say(m) for m in asked
               if m.kind == "person" or (m.kind == "name" and (identity or any(same_person(m, k) for k in known)))]
    by_passage = [[m for m in mentions(text) if m.kind == "person"] for text in shown_texts]
    story = len(shown_texts) if story is None else story
    answered = [m for *_, m in sorted((at >= story, not m.named, at, i, m) for at, found in enumerate(by_passage)
                                      for i, m in enumerate(found))]  # of the story, by name first
    # a person the question named as chat types names ("ông oh keo-don là ai"): known by the answer's words
    typed = [a for a in answered if name_typed_in(understood, a) and not any(same_person(a, p) for p in persons)]
    # each in the order the question says them: "what did to lam and the korean president agree"
    # is first about Tô Lâm, whose name it types in lower case
    persons = [m for _, m in sorted([(m.start, m) for m in persons] + [(_typed_at(understood, a), a) for a in typed],
                                    key=lambda found: found[0])]
    if not identity:  # "when did the general secretary visit": he is "general secretary Tô Lâm" from now on
        persons = [_named_in(p, answered) for p in persons]
    if identity and persons:
        named = [_known_as(a, next(p for p in persons if same_person(a, p)))
                 for a in answered if any(same_person(a, p) for p in persons)]
        order = named + persons
    elif (who := _ASKS_WHO.search(folded)) is not None:
        new = [a for a in answered if not any(same_person(a, p) for p in persons)]
        top = [a for a in new if a.named and any(a is m for m in by_passage[0])] if by_passage else []
        if top:  # the answer names someone new by name: they are who "ông ấy" means next
            order = top + persons + [a for a in new if a not in top]
        elif _asked_acts(folded, who, persons):
            # "ông Oh Keo-don cảm ơn ai?" answered "lãnh đạo Thành phố": he acted, and stays who
            # "ông ấy" means, not a person of another passage shown beside it
            order = persons + new
        else:  # "ai đón Tổng Bí thư?": whoever the passages shown name
            order = new + persons
    else:
        order = persons + answered
    people = _unique([m.text for m in order] + list(last.persons if last else ()))
    places = _unique(places_in(understood) + list(last.places if last else ()))
    return Turn(question, understood, lang, status, tuple(people[:4]), tuple(places[:4]), tuple(passage_ids),
                len(passage_ids), time.time() if when is None else when)


_AUXILIARIES = frozenset({"did", "does", "do", "will", "would", "has", "have", "had", "can", "could"})


def _asked_acts(folded: str, who: re.Match, persons: list[Mention]) -> bool:
    """Whether the person a "who" question names is who acts in it: named before the question
    word ("ông Oh Keo-don cảm ơn ai", Korean too), or after an English "who did …" ("who did Oh
    Keo-don thank"), not after "who welcomed …" / "ai đón …"."""
    if not persons:
        return False
    before = folded[:who.start()]
    if any(w in before.split() for p in persons for w in fold(p.text).split() if w not in GENERIC_TITLES):
        return True
    after = folded[who.end():].split()
    return bool(after) and after[0] in _AUXILIARIES


def _also_as_the_articles_say(person: Mention) -> Mention:
    """A person asked about in English or Korean known also by the articles' words for their
    title (the glossary's "the general secretary" is "tổng bí thư"; [titles] same: "시장" is
    "thị trưởng"), so the answer's "Tổng Bí thư Tô Lâm" is them, not the other person it names."""
    said = {fold(w) for w in translate_terms(person.text).split()} | title_words(person)
    return replace(person, key=person.key | said) if said else person


def _typed_at(text: str, person: Mention) -> int:
    """Where ``text`` types a word of ``person``'s name (``mentions.name_typed_in``)."""
    name = without_titles(person.text)
    words = {t.folded for t in tokens(name)} - GENERIC_TITLES
    return next((t.start for t in tokens(text) if t.folded in words), len(text))


def _named_in(asked: Mention, answered: list[Mention]) -> Mention:
    """A person asked about by title alone, known by that title and the name the answer gives
    the same person, where it gives one (``_known_as``): what a later "his" stands for, so that
    "was his wife with him" asks of Tô Lâm, not of a title the other passages share."""
    if asked.named or asked.kind != "person":
        return asked
    named = next((a for a in answered if a.named and same_person(a, asked)), None)
    return _known_as(named, asked) if named is not None else asked


def _known_as(named: Mention, asked: Mention) -> Mention:
    """The person an identity question asked about by title, known by that title and the name
    the answer gives ("thị trưởng busan là ai?", "ông Park Heong-joon" -> "thị trưởng busan Park
    Heong-joon"): what a later "ông ấy" stands for, in the words both were said in."""
    if asked.named or asked.kind != "person":  # asked by name: known by it
        return named
    name = without_titles(named.text)
    return replace(named, text=f"{asked.text} {name}") if name != named.text else named


def _unique(items: list[str]) -> list[str]:
    seen, out = set(), []
    for item in items:
        if fold(item) not in seen:
            seen.add(fold(item))
            out.append(item)
    return out
