"""Chat-style input: normalisation, typos, half-accented questions, language per word (pure functions)."""

import pytest

from retrieval.glossary import translate_terms
from retrieval.highlight import asks_for, figures, holds, holds_beyond
from retrieval.normalise import as_typed, clean_unicode, expand_shorthand, strip_decoration, written_out
from retrieval.query import Planner, question_names, written_forms
from retrieval.restore import accent_table, plain_share, restore_diacritics
from retrieval.spelling import correction, edits
from retrieval.text import Kind, question_kind

CORPUS = [
    "Busan là địa phương đầu tiên kết nghĩa với Thành phố Hồ Chí Minh vào năm 1995.",
    "Tổng Bí thư Tô Lâm tiếp Thị trưởng Busan Park Heong-joon tại sân bay Gimhae.",
    "Hai thành phố hợp tác về cảng biển, logistics, du lịch và đào tạo công chức.",
]
ACCENTS = accent_table(CORPUS)


@pytest.mark.parametrize("raw, clean", [
    ("Busan kết\u200b nghĩa", "Busan kết nghĩa"),  # zero-width space inside a word
    ("Bu\u00adsan", "Busan"),  # soft hyphen
    ("Bu\x00san", "Busan"),  # NUL
    ("\u202eBusan\u202c", "Busan"),  # bidi override
    ("hoà bình, thuỷ lợi, khoẻ", "hòa bình, thủy lợi, khỏe"),  # tone on the first vowel, as the articles write
    ("hoàn toàn, quý, Hoà", "hoàn toàn, quý, Hòa"),  # closed syllables and "qu" keep theirs
    ("ＴＰ．ＨＣＭ", "TP.HCM"),  # full-width forms
    ("ke\u0301t nghi\u0303a", "két nghĩa"),  # decomposed marks composed
    ("Busan\nkết", "Busan kết"),
    ("Bus\ud800an", "Busan"),  # a lone surrogate (undecodable byte) dropped
])
def test_clean_unicode(raw, clean):
    assert " ".join(clean_unicode(raw).split()) == clean


@pytest.mark.parametrize("raw, plain", [
    ("Busan kết nghĩa năm nào? 2", "Busan kết nghĩa năm nào?"),
    ("1. Busan kết nghĩa năm nào?", "Busan kết nghĩa năm nào?"),
    ("- busan ket nghia", "busan ket nghia"),
    ("busan ket nghia 😊🙏", "busan ket nghia"),
    ("năm nào??? ", "năm nào?"),
    ("năm nào?? 1", "năm nào?"),
    ("2 thành phố hợp tác gì?", "2 thành phố hợp tác gì?"),  # a leading figure that is part of the question
    ("What? Really", "What? Really"),  # words after the question mark stay
])
def test_strip_decoration(raw, plain):
    assert strip_decoration(raw) == plain


@pytest.mark.parametrize("raw, full", [
    ("busan vs hcm ko", "busan với hcm không"),
    ("TBT đc đón ở đâu", "Tổng Bí thư được đón ở đâu"),
    ("linh vuc j", "linh vuc gì"),
    ("tp hcm mún busan giúp gì", "tp hcm muốn busan giúp gì"),
    ("vitamin K", "vitamin K"),  # a capital single letter is no shorthand
    ("10k", "10k"),
    ("ko.", "không."),
])
def test_expand_shorthand(raw, full):
    assert expand_shorthand(raw) == full


def test_normalise_writes_out_abbreviations_whole():
    assert written_out(as_typed("Busan kết nghĩa vs TP.HCM ?? 2")) == "Busan kết nghĩa với Thành phố Hồ Chí Minh ?"
    assert as_typed("1. busan\u200b ko 😊") == "busan ko"


@pytest.mark.parametrize("word, fixed", [
    ("ngiha", "nghia"),  # swapped letters
    ("busna", "busan"),
    ("nghiaa", "nghia"),  # a doubled letter
    ("busan", None),  # known
    ("xyzzyq", None),  # nothing near
    ("ab", None),  # too short to tell
])
def test_correction(word, fixed):
    vocabulary = {"nghia", "busan", "ket", "nam"}
    assert correction(word, vocabulary) == fixed


def test_an_ambiguous_typo_is_left_alone():
    assert correction("bam", {"nam", "bao", "ban"}) is None
    assert "ab" in edits("ba") and "a" in edits("ab")


@pytest.mark.parametrize("typed, restored", [
    ("busan ket nghia nam nao", "busan kết nghĩa năm nào"),  # a common phrase the corpus lacks
    ("Busan kết nghia voi thanh pho", "busan kết nghĩa với thành phố"),  # typed marks stay and steer
    ("tong bi thu to lam", "tổng bí thư tô lâm"),
])
def test_restoration_of_plain_and_half_accented_words(typed, restored):
    assert restore_diacritics(typed, ACCENTS) == restored


@pytest.mark.parametrize("text, low, high", [
    ("Busan kết nghĩa với Thành phố Hồ Chí Minh năm nào", 0.0, 0.1),
    ("Busan ket nghia voi thanh pho Hồ Chí Minh nam nào", 0.5, 0.8),
    ("busan ket nghia voi thanh pho", 0.99, 1.0),
])
def test_plain_share(text, low, high):
    assert low <= plain_share(text, ACCENTS) <= high


@pytest.mark.parametrize("question, kind", [
    ("to lam tham busan ngay nao", Kind.VI_PLAIN),  # per word: no English word in it
    ("tbt de nghi busan lam gi", Kind.VI_PLAIN),
    ("vi sao busan than voi vn", Kind.VI_PLAIN),  # a name is of no language; "than" alone is not English enough
    ("who is busan mayor", Kind.EN),
    ("busan and saigon", Kind.EN),
    ("How do I bake bread?", Kind.EN),  # "do" is both: it decides nothing
    ("hi, what can you do?", Kind.EN), ("can you tell me who the mayor is", Kind.EN),  # "can" may be "cần"
    ("hey ban oi busan o dau", Kind.VI_PLAIN),
    ("Busan mayor là ai vậy?", Kind.VI),
    ("부산 시장은 누구입니까?", Kind.KO),
    # marks only in capitalised words, the rest English: an English sentence naming a Vietnamese name
    ("what did General Secretary Tô Lâm say?", Kind.EN), ("who is Nguyễn Thành Phong", Kind.EN),
    ("when did Busan and Hồ Chí Minh City become partners", Kind.EN),
    ("what did tô lâm say about busan's location", Kind.EN),  # a name in lower case, clear English around it
    # more marked words in lower case, or the rest Vietnamese or too little to tell: Vietnamese
    ("ông ấy nói gì about the businesses", Kind.VI), ("tô lâm đến busan when", Kind.VI),
    ("Tô Lâm đến Busan khi nào", Kind.VI), ("Tô Lâm den busan khi nao", Kind.VI),
    ("Nguyễn Thành Phong là ai", Kind.VI), ("Tô Lâm visit", Kind.VI), ("Hồ Chí Minh", Kind.VI),
])
def test_language_is_decided_word_by_word(question, kind):
    assert question_kind(question) is kind


@pytest.mark.parametrize("question, asked", [
    ("Busan kết nghĩa với TP.HCM năm nào?", "year"), ("busan ket nghia tu nam nao", "year"),
    ("TBT đến Busan ngày mấy?", "date"), ("When did To Lam visit?", "date"),
    ("Busan có bao nhiêu dân?", "number"), ("How many ports?", "number"),
    ("sân bay cách trung tâm bao xa", "number"), ("how far is it from Seoul", "number"),  # a distance
    ("bay mất bao lâu", "duration"), ("how long does the flight take", "duration"),
    ("hai thành phố hợp tác được bao nhiêu năm rồi", "duration"), ("quan he bao nhieu nam roi", "duration"),
    ("How long had they been partners when Oh Keo-don came?", "duration"),  # not "when": a length first
    ("how many years have they been partners", "duration"), ("năm mấy kết nghĩa", "year"),
    ("Thị trưởng Busan là ai?", ""), ("Vì sao Busan quan trọng?", ""),
    ("Tô Lâm xuống máy bay ở đâu?", ""),  # "máy bay": typed with its marks, no "mấy"
    ("TBT ở Busan mấy ngày?", "duration"), ("tbt o busan may ngay", "duration"),  # typed plain: may be "mấy"
    ("địa chỉ lãnh sự quán", "contact"), ("consulate phone number", "contact"), ("giờ làm việc", "contact"),
    ("what is the address of the consulate", "contact"),
    ("Điều gì xảy ra với gói ở địa chỉ nhận", ""),  # an address said, not asked for ("^": where it starts)
    ("Bảo tàng mở cửa lúc nào", "date"), ("Busan từ năm nào", "year"),
    # "mấy" before a demonstrative is "those", not "how many"; before a unit still a count or a length
    ("mấy cái đó đã ký chưa", ""), ("may cai thoa thuan do ky chua", ""), ("mấy người này là ai", ""),
    ("có mấy thỏa thuận", "number"), ("mấy ngày đó", "duration"),
    # a count of a unit of time is a length, however it is counted
    ("chơi với nhau được mấy chục năm rồi", "duration"), ("bay mất mấy tiếng", "duration"),
    ("how many more years will it last", "duration"), ("có bao nhiêu người Việt Nam ở Busan", "number"),
    ("Kenya xếp thứ mấy trên thang đo năm 2012?", "number"),  # "thang" (a scale) further on: no unit counted
    ("Busan xếp thứ mấy tiếng tăm", "number"),  # a rank
])
def test_what_a_question_asks_for(question, asked):
    assert asks_for(question) == asked


@pytest.mark.parametrize("asked, text, held", [
    ("year", "vào năm 1995", True), ("year", "sáng 13-8", False),
    ("date", "sáng 13-8", True), ("date", "vào năm 2025", True), ("date", "tại sân bay", False),
    ("number", "thứ 5 thế giới", True), ("number", "lớn thứ hai", True), ("number", "rất lớn", False),
    ("number", "tại sân bay quốc tế", False), ("number", "sau đó", False),  # "bay", "sau": not "bảy", "sáu"
    ("number", "Bảy thành phố", True),
    ("number", "lễ khai mạc", False), ("number", "a three-way deal", True),  # whole words only, as tokenised
    ("number", "Ba\u0309y người", True),  # "Bảy" typed with a combining mark
    ("duration", "sau 23 năm thiết lập quan hệ", True), ("duration", "Kỷ niệm 30 năm", True),
    ("duration", "trong năm năm qua", True), ("duration", "for five years", True),
    ("duration", "từ năm 1870 đến năm 1939", True), ("duration", "1995-2025", True),
    ("duration", "vào năm 1995", False), ("duration", "sáng 13-8", False),  # a year, a date: no length
    ("duration", "hai nước", False), ("duration", "lần thứ hai", False),
    ("", "bất cứ gì", True),
    ("contact", "Tel: +82 51 123 4567", True), ("contact", "số 5 đường Lê Lợi", True),
    ("contact", "mở cửa từ 8h30", True), ("contact", "kỷ niệm 30 năm, sáng 13-8", False),  # figures alone: no
    ("contact", "ĐT: (+84) 28 3822 1234", True), ("contact", "quan hệ 1995 - 2025", False),  # a phone dials 9+ digits
])
def test_holds_what_is_asked_for(asked, text, held):
    assert holds(asked, text) is held


@pytest.mark.parametrize("asked, question, text, held", [
    # the question's own figures do not answer it
    ("number", "hai thành phố ký bao nhiêu thỏa thuận?", "lãnh đạo hai thành phố đã ký thỏa thuận", False),
    ("number", "hai thành phố ký bao nhiêu thỏa thuận?", "hai thành phố ký 3 thỏa thuận", True),
    ("year", "năm 2025 hai thành phố kỷ niệm gì, từ năm nào?", "dịp năm 2025", False),
    ("year", "năm 2025 kỷ niệm quan hệ từ năm nào?", "từ năm 1995, đến năm 2025", True),
    ("date", "Tô Lâm đến Busan ngày nào?", "sáng 13-8", True),  # a question without figures: as ``holds``
    ("number", "Busan lớn thứ mấy?", "Busan là cảng lớn", False),
    ("number", "Một thành phố có mấy cảng?", "có một cảng lớn", True),  # "một" is mostly "a"
    # the two parties a text names are no count ("hai địa phương": "both cities")
    ("number", "dân số Busan là bao nhiêu?", "nhân dân hai địa phương", False),
    ("number", "Busan có mấy sân bay?", "Busan có hai sân bay", True),
    # a day or a year said as one is when, not how many
    ("number", "đây là chuyến thăm thứ mấy?", "sáng 13-8, Tổng Bí thư tới thăm TP Busan", False),
    ("number", "có bao nhiêu hiệp ước?", "thành lập vào năm 1950", False),
    ("number", "có bao nhiêu hiệp ước?", "năm 1950 ký 3 hiệp ước", True),
    ("number", "tỷ số là bao nhiêu?", "Denver dẫn trước 24-10", True),  # no day before it: a score
    # a length of time is how long, not how many ("bao nhiêu năm" asks for a duration)
    ("number", "how many vietnamese live in busan", "kỷ niệm 30 năm thiết lập quan hệ", False),
    ("number", "có bao nhiêu người Việt ở Busan?", "sau hai năm, 300 người Việt", True),
    ("number", "có mấy hiệp ước?", "từ 1870 đến 1939", False),
])
def test_holds_beyond_the_figures_the_question_says(asked, question, text, held):
    assert holds_beyond(asked, text, figures(question)) is held


@pytest.mark.parametrize("folded, text, kind, expected", [
    (("sang",), "phu nhân Tổng Bí thư có sang Busan không", Kind.VI, ("sang",)),  # typed so, with marks about
    (("hop", "du"), "busan có hợp tác về du lịch không", Kind.VI_PLAIN, ("hợp", "")),  # restored marks only
    (("doanh", "nghiep"), "Park doanh nghiệp", Kind.EN, ("doanh", "nghiệp")),  # the glossary's Vietnamese
    (("huu",), "busan kết nghĩa", Kind.VI, ("",)),  # a synonym the lexical side added: folded only
])
def test_written_forms(folded, text, kind, expected):
    assert written_forms(folded, text, kind) == expected


def test_question_names_are_names_and_figures():
    assert question_names("Seoul kết nghĩa với Thành phố Hồ Chí Minh năm 2010, lần 2?") == (
        "seoul", "ho", "chi", "minh", "2010")  # "Thành" is a common word; "2" too short to tell
    assert question_names("Who is the mayor of Busan?") == ("busan",)
    assert question_names("ông Oh Keo-don nói gì") == ("oh", "keo", "don")  # a name's lower-case part too


@pytest.mark.parametrize("question, names", [
    ("Was the General Secretary's wife with him?", ()),  # a title the glossary translates
    ("What did Mayor Park promise?", ("park",)),
    ("When did Busan and Saigon become partners?", ("busan",)),  # "Saigon" is written otherwise
    ("Did Park Heong-joon meet the Consul General?", ("park", "heong", "joon")),  # every part of a name
])
def test_an_english_question_s_names_are_those_the_passage_writes_as_they_are(question, names):
    assert Planner(ACCENTS, lambda t: 1.0).plan(question).names == names


def test_a_question_phrase_typed_plain_is_restored_as_the_question_it_is():
    """Not as the corpus's commoner word ("bao xa" is no "bảo xa" of "bảo vệ"): what it asks for holds."""
    planner = Planner(accent_table(CORPUS + ["Busan bảo vệ quyền lợi công dân và bảo đảm an ninh."]), lambda t: 1.0)
    assert planner.plan("sân bay Gimhae cách trung tâm bao xa").asks == "number"
    assert planner.plan("lanh su quan lam viec may gio").asks == "date"


def test_a_yes_no_question_asks_for_no_kind_of_thing():
    """It states the year and asks whether it is so: the passage must hold that year, not another."""
    plan = Planner(ACCENTS, lambda t: 1.0).plan("busan voi sai gon ket nghia tu nam 1995 dung ko")
    assert plan.asks == "" and plan.whether and "1995" in plan.names


def test_every_vietnamese_question_phrase_is_offered_to_the_restorer():
    from retrieval.lexicon import ASKS, COMMON_PHRASES
    from retrieval.text import could_be_vietnamese

    phrases = {w.strip().lstrip("^") for wordings in ASKS.values() for w in wordings.split("|")}
    vietnamese = {p for p in phrases if len(p.split()) > 1 and all(could_be_vietnamese(w) for w in p.split())}
    assert vietnamese and vietnamese <= set(COMMON_PHRASES)


def test_a_plan_of_a_chat_question():
    plan = Planner(ACCENTS, lambda t: 1.0).plan("1. busan ket ngiha vs tp hcm nam nao 😊")
    assert plan.question == "busan ket ngiha vs tp hcm nam nao"  # as typed, decorations gone
    assert plan.kind is Kind.VI_PLAIN
    assert plan.read_as == "busan ket nghia với Thành phố Hồ Chí Minh nam nao"
    assert plan.dense_text == "busan kết nghĩa với thành phố hồ chí minh năm nào"
    assert plan.asks == "year"
    assert {"busan", "huu", "nghi"} <= set(plan.terms)  # "kết nghĩa" in the articles' words


def test_english_words_in_a_vietnamese_question_reach_the_lexical_side():
    plan = Planner(ACCENTS, lambda t: 1.0).plan("Busan mayor là ai vậy?")
    assert plan.kind is Kind.VI and "thi truong" in plan.lexical_text


@pytest.mark.parametrize("question, translated", [
    ("Busan mayor là ai vậy?", "thị trưởng"),
    ("busan muốn trở thành global hub à", "toàn cầu trung tâm"),
    # capitalised in a Vietnamese sentence: part of a name, written in the passage as typed
    ("Broncos đã đánh bại đội nào trong AFC Championship Game?", ""),
    ("Tesla Electric Light & Manufacturing đã làm gì?", ""),
    ("doanh nghiệp Busan có Factory ở VN không", ""),
])
def test_only_english_words_typed_in_lower_case_are_translated_in_a_vietnamese_question(question, translated):
    assert translate_terms(question, english_only=True) == translated


@pytest.mark.parametrize("question, held, left_out", [
    ("what did to lam say", "to lam", ""),  # "to" is an English stop word, but not in "Tô Lâm"
    ("did he go to busan", "busan", "to"),  # "to busan" is no pair of the articles
])
def test_a_name_typed_in_lower_case_in_english_reaches_the_lexical_side(question, held, left_out):
    plan = Planner(ACCENTS, lambda t: 1.0).plan(question)
    assert plan.kind is Kind.EN and held in plan.lexical_text
    assert not left_out or left_out not in plan.lexical_text.split()


def test_an_acronym_is_not_mended_into_a_word():
    plan = Planner(accent_table(CORPUS + ["góp phần"]), lambda t: 1.0).plan("GDP của Busan là bao nhiêu?")
    assert "GDP" in plan.read_as


@pytest.mark.parametrize("typed, kept, not_read_as", [
    ("busan hom nay co mua khong", "mua", "mau"),  # "mưa" typed plain: a word the articles lack, not "màu"
    ("may gio roi ban", "gio", "goi"),  # "giờ", not "gọi"
])
def test_a_plain_word_the_articles_lack_is_not_mended_into_one_they_hold(typed, kept, not_read_as):
    plan = Planner(accent_table(CORPUS + ["màu sắc của Busan", "gọi điện cho Busan"]), lambda t: 1.0).plan(typed)
    words = plan.read_as.lower().split()
    assert kept in words and not_read_as not in words


def test_a_slip_that_is_no_word_is_still_mended():
    plan = Planner(accent_table(CORPUS + ["màu sắc của Busan"]), lambda t: 1.0).plan("busna ket nghia nam nao")
    assert plan.read_as.lower().startswith("busan")
