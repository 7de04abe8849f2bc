"""Understanding chat input beyond its words: syllable shape, Telex / VNI typed with the
Vietnamese keyboard off, framing around a question (pure functions, table-driven)."""

import pytest

from retrieval.normalise import strip_framing
from retrieval.query import Planner
from retrieval.restore import accent_table
from retrieval.syllable import decode_typing, is_syllable
from retrieval.text import Kind

CORPUS = [
    "Busan là địa phương đầu tiên kết nghĩa với Thành phố Hồ Chí Minh vào năm 1995.",
    "Tổng Bí thư Tô Lâm tiếp Thị trưởng Busan Park Heong-joon tại sân bay Gimhae.",
    "Hai thành phố hợp tác về cảng biển, logistics, du lịch và đào tạo công chức.",
]


@pytest.mark.parametrize("word, ok", [
    ("giúp", True), ("giữ", True), ("gìn", True), ("gì", True), ("quốc", True), ("quy", True),
    ("nghiêng", True), ("khuya", True), ("thuyền", True), ("người", True), ("Việt", True), ("hợp", True),
    ("kết", True), ("gặp", True), ("oanh", True),
    ("giúpp", False), ("ợhp", False), ("hcm", False), ("Busan", False), ("ngin", False),  # ngh before i
    ("kan", False), ("ghà", False),  # k / gh only before i e ê
    ("hợt", True), ("hỏt", False),  # a stop-closed syllable takes only sắc or nặng
    ("hóà", False),  # two tones
])
def test_is_syllable(word, ok):
    assert is_syllable(word) is ok


@pytest.mark.parametrize("typed, syllable", [
    ("thij", "thị"), ("truowng", "trương"), ("truowngr", "trưởng"), ("laf", "là"), ("naof", "nào"),
    ("nawm", "năm"), ("dduwowcj", "được"), ("nguwowif", "người"), ("nguowif", "người"), ("vieetj", "việt"),
    ("hopwj", "hợp"), ("khoong", "không"), ("hoaf", "hòa"), ("quoocs", "quốc"),
    ("d9i5", "đị"), ("tho6ng1", "thống"), ("thi5", "thị"), ("ngu7o7i2", "người"), ("ngoaif", "ngoài"), ("hoanf", "hoàn"), ("giaf", "già"), ("quas", "quá"),  # VNI
    ("laxnh", "lãnh"), ("toonrg", "tổng"), ("ketes", "kết"), ("ddaauf", "đầu"), ("vieejt", "việt"),  # typed late
    ("maasy", "mấy"), ("caaju", "cậu"),  # the tone typed before a final vowel letter
    ("test", ""), ("first", ""), ("cede", ""),  # English: no late tone or doubling makes a syllable of them
    ("ai", ""), ("busan", ""), ("minh", ""),  # nothing to decode
    ("after", ""), ("mayor", ""), ("tphcm", ""), ("Gimhae", ""),  # no syllable comes out
])
def test_decode_typing(typed, syllable):
    assert decode_typing(typed) == syllable


def test_a_question_typed_in_telex_is_read_as_vietnamese():
    planner = Planner(accent_table(CORPUS), lambda t: 1.0)
    plan = planner.plan("thij truowngr busan laf ai")
    assert plan.kind is Kind.VI
    assert plan.read_as == "thị trưởng busan là ai"
    assert plan.question == "thij truowngr busan laf ai"  # what the user typed is kept as typed
    # English words that would decode to a syllable ("was" -> "ứa") are known words: left alone
    english = planner.plan("When was Busan twinned with Ho Chi Minh City?")
    assert english.kind is Kind.EN and "was" in english.read_as


def test_a_real_word_the_articles_lack_is_not_mended_into_one_they_hold():
    planner = Planner(accent_table(CORPUS), lambda t: 1.0)
    assert "giúp" in planner.plan("Busan giúp gì cho người Việt?").read_as
    assert "hợp tác" in planner.plan("Busan hợp tsác với ai?").read_as  # a real typo is still mended


@pytest.mark.parametrize("question, core", [
    ("em đang tìm hiểu về Busan, cho em hỏi thị trưởng là ai ạ", "Busan, thị trưởng là ai"),
    ("cho mình hỏi Busan kết nghĩa với TP.HCM năm nào vậy ạ?", "Busan kết nghĩa với TP.HCM năm nào?"),
    ("cho minh hoi busan ket nghia voi tphcm nam nao vay a", "busan ket nghia voi tphcm nam nao"),
    ("bạn ơi, mình muốn biết Busan hợp tác những lĩnh vực gì nhé", "Busan hợp tác những lĩnh vực gì"),
    ("mk muốn hỏi về cảng biển thông minh", "cảng biển thông minh"),
    ("Can you tell me who the mayor of Busan is?", "who the mayor of Busan is?"),
    ("hi, i want to know when busan and saigon became partners", "when busan and saigon became partners"),
    ("please, what did the mayor promise?", "what did the mayor promise?"),
    ("cho tớ hỏi ngu tí, thị trưởng busan là ai", "thị trưởng busan là ai"),
    ("xin lỗi cho hỏi thị trưởng busan là ai", "thị trưởng busan là ai"),
    ("mình có thắc mắc là thị trưởng busan là ai", "thị trưởng busan là ai"),
    ("không biết là thị trưởng busan là ai nhỉ", "thị trưởng busan là ai"),
    ("ai biết chỉ mình với, Busan ở đâu", "Busan ở đâu"),
    ("cho e hỏi xíu ạ busan ở đâu", "busan ở đâu"),
    ("can u tell me who is the mayor of busan", "who is the mayor of busan"),
    # nothing to strip: the question itself, whatever words it starts or ends with
    ("Ai là thị trưởng Busan?", "Ai là thị trưởng Busan?"),
    ("anh Park là ai", "anh Park là ai"),
    ("Busan rộng bao nhiêu ha", "Busan rộng bao nhiêu ha"),  # "ha" a hectare, not "hả"
    ("Tổng Bí thư đã hội đàm với ai?", "Tổng Bí thư đã hội đàm với ai?"),
    ("chi phí bao nhiêu", "chi phí bao nhiêu"),
    # chat shorthand in the framing: "bn ơi" is "bạn ơi" (not "bao nhiêu"), "z" is "vậy", "ad" the admin
    ("bn ơi cho mk hỏi tbt đến busan ngày nào z", "tbt đến busan ngày nào"),
    ("mn ơi busan ở đâu", "busan ở đâu"),
    ("lanh su quan ra mat khi nao vay ad", "lanh su quan ra mat khi nao"),
    ("busan có gì để bán", "busan có gì để bán"),  # "bán" (sell) is no "bạn" said at the end
    # changing the subject: what follows is a new question ("khác" is no "besides that")
    ("thôi hỏi cái khác, busan là cảng lớn thứ mấy thế giới", "busan là cảng lớn thứ mấy thế giới"),
    ("hoi chuyen khac nha, busan o dau", "busan o dau"),
    ("another question: who is the mayor", "who is the mayor"),
    ("busan còn hợp tác cái khác không", "busan còn hợp tác cái khác không"),  # asked of the topic: kept
    # nothing but framing: left as it is (a social turn, not a question)
    ("cảm ơn", "cảm ơn"), ("hi", "hi"),
])
def test_strip_framing(question, core):
    assert strip_framing(question) == core


@pytest.mark.parametrize("question", [
    "Which Panthers player got a penalty, which gave the Broncos a new set of downs?",  # not "dớn"
    "If two integers are multiplied, what is this expression set called?",  # not "ì"
    "How many species of trees can be found in the Amazon rainforest?",  # not "trế"
])
def test_english_sentences_are_not_decoded_as_telex(question):
    assert Planner(accent_table(CORPUS + ["cả trế dớn ì"]), lambda t: 1.0).decode_keyboard_off(question) == question


def test_telex_beside_an_english_word_is_decoded():
    assert Planner(accent_table(CORPUS), lambda t: 1.0).decode_keyboard_off("Busan mayor laf ai") == "Busan mayor là ai"


@pytest.mark.parametrize("question, held, expressed", [
    # every content word has a Vietnamese side: the glossary's, a name, the articles' own word
    ("When was Busan twinned with Ho Chi Minh City?", "", 1.0),
    ("so when did busan and saigon become partners?", "busan", 1.0),  # "busan" typed in lower case
    # words the lexical side cannot express make its coverage worth that much less
    ("what did the mayor promise?", "", 1.0),  # "promise": "cam kết"
    ("what did the mayor sing?", "", 0.5),  # "sing" has no Vietnamese side
    ("where did the leader's yacht dock?", "", 1 / 3),  # "yacht", "dock"
    ("what is it?", "", 1.0),  # nothing but stop words: nothing to discount
])
def test_an_english_question_says_how_much_of_it_the_lexical_side_expresses(question, held, expressed):
    plan = Planner(accent_table(CORPUS), lambda t: 1.0).plan(question)
    assert plan.kind is Kind.EN
    assert plan.expressed == pytest.approx(expressed)
    assert (held in plan.lexical_text.split()) if held else True


def test_a_vietnamese_question_is_wholly_expressed():
    assert Planner(accent_table(CORPUS), lambda t: 1.0).plan("thị trưởng Busan là ai").expressed == 1.0
