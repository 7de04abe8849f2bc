"""A news page's article and metadata without its furniture: six layouts (tests/fixtures/pages,
made around the seed articles' paragraphs) and the rules one by one."""

import json
from pathlib import Path

import pytest

from retrieval.corpus import clean_lines
from retrieval.html_page import read_page, without_site_name
from retrieval.text import clean_space, sentences

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"


@pytest.mark.parametrize("name", sorted(p.stem for p in PAGES.glob("*.html")))
def test_each_layout_gives_the_article_whole_and_no_furniture(name):
    expected = json.loads((PAGES / f"{name}.json").read_text(encoding="utf-8"))
    page = read_page((PAGES / f"{name}.html").read_text(encoding="utf-8"))
    body = clean_lines(page.lines, page.title)
    text = clean_space(" ".join(body))
    assert [s for p in expected["paragraphs"] for s in sentences(p) if s not in text] == []
    article = clean_space(" ".join(expected["paragraphs"] + expected.get("captions", [])))
    furniture = [line for line in body if clean_space(line) not in article]
    assert [piece for piece in expected["boilerplate"] if any(piece in line for line in furniture)] == []
    assert page.title == expected["title"]
    assert expected["author"] in page.meta.get("author", "")
    assert page.meta.get("date", "") == expected["date"]


def page(body: str, head: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


@pytest.mark.parametrize("html, kept, dropped", [
    (page('<div class="comment-list"><p>Một bình luận dài của bạn đọc.</p></div><p>Nội dung bài.</p>'),
     ["Nội dung bài."], ["Một bình luận dài của bạn đọc."]),
    # named furniture, but also named content (Readability's "maybe"): kept
    (page('<div class="article-body-comment"><p>Đoạn giữ lại.</p></div>'), ["Đoạn giữ lại."], []),
    # everything inside furniture goes with it, however deep
    (page('<div id="sidebar"><div><div><p>Sâu bên trong.</p></div></div></div><p>Bài.</p>'), ["Bài."],
     ["Sâu bên trong."]),
    # a line of links is a list, a sentence with a link in it is prose
    (page('<p><a href="/1">Facebook</a> <a href="/2">Zalo</a></p><p>Theo <a href="/x">TTXVN</a>, hai bên đã ký kết '
          'nhiều thỏa thuận hợp tác.</p>'),
     ["Theo TTXVN, hai bên đã ký kết nhiều thỏa thuận hợp tác."], ["Facebook Zalo"]),
    # a legal footer, whatever holds it; an article about licences is not one
    (page('<p>Busan cấp giấy phép đầu tư cho 20 doanh nghiệp Việt Nam.</p><td>Giấy phép số 45/GP-BTTTT. Ghi rõ '
          'nguồn khi phát hành lại.</td><p>© 2025 Báo A. All rights reserved.</p>'),
     ["Busan cấp giấy phép đầu tư cho 20 doanh nghiệp Việt Nam."], ["45/GP-BTTTT", "© 2025"]),
    # inline elements do not cut a paragraph; <br> does
    (page('<p>Một <b>câu</b> có <span>chữ đậm</span>.<br>Dòng sau.</p>'), ["Một câu có chữ đậm.", "Dòng sau."], []),
    # scripts, styles and forms are never text; stray end tags are ignored
    (page('<script>var x = "<p>không</p>";</script><style>p{}</style></span><p>Có.</p></div><form>Gửi</form>'),
     ["Có."], ["không", "Gửi"]),
])
def test_furniture_rules(html, kept, dropped):
    lines = read_page(html).lines
    assert all(k in lines for k in kept), lines
    assert not any(d in line for d in dropped for line in lines), lines


def test_where_the_page_marks_its_article_only_that_is_kept():
    long = "Đoạn văn của bài báo, đủ dài để là phần lớn chữ của trang. " * 3
    marked = read_page(page(f'<div class="x"><p>Lời giới thiệu của trang web.</p></div><article><p>{long}</p></article>'))
    assert marked.lines == [clean_space(long)]
    # a marked part that holds little of the text (a teaser in an <article>) does not decide
    teaser = read_page(page(f'<p>{long}</p><article><p>Tin ngắn.</p></article>'))
    assert teaser.lines == [clean_space(long), "Tin ngắn."]


@pytest.mark.parametrize("head, body, meta", [
    ('<meta property="og:site_name" content="Báo A"><meta name="author" content="Lan">'
     '<meta property="article:published_time" content="2025-08-13T09:30:00+07:00">', "",
     {"source": "Báo A", "author": "Lan", "date": "2025-08-13"}),
    ('<script type="application/ld+json">{"@graph": [{"@type": "WebSite"}, {"@type": "NewsArticle", '
     '"author": [{"name": "Minh"}, {"name": "Hà"}], "datePublished": "2024-01-02", "publisher": {"name": "B"}}]}'
     '</script>', "", {"author": "Minh", "date": "2024-01-02", "source": "B"}),
    ('<script type="application/ld+json">{not json</script>', '<time datetime="2023-05-06">6/5</time>',
     {"date": "2023-05-06"}),
    # the page's own metadata wins over a byline; a byline is read where there is none
    ('<meta name="author" content="Lan">', '<p class="author">Lan Anh</p>', {"author": "Lan"}),
    ("", '<p class="byline">PV Hà Nội</p>', {"author": "PV Hà Nội"}),
    ("", f'<div class="author">{"Một đoạn rất dài " * 10}</div>', {}),  # not a byline: too long
])
def test_metadata_from_meta_tags_json_ld_time_and_byline(head, body, meta):
    assert read_page(page(body + "<p>Bài.</p>", head)).meta == meta


@pytest.mark.parametrize("title, plain", [
    ("Busan và TP.HCM ký kết – Blog Việt Hàn", "Busan và TP.HCM ký kết"),
    ("Tổng Bí thư tiếp Thị trưởng Busan | NLĐO", "Tổng Bí thư tiếp Thị trưởng Busan"),
    ("Việt Nam - Hàn Quốc ký thỏa thuận hợp tác mới về cảng biển", "Việt Nam - Hàn Quốc ký thỏa thuận hợp tác mới về cảng biển"),
    ("Busan-Sài Gòn", "Busan-Sài Gòn"),  # a hyphen without spaces is no separator
    ("Một tiêu đề", "Một tiêu đề"),
])
def test_a_title_tag_loses_the_site_name(title, plain):
    assert without_site_name(title) == plain
    assert read_page(page("", f"<title>{title}</title>")).title == plain


def test_an_icons_title_is_not_the_pages():
    html = page('<svg><title>Facebook</title></svg><p>Bài.</p>', "<title>Tin Busan | Báo A</title>")
    assert read_page(html).title == "Tin Busan"


def test_h1_then_open_graph_then_title_tag():
    assert read_page(page("<h1>Tiêu đề H1</h1>", '<meta property="og:title" content="OG"><title>T</title>')).title \
        == "Tiêu đề H1"
    assert read_page(page("<header><h1>Tên báo</h1></header>", '<meta property="og:title" content="OG">')).title == "OG"
