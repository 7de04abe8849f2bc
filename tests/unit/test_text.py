import pytest

from retrieval.text import Kind, fold, lexical_terms, question_kind, sentences, words


@pytest.mark.parametrize("text, expected", [
    ("Kết nghĩa", "ket nghia"),
    ("Đà Nẵng", "da nang"),
    ("THÀNH PHỐ Hồ Chí Minh", "thanh pho ho chi minh"),
    ("Thành phố", "thanh pho"),  # decomposed input folds the same
    ("Busan 1995", "busan 1995"),
    ("부산", "부산"),
])
def test_fold(text, expected):
    import unicodedata

    assert fold(unicodedata.normalize("NFD", text)) == expected
    assert fold(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Kết nghĩa năm 1995", ["ket", "nghia", "nam", "1995", "ket_nghia", "nghia_nam", "nam_1995"]),
    ("TP.HCM", ["thanh", "pho", "ho", "chi", "minh", "thanh_pho", "pho_ho", "ho_chi", "chi_minh"]),
    ("", []),
])
def test_lexical_terms(text, expected):
    assert lexical_terms(text) == expected


def test_unaccented_query_meets_accented_text():
    assert set(lexical_terms("ket nghia")) <= set(lexical_terms("Busan kết nghĩa với TP.HCM"))


@pytest.mark.parametrize("question, kind", [
    ("Busan kết nghĩa với TP.HCM từ năm nào?", Kind.VI),
    ("busan ket nghia voi tphcm tu nam nao", Kind.VI_PLAIN),
    ("Tong Bi thu To Lam tiep thi truong Busan ngay nao", Kind.VI_PLAIN),
    ("cong nghiep dien anh", Kind.VI_PLAIN),
    ("Who is the mayor of Busan?", Kind.EN),
    ("How do I bake bread?", Kind.EN),
    ("부산 시장은 누구입니까?", Kind.KO),
    ("???", Kind.OTHER),
    # a word the glossary translates from English votes English ("tell me about" is framing)
    ("the consulate", Kind.EN), ("consulate", Kind.EN),
    ("song han", Kind.VI_PLAIN),  # but not one shaped like a Vietnamese syllable ("song": sông)
    ("gimhae", Kind.OTHER),  # a name alone says no language
])
def test_question_kind(question, kind):
    assert question_kind(question) is kind


@pytest.mark.parametrize("text, expected", [
    ("Một câu. Câu hai!", ["Một câu.", "Câu hai!"]),
    ("Không có dấu chấm", ["Không có dấu chấm"]),
    ("Năm 1995. Busan là địa phương đầu tiên.", ["Năm 1995.", "Busan là địa phương đầu tiên."]),
    ("TP.HCM và Busan hợp tác. Hai bên ký kết.", ["TP.HCM và Busan hợp tác.", "Hai bên ký kết."]),
    ("giá 3.5 triệu đồng. Tiếp theo", ["giá 3.5 triệu đồng.", "Tiếp theo"]),
])
def test_sentences(text, expected):
    assert sentences(text) == expected


def test_words_lowercase_nfc():
    assert words("Thành Phố, 2025!") == ["thành", "phố", "2025"]


@pytest.mark.parametrize("question, expected", [
    ("How many career sacks did Jared Allen have?", "Jared Allen"),
    ("Who is the mayor of Busan?", "Busan"),
    ("Busan and Ho Chi Minh City signed in 1995?", "Busan Ho Chi Minh City 1995"),
    ("what happened in 2015", "2015"),
    ("how do I bake bread?", "I"),
    ("Was Tô Lâm's wife with him?", "Tô Lâm"),  # the possessive is no part of the name
    ("Did O'Brien come?", "O'Brien"),
    ("Busan and HCMC became partners when?", "Busan HCMC"),  # a first word that is no English word is a name
    ("Nguyễn Thành Phong은 무엇을 원했나요?", "Nguyễn Thành Phong"),  # the name ends where Hangul starts
])
def test_names_and_numbers(question, expected):
    from retrieval.text import names_and_numbers

    assert names_and_numbers(question) == expected


@pytest.mark.parametrize("text, expected", [
    ("Busan kết nghĩa với TP.HCM", "Busan kết nghĩa với Thành phố Hồ Chí Minh"),
    ("giữa TP HCM và TP Busan", "giữa Thành phố Hồ Chí Minh và thành phố Busan"),
    ("tphcm va busan", "Thành phố Hồ Chí Minh va busan"),
    ("HCMC and Busan", "Thành phố Hồ Chí Minh and Busan"),
    ("TPO là tên riêng", "TPO là tên riêng"),
])
def test_expand_abbreviations(text, expected):
    from retrieval.text import expand_abbreviations

    assert expand_abbreviations(text) == expected


def test_abbreviation_meets_full_form_in_lexical_terms():
    assert set(lexical_terms("TP.HCM")) <= set(lexical_terms("Thành phố Hồ Chí Minh"))
