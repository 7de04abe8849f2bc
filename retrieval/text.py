"""Pure text functions: normalisation, accent folding, tokens, sentences, question kinds."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from enum import Enum

from .glossary import GLOSSARY_WORDS
from .lexicon import COMMON_VI, ENGLISH, VIETNAMESE_PLAIN

_WORD = re.compile(r"\w+", re.UNICODE)
# Vietnamese letters that only exist with a diacritic (plus đ); one is enough to say
# the writer typed diacritics.
_VI_MARKED = set("àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ")
_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+(?=[\"'“‘(]?[A-ZÀ-Ỹ0-9Đ])")

class Kind(str, Enum):
    """What kind of question arrived; each kind leans on the retrievers differently."""

    VI = "vi"  # Vietnamese typed with diacritics
    VI_PLAIN = "vi_plain"  # Vietnamese typed without diacritics
    EN = "en"
    KO = "ko"
    OTHER = "other"


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def detached(text: str) -> str:
    """An equal string that is not ``text`` itself, for handing a long-lived text to C code.

    sqlite3 and psycopg's C adapters take a string's UTF-8 form from CPython, which keeps that
    form inside the string for as long as it lives: each corpus text written that way would hold
    a second copy of itself (measured: ~1 KB a paragraph, a gigabyte at a million paragraphs).
    The copy dies with the row written."""
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "surrogatepass")


def clean_space(text: str) -> str:
    return " ".join(text.split())


def fold(text: str) -> str:
    """Lower-case and strip diacritics (đ -> d): 'Kết nghĩa' -> 'ket nghia'."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    # Recompose: Hangul syllables decompose into jamo under NFD and must come back whole.
    return unicodedata.normalize("NFC", stripped).replace("đ", "d")


@lru_cache(maxsize=1 << 18)
def fold_word(word: str) -> str:
    """fold() of one word, memoised: a corpus has few distinct words but millions of tokens."""
    return fold(word)


def words(text: str) -> list[str]:
    """Lower-cased NFC word tokens (syllables for Vietnamese)."""
    return _WORD.findall(nfc(text).lower())


def has_vietnamese_marks(text: str) -> bool:
    return any(ch in _VI_MARKED for ch in nfc(text).lower())


def question_kind(text: str) -> Kind:
    if _HANGUL.search(text):
        return Kind.KO
    if has_vietnamese_marks(text):
        return Kind.EN if _english_around_names(text) else Kind.VI
    tokens = [fold(w) for w in words(text) if not w.isdigit()]
    if not tokens:
        return Kind.OTHER
    english, vietnamese = _language_votes(tokens)
    if vietnamese > english:
        return Kind.VI_PLAIN
    if english:
        return Kind.EN
    return Kind.VI_PLAIN if all(_looks_like_vi_syllable(t) for t in tokens) else Kind.OTHER


TYPED_WORD = re.compile(r"[^\W_]+")  # words as typed, case kept, digits in (VNI types tones as digits)


def _english_around_names(text: str) -> bool:
    """An English sentence that names a Vietnamese person or place with its marks ("what did
    General Secretary Tô Lâm say?"): every word with marks is capitalised (a name), and the
    other words vote English, two at least; or a name typed in lower case ("what did tô lâm say
    about the port"): three marked words at most, the other words voting English, three at
    least, and none Vietnamese. More marked words in lower case ("Tô Lâm đến Busan khi nào",
    "ông ấy nói gì about it") or words that vote Vietnamese ("Tô Lâm den busan khi nao") keep it
    Vietnamese."""
    typed = TYPED_WORD.findall(nfc(text))  # as typed: ``words`` lower-cases
    marked = [w for w in typed if has_vietnamese_marks(w)]
    english, vietnamese = _language_votes([fold(w) for w in typed if not has_vietnamese_marks(w) and not w.isdigit()])
    if any(not w[0].isupper() for w in marked):
        return len(marked) <= 3 and english >= 3 and not vietnamese
    return english >= 2 and english > vietnamese


# The restorer's common words vote for Vietnamese too ("sao", "vì" of "vi sao").
_VIETNAMESE_VOTES = VIETNAMESE_PLAIN | {fold(w) for w in COMMON_VI}


def _english_votes() -> frozenset[str]:
    """The common English words, and the words the glossary translates from English that are
    no Vietnamese syllable too ("consulate", not "song"): "the consulate" is English."""
    return ENGLISH | {w for w in GLOSSARY_WORDS if w.isascii() and w.isalpha() and not _looks_like_vi_syllable(w)}


def _language_votes(tokens: list[str]) -> tuple[int, int]:
    """Votes of a plain-letters question's words, each decided on its own: a common Vietnamese
    word or a common English word counts one (a word of both lists nothing); any other word
    shaped like a Vietnamese syllable half a vote for Vietnamese; names and the rest nothing."""
    english = vietnamese = 0.0
    for t in tokens:
        if t in _VIETNAMESE_VOTES and t in _ENGLISH_VOTES:  # "do" (English "do", Vietnamese "do"/"đó")
            continue
        if t in _VIETNAMESE_VOTES:
            vietnamese += 1
        elif t in _ENGLISH_VOTES:
            english += 1
        elif _looks_like_vi_syllable(t):  # "tham", but also English "day": half a vote
            vietnamese += 0.5
    return english, vietnamese


_VI_SYLLABLE = re.compile(
    r"^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?"
    r"(uye|oai|oay|uay|uoi|uou|ieu|yeu|uya|oa|oe|uy|ie|ye|uo|ua|ai|ao|au|ay|eo|eu|ia|iu|oi|ui|ua|uu|ue|[aeiouy])"
    r"(ng|nh|ch|[cmnpt]|[iouy])?$"
)


def _looks_like_vi_syllable(token: str) -> bool:
    return bool(_VI_SYLLABLE.match(token))


_ENGLISH_VOTES = _english_votes()


def could_be_vietnamese(word: str) -> bool:
    """Whether a word, folded, has the shape of a Vietnamese syllable ("met" yes, "mayor" no)."""
    return _looks_like_vi_syllable(fold(word))


# A name ends where Hangul starts: "Phong은" is "Phong" and a Korean particle.
_NAME_OR_NUMBER = re.compile(r"\b(?:\d[\w.,-]*|[A-ZÀ-Ỹ](?:[^\W가-힣]|['-])*)", re.UNICODE)


def names_and_numbers(text: str) -> str:
    """Capitalised words and numbers: what survives translation; not a first word that is a
    common English word, capitalised as a sentence starts ("Who", "Tell"; "Busan", "Nguyễn" stay).

    An English question shares little with Vietnamese text beyond names and figures, so
    only these go to the lexical index for it.
    """
    found = [re.sub(r"'s$", "", name) for name in _NAME_OR_NUMBER.findall(nfc(text))]  # "Tô Lâm's": "Lâm"
    first = _WORD.search(text)
    if found and first and found[0] == first.group(0) and found[0].lower() in ENGLISH:
        found = found[1:]
    return " ".join(found)


# Standard Vietnamese abbreviations, written out so both spellings meet.
_ABBREVIATIONS = [
    (re.compile(r"\b(?:TP\.?\s?HCM|Tp\.?\s?HCM|tp\.?\s?hcm|TPHCM|tphcm|HCMC|hcmc)\b"), "Thành phố Hồ Chí Minh"),
    (re.compile(r"\b(?:HCM|hcm)\b"), "Hồ Chí Minh"),
    (re.compile(r"\b(?:TP|Tp|tp)\.?(?=\s|$)"), "thành phố"),
]


def expand_abbreviations(text: str) -> str:
    """'TP.HCM' / 'TP HCM' / 'HCMC' -> 'Thành phố Hồ Chí Minh'; 'TP Busan' -> 'thành phố Busan'."""
    for pattern, full in _ABBREVIATIONS:
        text = pattern.sub(full, text)
    return text


def lexical_terms(text: str) -> list[str]:
    """Terms for BM25: accent-folded syllables and adjacent-syllable bigrams.

    Folding lets 'ket nghia' meet 'kết nghĩa'; bigrams give back some of the
    precision folding loses ('thanh pho' vs 'thanh' alone).
    """
    folded = [fold_word(w) for w in words(expand_abbreviations(text))]
    bigrams = [f"{a}_{b}" for a, b in zip(folded, folded[1:])]
    return folded + bigrams


def sentences(text: str) -> list[str]:
    """Split a paragraph into sentences; a paragraph without a full stop is one sentence."""
    parts = [p.strip() for p in _SENTENCE_END.split(clean_space(text))]
    return [p for p in parts if p]


def passage_sentences(text: str) -> list[str]:
    """The sentences a passage is scored and highlighted by (one at least); each has a vector."""
    return sentences(text) or [text]


def lang_of(kind: Kind | None) -> str:
    """The language a front end answers in: English for English, Korean and the unrecognised."""
    return "en" if kind in (Kind.EN, Kind.KO, Kind.OTHER) else "vi"
