import pytest

from bot.render import excerpt
from retrieval.fusion import Calibration, Evidence, Weights, fuse, logistic, z_score
from retrieval.highlight import (
    Match, Sentences, asks_for, best_sentence, content_terms, folded_words, pick, share, weighted_terms,
)
from retrieval.restore import accent_table, restore_diacritics
from retrieval.text import sentences


def choose(question, passage, match=None, dense=None):
    """The highlight of ``passage`` for ``question`` (every word weighing 1), as the pipeline picks it."""
    one = lambda t: 1.0  # noqa: E731
    return best_sentence(passage, Match.of(question if match is None else match, asks_for(question), one),
                         Sentences.of(passage), dense)



CORPUS = [
    "Busan là địa phương đầu tiên kết nghĩa với Thành phố Hồ Chí Minh vào năm 1995.",
    "Hai thành phố hợp tác về cảng biển, logistics và du lịch.",
    "Tổng Bí thư Tô Lâm tiếp Thị trưởng Busan tại thành phố cảng.",
]
ACCENTS = accent_table(CORPUS)


@pytest.mark.parametrize("plain, restored", [
    ("busan ket nghia voi thanh pho ho chi minh", "busan kết nghĩa với thành phố hồ chí minh"),
    ("hop tac cang bien nam nao", "hợp tác cảng biển năm nào"),
    ("tong bi thu to lam", "tổng bí thư tô lâm"),
    ("xyz khong ro", "xyz không ro"),  # unknown words stay; common words come from the built-in list
])
def test_restore_diacritics(plain, restored):
    assert restore_diacritics(plain, ACCENTS) == restored


def test_restore_prefers_the_form_that_fits_the_previous_word():
    accents = accent_table(["ban đầu", "ban đầu", "bàn ghế", "bán hàng", "bán hàng", "bán hàng"])
    assert restore_diacritics("ban dau", accents) == "ban đầu"
    assert restore_diacritics("ban hang", accents) == "bán hàng"


@pytest.mark.parametrize("value, mean, spread, expected", [(0.9, 0.8, 0.05, 2.0), (0.8, 0.8, 0.05, 0.0), (1, 0, 0, 0.0)])
def test_z_score(value, mean, spread, expected):
    assert z_score(value, mean, spread) == pytest.approx(expected)


def test_fuse_weights_each_signal():
    assert fuse(2.0, 0.5, Weights(1.0, 4.0)) == pytest.approx(4.0)
    assert fuse(2.0, 0.5, Weights(0.0, 1.0)) == pytest.approx(0.5)
    assert fuse(2.0, 0.5, Weights(1.0, 4.0), sentence_z=3.0) == pytest.approx(4.0)  # no sentence weight
    assert fuse(2.0, 0.5, Weights(1.0, 4.0, 0.5), sentence_z=3.0) == pytest.approx(5.5)
    assert fuse(2.0, 0.5, Weights(1.0, 4.0, 0.5, 2.0), sentence_z=3.0, sentence_share=0.25) == pytest.approx(6.0)


@pytest.mark.parametrize("terms, present, expected", [
    ({"busan": 3.0, "nam": 1.0}, {"busan", "nam", "x"}, 1.0),
    ({"busan": 3.0, "nam": 1.0}, {"busan"}, 0.75),  # rare words count for more
    ({"busan": 3.0, "nam": 1.0}, {"nam"}, 0.25),
    ({"busan": 3.0}, set(), 0.0),
    ({}, {"busan"}, 0.0),  # nothing asked: nothing covered
])
def test_share(terms, present, expected):
    assert share(terms, present) == pytest.approx(expected)


@pytest.mark.parametrize("lexical, dense, weight, expected", [
    ([1.0, 3.0, 2.0], None, 5.0, 1),  # lexical only
    ([2.0, 2.0, 1.0], None, 5.0, 0),  # a tie goes to the earlier sentence
    ([0.0, 0.0, 0.0], None, 5.0, 0),  # nothing shared: the first sentence
    ([0.0, 0.0, 0.0], [0.80, 0.86, 0.83], 5.0, 1),  # dense decides when no word is shared
    ([3.0, 2.9, 0.0], [0.80, 0.86, 0.90], 5.0, 1),  # a near-tie in words goes to the closer sentence
    ([3.0, 1.0, 0.0], [0.80, 0.86, 0.90], 5.0, 0),  # a clear lexical winner stays
    ([3.0, 1.0, 0.0], [0.80, 0.86, 0.90], 1e6, 2),  # dense only
    ([3.0, 1.0], [0.9, 0.8, 0.7], 5.0, 0),  # dense scores that do not line up are ignored
])
def test_pick_weighs_lexical_share_against_dense_similarity(lexical, dense, weight, expected):
    assert pick(lexical, dense, weight) == expected


@pytest.mark.parametrize("lexical, dense, aligned, weight, expected", [
    ([0.0, 0.0, 0.0], [0.85, 0.85, 0.84], [0.40, 0.55, 0.45], 2.0, 1),  # no word shared: the tokens' alignment decides
    ([3.0, 1.0, 0.0], [0.85, 0.85, 0.85], [0.40, 0.55, 0.45], 2.0, 0),  # a clear lexical winner stays
    ([3.0, 1.0, 0.0], [0.85, 0.85, 0.85], [0.40, 0.55, 0.45], 0.0, 0),  # not weighed: as before
    ([0.0, 0.0, 0.0], [0.85, 0.85, 0.84], [0.40, 0.55], 2.0, 0),  # scores that do not line up are ignored
    ([0.0, 0.0, 0.0], [0.85, 0.85, 0.84], None, 2.0, 0),  # none (a passage not re-ranked by it)
])
def test_pick_weighs_the_tokens_alignment_with_each_sentence(lexical, dense, aligned, weight, expected):
    assert pick(lexical, dense, 5.0, aligned, weight) == expected


def test_confidence_rises_with_evidence():
    cal = Calibration(bias=-4.0, dense=1.0, coverage=4.0, margin=0.5)
    weak = cal.confidence(Evidence(dense_z=1.0, coverage=0.1, margin=0.1))
    strong = cal.confidence(Evidence(dense_z=4.0, coverage=0.9, margin=2.0))
    assert 0.0 < weak < 0.5 < strong < 1.0
    with_sentence = Calibration(bias=-4.0, dense=1.0, coverage=4.0, margin=0.5, sentence=1.0)
    close = with_sentence.confidence(Evidence(dense_z=1.0, coverage=0.1, margin=0.1, sentence_z=3.0))
    assert close == pytest.approx(logistic(-4.0 + 1.0 + 0.4 + 0.05 + 3.0)) and close > 0.5 > weak
    assert logistic(-800) == pytest.approx(0.0) and logistic(800) == pytest.approx(1.0)


PARAGRAPH = ("Chào mừng đoàn, ông Phong nhấn mạnh quan hệ tốt đẹp. Busan là địa phương đầu tiên của Hàn Quốc "
             "thiết lập quan hệ hữu nghị với TP.HCM vào năm 1995. Hai bên hợp tác về thương mại.")


@pytest.mark.parametrize("question, expected_start", [
    ("Busan thiết lập quan hệ với TP.HCM năm nào?", "Busan là địa phương"),
    ("busan thiet lap quan he nam nao", "Busan là địa phương"),
    ("Hai bên hợp tác về lĩnh vực gì?", "Hai bên hợp tác"),
    ("In which year did Busan set up relations?", "Busan là địa phương"),
])
def test_best_sentence(question, expected_start):
    assert choose(question, PARAGRAPH).startswith(expected_start)


def test_best_sentence_uses_dense_similarity_per_sentence():
    parts = sentences(PARAGRAPH)
    dense = [0.0] * len(parts)
    dense[-1] = 1.0  # the last sentence is by far the closest
    assert choose("zzz?", PARAGRAPH) == parts[0]
    assert choose("zzz?", PARAGRAPH, dense=dense) == parts[-1]


def test_best_sentence_of_one_sentence_is_the_passage():
    assert choose("gì?", "Một câu duy nhất") == "Một câu duy nhất"


def test_content_terms_drop_question_words():
    assert content_terms("Busan kết nghĩa với TP.HCM từ năm nào?") == ["busan", "ket", "nghia", "voi", "tp", "hcm", "tu", "nam"] or \
        "nao" not in content_terms("Busan kết nghĩa với TP.HCM từ năm nào?")
    assert "nao" not in content_terms("năm nào")


@pytest.mark.parametrize("question, expected", [
    ("Busan hợp tác", 1.0),
    ("Busan bánh mì", 1 / 3),
    ("gì nào", 0.0),
])
def test_coverage(question, expected):
    passage = folded_words("Busan và TP.HCM hợp tác")
    assert share(weighted_terms(question, lambda t: 1.0), passage) == pytest.approx(expected)


@pytest.mark.parametrize("text", [
    PARAGRAPH,
    'Ông nói: "Hợp tác tốt." (Ảnh: TTXVN) Sau đó, hai bên ký kết... Năm 1995!',
    "Một câu duy nhất không có dấu chấm",
])
def test_a_passages_words_are_the_union_of_its_sentences_words(text):
    # The pipeline measures a passage's coverage from its cached per-sentence words.
    assert frozenset().union(*Sentences.of(text).words) == folded_words(text)


@pytest.mark.parametrize("text, highlight, width, before, after", [
    ("A b c. Đây là câu. D e f.", "Đây là câu.", 100, "A b c. ", " D e f."),
    ("một hai ba bốn năm sáu bảy tám. Câu chính. chín mười mười một mười hai", "Câu chính.", 30, "… tám. ", " chín mười …"),
    ("Không có câu này", "khác", 10, "Không có …", ""),
])
def test_excerpt(text, highlight, width, before, after):
    ex = excerpt(text, highlight, width)
    assert (ex.before, ex.after) == (before, after)
    if highlight in text:
        assert ex.highlight == highlight


@pytest.mark.parametrize("question, expected", [
    ("Busan kết nghĩa với TP.HCM từ năm nào?", "busan quan he huu nghi voi tp.hcm tu nam nao?"),
    ("busan ket nghia nam nao", "busan quan he huu nghi nam nao"),
    ("Thị trưởng Busan tên là gì?", "thi truong busan ten la gi?"),
    ("ông ấy hứa gì", "ong ay cam ket gi"),  # the articles write "cam kết" for a promise
    ("ông Park hứa hẹn những gì?", "ong park cam ket nhung gi?"),
])
def test_vietnamese_synonyms(question, expected):
    from retrieval.glossary import vietnamese_synonyms

    assert vietnamese_synonyms(question) == expected


@pytest.mark.parametrize("question, expected", [
    ("Who is the mayor of Busan?", "thị trưởng"),
    ("Where was the Consulate General opened?", "tổng lãnh sự quán ra mắt"),
    ("How do I bake bread?", ""),
    # other forms of a listed word, by their stems
    ("what does busan want to become globally", "mong muốn trở thành toàn cầu"),
    ("when were they cooperating", "hợp tác"),
    ("the consulates of vietnam", "lãnh sự quán việt nam"),
    # two phrases alike in their stems are each matched only as written
    ("consul general", "tổng lãnh sự"),
    ("consulate general", "tổng lãnh sự quán"),
    ("will the city help the consulate", "thành phố hỗ trợ lãnh sự quán"),
    ("what did busan want about tourism", "mong muốn du lịch"),
])
def test_translate_terms(question, expected):
    from retrieval.glossary import translate_terms

    assert translate_terms(question) == expected


@pytest.mark.parametrize("question, expected", [
    ("베트남 총영사관은 어디에 개설되었나요?", "Việt Nam tổng lãnh sự quán khai trương"),  # the longest word first
    ("부산에서 시장은 무엇을 약속했나요?", "Busan thị trưởng cam kết"),  # particles written onto the words
    ("빵은 어떻게 굽나요?", ""),
])
def test_translate_korean(question, expected):
    from retrieval.glossary import translate_korean

    assert translate_korean(question) == expected


def test_a_korean_question_has_a_lexical_side():
    from retrieval.query import lexical_text
    from retrieval.text import Kind

    assert lexical_text("부산 시장은 누구입니까?", Kind.KO) == "Busan thị trưởng"


@pytest.mark.parametrize("question, expected", [
    # a capitalised title the glossary translates is matched by its translation, not as typed
    ("what did the General Secretary propose?", "tổng bí thư đề nghị"),
    ("was the General Secretary's wife there?", "tổng bí thư phu nhân"),
    # a name it does not translate stays, possessive and all (the index reads "Busan")
    ("what did Busan's mayor say", "Busan thị trưởng"),  # the possessive is no part of the name
    ("who is Park Heong-joon", "Park Heong-joon"),
])
def test_an_english_questions_lexical_side(question, expected):
    from retrieval.query import lexical_text
    from retrieval.text import Kind

    assert lexical_text(question, Kind.EN) == expected


@pytest.mark.parametrize("question, match, expected_start", [
    # The English words match nothing; their glossary translations do.
    ("What did the two sides cooperate on?", "hai bên hợp tác", "Hai bên hợp tác"),
    ("Who welcomed the delegation?", "chào mừng đoàn", "Chào mừng đoàn"),
    # The number is asked for in the question, not in the matched text.
    ("What year did relations start?", "quan hệ", "Busan là địa phương"),
])
def test_best_sentence_matches_the_given_terms(question, match, expected_start):
    assert choose(question, PARAGRAPH, match).startswith(expected_start)


@pytest.mark.parametrize("text, held", [
    ("Hai thành phố kết nghĩa năm 1995.", {"year", "date", "number"}),
    ("Lễ đón ngày 13-8 tại sân bay.", {"date", "number"}),
    ("Busan có ba cảng lớn.", {"number"}),
    ("Thị trưởng cảm ơn đoàn Việt Nam.", set()),
])
def test_the_kinds_a_text_holds_are_one_byte_that_agrees_with_holds(text, held):
    from retrieval.highlight import HELD, held_bits, holds

    bits = held_bits(text)
    assert {kind for i, kind in enumerate(HELD) if bits >> i & 1} == held == {k for k in HELD if holds(k, text)}
