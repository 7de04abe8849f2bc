"""Who asks or wants what (retrieval/roles.py): table tests, and the pipeline's use of it."""

from __future__ import annotations

import pytest
from fakes import HashEmbedder, memory_index

from retrieval.fusion import Calibration
from retrieval.passage import Passage
from retrieval.pipeline import Pipeline
from retrieval.roles import agents, asked_about, asks_what_was_said, asks_whether, reports_speech, roles, said_of_subject
from retrieval.text import Kind

BUSAN = frozenset({"busan"})
HCM = frozenset({"ho", "chi", "minh"})


@pytest.mark.parametrize("text, expected", [
    ("busan đề nghị tphcm những gì", {BUSAN}),
    ("Thành phố Hồ Chí Minh mong muốn Busan duy trì chương trình đào tạo", {HCM}),
    ("Bên cạnh đó, Busan mong muốn cùng Thành phố Hồ Chí Minh đẩy mạnh", {BUSAN}),
    ("tp hcm muon busan mo rong dao tao", {HCM}),  # typed without diacritics
    ("what did HCMC ask Busan to keep doing", {HCM}),
    ("Busan cũng rất mong muốn hợp tác", {BUSAN}),  # a few words between
    ("ông Oh Keo-dong bày tỏ mong muốn", set()),  # a person asks, no place
    ("TP Busan, ông Oh Keo-dong mong muốn", set()),  # the name nearest the verb is a person's
    ("Busan là thành phố cảng lớn và nhiều người muốn đến", set()),  # too far from the verb
    ("Busan kết nghĩa với TP.HCM năm nào?", set()),  # no verb of asking
])
def test_agents(text, expected):
    assert agents(text) == expected


@pytest.mark.parametrize("text, asks, asked", [
    ("Tổng Bí thư Tô Lâm đề nghị TP Busan tiếp tục mở rộng hợp tác", set(), {BUSAN}),
    ("Thành phố Hồ Chí Minh mong muốn Busan duy trì chương trình đào tạo", {HCM}, {BUSAN}),
    # a time said between the verb and the place asked
    ("ông Oh Keo-dong bày tỏ mong muốn trong thời gian tới, Thành phố Hồ Chí Minh tiếp tục quan tâm",
     set(), {HCM}),
    # the verb as a noun: "của" says whose request it is
    ("Nhất trí với đề nghị của lãnh đạo thành phố Busan, ông Nguyễn Thành Phong cho rằng", {BUSAN}, set()),
    # after a verb of committing, the place is who commits, not who is asked
    ("Thị trưởng Park Heong-joon cam kết TP Busan sẽ tiếp tục phối hợp chặt chẽ", set(), set()),
    ("what did Vietnam ask of Busan?", {frozenset({"viet", "nam"})}, {BUSAN}),  # English "of" asks Busan
    ("Busan mong muốn cùng các doanh nghiệp lớn của thành phố mở rộng", {BUSAN}, set()),  # too far
])
def test_who_asks_and_who_is_asked(text, asks, asked):
    assert roles(text) == (asks, asked)


TEXTS = ["Thành phố Hồ Chí Minh mong muốn Busan đẩy mạnh hợp tác đào tạo và cảng biển.",
         "Busan mong muốn Thành phố Hồ Chí Minh đẩy mạnh hợp tác về thư viện.",
         "Lễ đón tại sân bay quốc tế Gimhae."]


def _pipeline(texts):
    emb = HashEmbedder()
    ps = [Passage.create("a", "Tiêu đề", "Báo", i + 1, t) for i, t in enumerate(texts)]
    pipeline = Pipeline(memory_index(ps, emb), lambda t: emb.embed_queries([t])[0], threshold=0.5)
    pipeline.calibration = {k: Calibration(bias=50, dense=0, coverage=0, margin=0) for k in Kind}  # always sure
    return pipeline, emb


def test_a_passage_where_only_the_other_city_asks_goes_after_one_where_the_asked_city_does():
    pipeline, _ = _pipeline(TEXTS)
    answer = pipeline.answer("Thành phố Hồ Chí Minh đề nghị Busan đẩy mạnh hợp tác gì?", k=3)
    assert [ap.passage.paragraph for ap in answer.passages] == [1, 3, 2]  # the reverse request last
    busan = pipeline.answer("Busan đề nghị Thành phố Hồ Chí Minh đẩy mạnh hợp tác gì?", k=3)
    assert [ap.passage.paragraph for ap in busan.passages] == [2, 3, 1]
    scores = [ap.score for ap in busan.passages]
    assert scores == sorted(scores, reverse=True)


def _orders(texts, *questions):
    """Per question, the paragraphs of the first page in the order shown, over ``texts``."""
    pipeline, _ = _pipeline(texts)
    return [[ap.passage.paragraph for ap in pipeline.answer(q, k=3).passages] for q in questions]


def test_a_passage_where_the_asked_city_is_only_asked_goes_after_the_rest():
    order, = _orders(["Ông Oh Keo-dong mong muốn Thành phố Hồ Chí Minh tạo điều kiện cho doanh nghiệp Busan.",
                      "Thành phố Hồ Chí Minh mong muốn Busan mở rộng đào tạo.",
                      "Lễ đón tại sân bay quốc tế Gimhae."],
                     "Thành phố Hồ Chí Minh mong muốn gì ở doanh nghiệp Busan?")
    assert order[-1] == 1


def test_where_only_the_other_city_asks_it_goes_after_the_rest_and_nothing_is_sure():
    pipeline, emb = _pipeline([TEXTS[0], TEXTS[2]])
    question = "Busan đề nghị Thành phố Hồ Chí Minh đẩy mạnh hợp tác gì?"
    answer = pipeline.answer(question)
    assert [ap.passage.paragraph for ap in answer.passages] == [2, 1] and answer.status == "uncertain"
    scores = [ap.score for ap in answer.passages]
    assert scores == sorted(scores, reverse=True)
    assert pipeline.rank(pipeline.planner.plan(question), emb.embed_queries([question])[0]).evidence.wrong_agent == 1.0
    reverse = pipeline.answer("Thành phố Hồ Chí Minh đề nghị Busan đẩy mạnh hợp tác gì?")
    assert reverse.passages[0].passage.paragraph == 1 and reverse.status == "answered"


def test_a_passage_where_the_asked_city_asks_makes_the_page_sure_again():
    pipeline, _ = _pipeline(TEXTS)
    answer = pipeline.answer("Busan đề nghị Thành phố Hồ Chí Minh đẩy mạnh hợp tác gì?", k=3)
    assert answer.passages[0].passage.paragraph == 2 and answer.status == "answered"
    assert answer.passages[-1].passage.paragraph == 1  # the reverse request last on the page


@pytest.mark.parametrize("text, kind, expected", [
    ("ông ấy có tới busan không", Kind.VI, True),
    ("Tổng Bí thư đã đến Busan chưa", Kind.VI, True),
    ("busan co hieu khach ko", Kind.VI_PLAIN, True),
    ("did he visit Seoul?", Kind.EN, True),
    ("is there a Vietnamese consulate in Busan", Kind.EN, True),
    ("bạn có biết ai là thị trưởng busan không", Kind.VI, False),  # asks who
    ("busan voi hcm hop tac gi ko", Kind.VI_PLAIN, False),  # asks what
    ("do you know who the mayor is", Kind.EN, False),
    ("thị trưởng Busan là ai", Kind.VI, False),
    ("부산 시장은 누구예요?", Kind.KO, False),
    ("were the tapes restored or did they lose legitimacy?", Kind.EN, False),  # asks which of two
    ("", Kind.VI, False),
])
def test_asks_whether(text, kind, expected):
    assert asks_whether(text, kind) is expected


@pytest.mark.parametrize("terms, names, expected", [
    (["tong", "thong", "lee", "jae", "myung", "co", "toi", "busan", "khong"], ("lee", "jae", "myung"), ("toi",)),
    (["thi", "truong", "co", "gap", "phong", "khong"], ("phong",), ("gap",)),  # the title is no claim
    (["da", "ky", "thoa", "thuan", "chua"], (), ("ky", "thoa", "thuan")),
    (["co", "khong"], (), ()),
    (["tong", "lanh", "su", "quan", "giup"], (), ("giup",)),  # "quán" makes the title an office: named, not said
])
def test_said_of_subject(terms, names, expected):
    assert said_of_subject(terms, names) == expected


SUMMIT = "Tổng thống Lee Jae Myung hội đàm với Tổng Bí thư về hợp tác địa phương."
OPENING = "Lễ ra mắt Tổng Lãnh sự quán Việt Nam tại TP Busan diễn ra sáng nay."
CONSUL = "Ông Nguyễn Văn An - Tổng Lãnh sự Việt Nam tại TP Busan phát biểu."


@pytest.mark.parametrize("text, question, status", [
    # a yes/no question is not sure of a passage that holds none of what it asks of its subject
    (SUMMIT, "Tổng thống Lee Jae Myung có tới Busan không?", "uncertain"),
    (SUMMIT, "Tổng thống Lee Jae Myung có hội đàm không?", "answered"),
    (SUMMIT, "Tổng thống Lee Jae Myung bàn gì?", "answered"),  # no yes/no: the rule is silent
    # a verb of mentioning is the frame: what is asked about is what it mentions
    ("Tổng thống Lee Jae Myung đề cập hợp tác địa phương.", "Tổng thống Lee Jae Myung có đề cập cảng biển không?",
     "uncertain"),
    # a word typed with its marks is said only as written: "sang" (came over) is not "sáng" (morning)
    ("Sáng nay Tổng thống Lee Jae Myung ở Seoul.", "Tổng thống Lee Jae Myung có sang Busan không?", "uncertain"),
    ("Tổng thống Lee Jae Myung sang Busan hôm qua.", "Tổng thống Lee Jae Myung có sang Busan không?", "answered"),
    # who holds an office: not sure of a passage that names nobody holding it
    (OPENING, "Ai là tổng lãnh sự Việt Nam tại Busan?", "uncertain"),
    (CONSUL, "Ai là tổng lãnh sự Việt Nam tại Busan?", "answered"),
])
def test_rules_that_keep_a_near_passage_unsure(text, question, status):
    pipeline, _ = _pipeline([text, "Lễ đón tại sân bay quốc tế Gimhae."])  # the pipeline is sure of anything
    answer = pipeline.answer(question)
    assert answer.passages[0].passage.paragraph == 1 and answer.status == status


@pytest.mark.parametrize("terms, names, expected", [
    (["mong", "muon", "du", "lich", "busan"], (), ("du", "lich")),  # "what did busan want about tourism"
    (["busan", "muon", "thanh", "pho", "ho", "chi", "minh"], (), ()),  # only what Busan wants
    (["hcmc", "busan", "de", "nghi"], ("hcmc",), ()),
])
def test_asked_about(terms, names, expected):
    assert asked_about(said_of_subject(terms, names)) == expected


def test_where_the_asked_city_wants_it_is_not_raised_over_what_the_question_is_about():
    wants, about = _orders(["Thành phố Hồ Chí Minh mong muốn Busan phát triển du lịch biển và giao lưu du lịch.",
                            "Busan mong muốn Thành phố Hồ Chí Minh đẩy mạnh hợp tác về thư viện.",
                            "Ông Oh Keo-dong nói Busan có thế mạnh về du lịch."],
                           "Busan mong muốn gì?", "Busan mong muốn gì về du lịch?")
    assert wants[0] == 2  # raised into the reverse request's place
    assert about == [3, 2, 1]  # not over the tourism passage


@pytest.mark.parametrize("text, asks", [
    ("ông ấy còn nói gì nữa", True), ("họ bàn chuyện gì", True), ("what else did he say", True),
    ("Hà Nội ở đâu", False),  # "Nội" is no "nói"
    ("ông ấy đón ai", False),
])
def test_asks_what_was_said(text, asks):
    assert asks_what_was_said(text) is asks


@pytest.mark.parametrize("text, reports", [
    ("ông Nguyễn Thành Phong cho rằng các sở cần kết nối", True),
    ("Tổng Bí thư nhấn mạnh vị trí địa lý", True),
    ("Ông Nguyễn Thành Phong và ông Oh Keo-don (trái) tại buổi tiếp.", False),
])
def test_reports_speech(text, reports):
    assert reports_speech(text) is reports


@pytest.mark.parametrize("caption, first", [
    ("Ông Nguyễn Thành Phong và ông Oh Keo-don tại buổi tiếp.", 2),  # a caption naming him: not what he said
    ("Ông Nguyễn Thành Phong và ông Oh Keo-don tiếp đoàn. Hai bên chụp ảnh lưu niệm tại buổi tiếp.", 1),
])
def test_what_someone_said_is_not_answered_by_a_caption_naming_them(caption, first):
    order, = _orders([caption, "Trong thời gian tới, các sở ngành cần kết nối, ông cho rằng.",
                      "Lễ đón tại sân bay quốc tế Gimhae."],
                     "ông Nguyễn Thành Phong nói gì?")
    assert order[0] == first


@pytest.mark.parametrize("question, first", [
    ("ông Oh Keo-don tin điều gì?", 2),  # the caption holds none of "tin": the passage that does
    ("ông Oh Keo-don đứng bên trái hay bên phải?", 1),  # the caption says "trái": it may answer
    ("ông Oh Keo-don", 1),  # nothing asked of him: as fused
])
def test_what_someone_did_is_not_answered_by_a_caption_naming_them(question, first):
    order, = _orders(["Ông Nguyễn Thành Phong và ông Oh Keo-don (trái) tại buổi tiếp.",
                      "Ông Oh Keo-don tin tưởng quan hệ hai thành phố sẽ ngày một phát triển.",
                      "Lễ đón tại sân bay quốc tế Gimhae."], question)
    assert order[0] == first


def test_a_yes_no_question_is_answered_first_by_the_passage_that_says_what_it_asks():
    # two sentences: no photo caption (a caption naming him goes after what says it, yes/no or not)
    named = "Thị trưởng Park Heong-joon tiếp Tổng Bí thư Tô Lâm tại Busan sáng nay. Hai bên hội đàm tại tòa thị chính."
    saying = "Ông Park nhấn mạnh vai trò của doanh nghiệp trong hợp tác kinh tế giữa hai thành phố lớn."
    pipeline, _ = _pipeline([named, saying, "Lễ đón tại sân bay quốc tế Gimhae."])
    question = "Thị trưởng Park Heong-joon có nhắc đến doanh nghiệp không?"
    plain = pipeline.answer("Thị trưởng Park Heong-joon và doanh nghiệp", k=3)  # no yes/no: as fused
    asked = pipeline.answer(question, k=3)
    assert pipeline.planner.plan(question).whether
    assert plain.passages[0].passage.paragraph == 1  # the names weigh most in fusion
    assert [ap.passage.paragraph for ap in asked.passages][:2] == [2, 1]
    scores = [ap.score for ap in asked.passages]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("own, status", [
    ("họ có được cấp nhà ở không", "uncertain"),  # the carried words found the passage; it says nothing of houses
    ("họ có được hỗ trợ không", "answered"),
])
def test_a_yes_no_follow_up_is_judged_by_what_it_asks_itself(own, status):
    pipeline, _ = _pipeline(["Chính quyền thành phố sẵn sàng hỗ trợ công dân Việt Nam tại Busan.",
                             "Lễ đón tại sân bay quốc tế Gimhae."])
    plan = pipeline.planner.plan
    understood = plan(f"{own} (công dân Việt Nam Busan hỗ trợ)")  # as a follow-up is read: no yes/no of its own
    answer, = pipeline.answer_many([understood], judges=[plan(own)])
    assert answer.passages[0].passage.paragraph == 1 and answer.status == status
