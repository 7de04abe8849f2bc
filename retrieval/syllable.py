"""Vietnamese syllables: whether a word is one, and Telex / VNI typing decoded into one (pure).

Vietnamese is written in syllables of a fixed shape: an optional onset, a rhyme from a closed
list, and one tone mark. That shape is a fact of the orthography, not of any question, so it
tells a typo from a word the articles happen not to hold ("giúp" is a word; "giúpp" is not), and
it tells when a word typed with the Vietnamese keyboard switched off ("thij", "truowng", "laf")
decodes into a real syllable ("thị", "trương", "là"). The onset and rhyme tables are the
standard ones of Vietnamese orthography (onsets with their spelling variants gh/ngh/k/qu).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_ONSETS = ("ngh ng nh ch gh gi kh ph qu th tr b c d đ g h k l m n p r s t v x").split()
_RHYMES = frozenset("""
a ac ach ai am an ang anh ao ap at au ay
ă ăc ăm ăn ăng ăp ăt
â âc âm ân âng âp ât âu ây
e ec em en eng eo ep et
ê êch êm ên ênh êp êt êu
i ia ich im in inh ip it iu iêc iêm iên iêng iêp iêt iêu
o oa oac oach oai oam oan oang oanh oao oap oat oay oăc oăm oăn oăng oăt oc oe oem oen oeo oet
oi om on ong ooc oong op ot
ô ôc ôi ôm ôn ông ôp ôt
ơ ơi ơm ơn ơp ơt
u ua uân uâng uât uây uc uê uêch uênh ui um un ung uơ uôc uôi uôm uôn uông uôt up ut
uy uya uych uyên uyêt uynh uyt uyu
ư ưa ưc ưi ưm ưn ưng ưt ưu ươc ươi ươm ươn ương ươp ươt ươu
y yêm yên yêng yêt yêu
""".split())
# grave, acute, tilde, hook above, dot below: the five tone marks (the sixth tone has none)
_TONE_MARKS = {"\u0300": "f", "\u0301": "s", "\u0303": "x", "\u0309": "r", "\u0323": "j"}
_STOP_CODAS = ("c", "ch", "p", "t")  # a syllable closed by one of these takes only sắc or nặng


def _split_tone(word: str) -> tuple[str, str]:
    """(the word without its tone mark, the tone's Telex letter or ""); "" for two tones."""
    decomposed = unicodedata.normalize("NFD", word)
    tones = [ch for ch in decomposed if ch in _TONE_MARKS]
    if len(tones) > 1:
        return "", ""
    bare = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONE_MARKS))
    return bare, _TONE_MARKS[tones[0]] if tones else ""


@lru_cache(maxsize=1 << 16)
def is_syllable(word: str) -> bool:
    """Whether ``word`` is a well-formed Vietnamese syllable ("giúp", "nghiêng", "quốc", "là")."""
    bare, tone = _split_tone(word.lower())
    if not bare:
        return False
    onsets = sorted((o for o in _ONSETS if bare.startswith(o)), key=len, reverse=True) + [""]
    return any(_fits(onset, bare[len(onset):], tone) for onset in onsets)


def _fits(onset: str, rhyme: str, tone: str) -> bool:
    if onset == "gi" and not rhyme:
        return True  # "gì"
    front = rhyme[:1] in ("i", "e", "ê", "y")
    if (onset in ("k", "gh", "ngh") and not front) or (onset in ("c", "g", "ng") and front and onset + rhyme != "gi"):
        return False  # spelling: k/gh/ngh before i e ê, c/g/ng elsewhere
    if onset == "qu" and rhyme.startswith("u"):
        return False
    candidates = [rhyme] + (["i" + rhyme] if onset == "gi" else [])  # "gìn", "giết": the i is shared
    if not any(r in _RHYMES for r in candidates):
        return False
    return not (tone and tone not in "sj" and rhyme.endswith(_STOP_CODAS))


# Telex: a doubled vowel or a w adds the circumflex, breve or horn; dd is đ; a trailing
# s f r x j is the tone. VNI: the same by digits (6 circumflex, 7 horn, 8 breve, 9 đ, 1-5 tones).
_TELEX_LETTERS = [("uow", "ươ"), ("aa", "â"), ("aw", "ă"), ("ee", "ê"), ("oo", "ô"), ("ow", "ơ"), ("uw", "ư"),
                  ("dd", "đ"), ("w", "ư")]
_VNI_LETTERS = [("u7o7", "ươ"), ("uo7", "ươ"), ("a6", "â"), ("a8", "ă"), ("e6", "ê"), ("o6", "ô"), ("o7", "ơ"),
                ("u7", "ư"), ("d9", "đ")]
_TONE_OF = {"s": "\u0301", "f": "\u0300", "r": "\u0309", "x": "\u0303", "j": "\u0323",
            "1": "\u0301", "2": "\u0300", "3": "\u0309", "4": "\u0303", "5": "\u0323"}
_VOWELS = "aăâeêioôơuưy"
# Telex lets the tone and the doubling vowel be typed late, once the consonant that ends the
# syllable is typed: "laxnh" is "lanhx" (lãnh), "ketes" is "keets" (kết).
_CODA = r"(?:ch|nh|ng|c|m|n|p|t)"
_LATE_TONE = re.compile(r"^(.*[aeiouyw][a-z]*?)([sfrxj])([cghmnptiouy]+)$")
_LATE_DOUBLE = re.compile(rf"^(.*?)([aeo])({_CODA})\2$")
_TELEX_MARK = re.compile(r"aa|ee|oo|w|dd")  # a word with one of these is typed in Telex, not English


def _place_tone(bare: str, mark: str) -> str:
    """``bare`` with the tone ``mark`` where the articles put it: on a vowel with a diacritic;
    else, after a final consonant, on the last vowel ("hoàn"); else on the middle of three
    ("ngoài") or the first of two ("hòa", "thủy", "mía")."""
    start = 2 if bare.startswith(("qu", "gi")) and len(bare) > 2 and bare[2] in _VOWELS else 0
    vowels = [i for i in range(start, len(bare)) if bare[i] in _VOWELS]
    if not vowels:
        return ""
    marked = [i for i in vowels if bare[i] in "ăâêôơư"]
    if marked:
        at = marked[-1]
    elif vowels[-1] < len(bare) - 1:
        at = vowels[-1]
    else:
        at = vowels[len(vowels) // 2] if len(vowels) == 3 else vowels[0]
    return unicodedata.normalize("NFC", bare[: at + 1] + mark + bare[at + 1:])


def _late_w(bare: str) -> str:
    rest = bare.replace("w", "")
    for plain, marked in (("uo", "uow"), ("o", "ow"), ("u", "uw"), ("a", "aw")):
        if plain in rest:
            head, _, tail = rest.rpartition(plain)
            return head + marked + tail
    return bare


@lru_cache(maxsize=1 << 16)
def decode_typing(word: str) -> str:
    """The syllable a word typed in Telex or VNI with the Vietnamese keyboard off stands for
    ("thij" -> "thị", "truowng" -> "trương", "laf" -> "là", "d9i5a" -> ...), or "" when it
    decodes to no well-formed syllable or has nothing to decode. Case is not kept."""
    lower = word.lower()
    if not lower.isascii() or not any(ch.isalpha() for ch in lower):
        return ""
    vni = any(ch.isdigit() for ch in lower)
    bare, tone = lower, ""
    if vni:
        digits = [ch for ch in bare if ch in "12345"]
        if len(digits) > 1:
            return ""
        tone = digits[0] if digits else ""
        bare = bare.replace(tone, "") if tone else bare
        for typed, letter in _VNI_LETTERS:
            bare = bare.replace(typed, letter)
        if any(ch.isdigit() for ch in bare):
            return ""
    else:
        late = _LATE_TONE.match(bare)  # "laxnh", "toonrg": the tone typed before the final consonant
        if late and (late[2] != "s" or _TELEX_MARK.search(late[1])):  # "last", "test": English, not "lát"
            bare = late[1] + late[3] + late[2]
        if len(bare) > 1 and bare[-1] in "sfrxj" and any(ch in _VOWELS for ch in bare[:-1]):
            bare, tone = bare[:-1], bare[-1]
        bare = _LATE_DOUBLE.sub(r"\1\2\2\3", bare)  # "ketes": the doubling vowel typed after the final consonant
        if bare.count("w") == 1 and not bare.startswith("w") and re.search(r"w[^aeiouy]*$", bare):
            bare = _late_w(bare)  # "hopwj": the w typed after the rhyme still marks its vowel
        for typed, letter in _TELEX_LETTERS:
            bare = bare.replace(typed, letter)
        if "w" in bare:
            return ""
    if bare == lower:
        return ""
    decoded = _place_tone(bare, _TONE_OF[tone]) if tone else bare
    return decoded if decoded and is_syllable(decoded) else ""

