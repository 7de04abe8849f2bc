"""Chat input made plain before anything else reads it (pure functions).

People paste text with invisible characters, type tone marks in either placement, add emoji,
numbering and stray characters, and write in shorthand ("ko", "dc", "j", "vs"). None of that
may change the answer: ``as_typed`` removes the noise (how the question was typed is read from
what is left) and ``written_out`` writes the rest out; the planner calls both, and nothing
else in the library sees the raw text.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from pathlib import Path

from .text import expand_abbreviations, fold

# Zero-width and joiner characters, bidi marks and isolates, word joiner and invisible operators,
# byte-order mark, soft hyphen, Mongolian vowel separator, variation selectors.
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufe00-\ufe0f]")
_TONES = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below
# "hoà", "khoẻ", "thuỷ" (tone on the second vowel of an open oa / oe / uy) -> "hòa", "khỏe",
# "thủy": the placement the articles use. Not after "q": in "quý" the "u" is part of "qu".
_SECOND_VOWEL_TONE = re.compile(f"(?<![qQ])([oO][aAeE]|[uU][yY])([{_TONES}])(?!\\w)")
_LEADING_ENUMERATION = re.compile(r"^\s*(?:\d{1,3}[.)]|[-*•>]+|[A-Za-z][)])\s+")
_REPEATED_PUNCTUATION = re.compile(r"([?!.,;:])\1+")
_CHAT = tomllib.loads((Path(__file__).parent / "data" / "chat.toml").read_text(encoding="utf-8"))
_SHORTHAND = {k.casefold(): v for k, v in _CHAT["shorthand"].items()}
# A clause starts the text or follows clause punctuation; framing is matched there, whole words.
_LEADING = re.compile(r"(?:^|(?<=[,.:;!?]))\s*(?:" + "|".join(_CHAT["framing"]["leading"]) + r")[\s,.:;!]*")
_TRAILING = re.compile(r"(?:^|\s)(?:" + "|".join(_CHAT["framing"]["trailing"]) + r")(?=[\s?!.]*$)")
_TOKEN = re.compile(r"[^\W\d_]+|\S", re.UNICODE)


def clean_unicode(text: str) -> str:
    """Invisible and control characters out, compatibility forms folded (NFKC), tone marks placed
    as the articles place them. Lone surrogates (undecodable bytes) are dropped."""
    text = "".join(" " if ch in "\t\n\r\x0b\x0c\x85\u2028\u2029" else ch for ch in text
                   if unicodedata.category(ch) not in ("Cc", "Cs", "Co") or ch in "\t\n\r\x0b\x0c\x85")
    text = _INVISIBLE.sub("", text)
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", text))
    return unicodedata.normalize("NFC", _SECOND_VOWEL_TONE.sub(lambda m: m[1][0] + m[2] + m[1][1], decomposed))


def strip_decoration(text: str) -> str:
    """Emoji and pictographs, leading numbering ("1.", "-", "a)"), repeated punctuation and
    whatever follows the last question mark when it holds no word (" 2", " 😊")."""
    text = "".join(" " if unicodedata.category(ch) in ("So", "Sk") else ch for ch in text)
    text = _LEADING_ENUMERATION.sub("", text)
    text = _REPEATED_PUNCTUATION.sub(r"\1", text)
    head, mark, tail = text.rpartition("?")
    if mark and head.strip() and not re.search(r"[^\W\d_]", tail):
        text = head + mark
    return " ".join(text.split())


def expand_shorthand(text: str) -> str:
    """Chat shorthand written out ("ko" -> "không", "vs" -> "với", "TBT" -> "Tổng Bí thư"),
    whole tokens only; a one-letter one ("k", "j", "r") only when typed in lower case, since a
    capital is likelier a name or a grade ("vitamin K")."""
    def expand(token: str) -> str:
        if not token[0].isalpha() or (len(token) == 1 and not token.islower()):
            return token
        return _SHORTHAND.get(token.casefold(), token)

    return "".join(expand(m.group(0)) for m in re.finditer(r"[^\W_]+|[\W_]+", text))


def as_typed(text: str) -> str:
    """The question's own words, cleaned but not yet written out: what says how it was typed."""
    return strip_decoration(clean_unicode(text or ""))


def written_out(typed: str, shorthand: bool = True) -> str:
    """``as_typed``'s text with abbreviations ("TP.HCM") and (unless the question is in another
    language than Vietnamese) chat shorthand written out."""
    text = expand_abbreviations(typed)
    return expand_shorthand(text) if shorthand else text


def strip_framing(text: str) -> str:
    """The question without what it is wrapped in: greetings, "cho em hỏi", "mình đang tìm hiểu
    về", "can you tell me", and the particles it ends on ("ạ", "vậy", "nhé"); matched on the
    folded text, so typed with or without diacritics alike (the lists: data/chat.toml
    [framing]). A text that is nothing but framing ("hi", "cảm ơn") is returned as it is."""
    current = text
    while True:
        folded = fold(current)
        if len(folded) != len(current):  # folding changed the length: spans would not line up
            return current
        spans = [m.span() for m in _LEADING.finditer(folded) if m.end() > m.start()]
        spans += [m.span() for m in _TRAILING.finditer(folded)]
        if not spans:
            break
        kept, at = [], 0
        for start, end in sorted(spans):
            if start >= at:
                kept.append(current[at:start])
                at = end
        stripped = " ".join(" ".join(kept + [current[at:]]).split()).strip(" ,.;:")
        stripped = re.sub(r"\s+([?!.,])", r"\1", stripped)
        if stripped == current or not re.search(r"[^\W\d_]", stripped):
            break
        current = stripped
    return current if re.search(r"[^\W\d_]", current) else text
