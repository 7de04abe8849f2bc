"""`add` from a PDF, a Word file and a link (a real HTTP server on localhost), duplicates and
--replace, and a clear one-line refusal for every bad source with nothing left behind."""

import http.server
import json
import re
import threading
import time
import unicodedata
from pathlib import Path

import pytest

from retrieval.adding import add_article
from retrieval.corpus import load_article
from retrieval.errors import CorpusError
from retrieval.sources import read_source

P1 = ("Busan la dia phuong dau tien cua Han Quoc thiet lap quan he huu nghi voi Thanh pho",
      "Ho Chi Minh vao nam 1995.")
P2 = ("Hai thanh pho hop tac trong nhieu linh vuc nhu cang bien, logistics, du lich va dao tao",
      "cong chuc cho ca hai ben.")
HTML = ("<html><head><meta charset='utf-8'><title>Busan và TP.HCM</title></head><body><h1>Busan và TP.HCM</h1>"
        "<p>Busan là địa phương đầu tiên của Hàn Quốc thiết lập quan hệ hữu nghị với Thành phố Hồ Chí Minh "
        "vào năm 1995.</p><p>Hai thành phố hợp tác trong nhiều lĩnh vực như cảng biển, logistics, du lịch và "
        "đào tạo công chức.</p></body></html>").encode("utf-8")


def cp1258(text: str) -> bytes:
    """``text`` in Windows-1258, as old Vietnamese sites serve it: tone marks as combining marks."""
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        out.append(unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
                   + "".join(c for c in parts if c in tones))
    return "".join(out).encode("cp1258")


def pdf_bytes(lines: list[str] | None, title: str = "Busan va TP.HCM") -> bytes:
    """A one-page PDF whose text layer holds ``lines`` (none: a page with no text, as a scan)."""
    text = "".join(f"({line}) Tj 0 -14 Td " for line in lines) if lines else ""
    stream = f"BT /F1 11 Tf 72 720 Td {text}ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Title ({title}) /Author (Bao X) /CreationDate (D:20250813090000) >>".encode("latin-1"),
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 6 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def docx_bytes(tmp_path) -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = "Tổng Bí thư thăm Busan"
    document.core_properties.author = "Báo NLĐ"
    document.add_heading("Tổng Bí thư thăm Busan", level=1)
    document.add_paragraph("Sáng 13-8, Tổng Bí thư Tô Lâm đã tới thăm thành phố Busan và tiếp Thị trưởng "
                           "Park Heong-joon tại trụ sở chính quyền thành phố.")
    document.add_paragraph("Thị trưởng cam kết Busan sẽ tiếp tục phối hợp chặt chẽ với Thành phố Hồ Chí Minh "
                           "trên các lĩnh vực hai bên có thế mạnh.")
    path = tmp_path / "w.docx"
    document.save(path)
    return path.read_bytes()


def test_a_pdf_is_added_with_its_paragraphs_and_properties(tmp_path):
    src = tmp_path / "thong-cao.pdf"
    src.write_bytes(pdf_bytes([*P1, *P2]))
    added = add_article(src, tmp_path / "seeds", source="Báo X")
    article = load_article(added.path)
    assert added.path.suffix == ".md"
    assert [p.text for p in article.passages] == [" ".join(P1), " ".join(P2)]
    assert (article.title, article.author, article.date, article.source) == (
        "Busan va TP.HCM", "Bao X", "2025-08-13", "Báo X")


@pytest.mark.parametrize("data, message", [
    (pdf_bytes(None), "no text layer"),  # a scan: no OCR, never an empty article
    (b"%PDF-1.4 this is not a pdf", "not a readable PDF"),
])
def test_a_pdf_without_text_is_refused_and_nothing_is_left(tmp_path, data, message):
    src = tmp_path / "scan.pdf"
    src.write_bytes(data)
    with pytest.raises(CorpusError, match=message):
        add_article(src, tmp_path / "seeds")
    assert list((tmp_path / "seeds").iterdir()) == [] if (tmp_path / "seeds").exists() else True


def test_a_word_file_is_added_with_its_title_and_author(tmp_path):
    src = tmp_path / "bai-viet.docx"
    src.write_bytes(docx_bytes(tmp_path))
    article = load_article(add_article(src, tmp_path / "seeds").path)
    assert article.title == "Tổng Bí thư thăm Busan" and article.author == "Báo NLĐ"
    assert [p.text[:20] for p in article.passages] == ["Sáng 13-8, Tổng Bí t", "Thị trưởng cam kết B"]


def test_the_same_text_twice_is_refused_naming_the_file_and_replace_updates_it(tmp_path):
    seeds = tmp_path / "seeds"
    first = tmp_path / "a.pdf"
    first.write_bytes(pdf_bytes([*P1, *P2]))
    added = add_article(first, seeds)
    again = tmp_path / "b.pdf"
    again.write_bytes(pdf_bytes([*P1, *P2], title="Another title"))  # other bytes, the same paragraphs
    with pytest.raises(CorpusError, match=f"already in the articles as {added.path.name}.*--replace"):
        add_article(again, seeds)
    replaced = add_article(again, seeds, replace=True)
    assert replaced.replaced == added.path and not added.path.exists()
    assert load_article(replaced.path).title == "Another title"
    assert sorted(p.name for p in seeds.iterdir()) == sorted([replaced.path.name, replaced.path.stem + ".meta.toml"])


# ----------------------------------------------------------------------------- links


class Handler(http.server.BaseHTTPRequestHandler):
    routes: dict = {}

    def do_GET(self):  # noqa: N802 - the standard library's name
        status, headers, body, delay = self.routes.get(self.path, (404, {}, b"not here", 0))
        time.sleep(delay)
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


@pytest.fixture()
def server():
    Handler.routes = {
        "/article.html": (200, {"Content-Type": "text/html; charset=utf-8"}, HTML, 0),
        "/news/busan.html": (200, {"Content-Type": "text/html"}, NEWS_PAGE, 0),
        "/moved": (302, {"Location": "/article.html"}, b"", 0),
        "/loop": (302, {"Location": "/loop"}, b"", 0),
        "/release.pdf": (200, {"Content-Type": "application/pdf"}, pdf_bytes([*P1, *P2]), 0),
        "/photo.png": (200, {"Content-Type": "image/png"}, b"\x89PNG....", 0),
        "/huge.html": (200, {"Content-Type": "text/html", "Content-Length": str(50_000_000)}, b"<html>", 0),
        "/slow.html": (200, {"Content-Type": "text/html"}, HTML, 3),
        "/legacy.html": (200, {"Content-Type": "text/html; charset=windows-1258"},
                         cp1258(HTML.decode("utf-8").replace("charset='utf-8'", "")), 0),
    }
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_a_page_is_fetched_and_kept_with_its_link(server, tmp_path):
    added = add_article(f"{server}/moved", tmp_path / "seeds")  # a redirect is followed
    article = load_article(added.path)
    assert added.path.suffix == ".html" and article.url == f"{server}/article.html"
    assert article.title == "Busan và TP.HCM" and len(article.passages) == 2
    with pytest.raises(CorpusError, match=f"{server}/article.html is already in the articles as {added.path.name}"):
        add_article(f"{server}/article.html", tmp_path / "seeds")


NEWS = Path(__file__).resolve().parent.parent / "fixtures" / "pages"
NEWS_PAGE = (NEWS / "main_aside.html").read_bytes()  # menus, an aside, reader comments, a footer


def test_a_news_page_is_added_without_its_furniture_and_with_its_metadata(server, tmp_path):
    added = add_article(f"{server}/news/busan.html", tmp_path / "seeds", author="Given Author")
    article = load_article(added.path)
    assert article.title.startswith("Thành phố Hồ Chí Minh và thành phố Busan")
    assert (article.author, article.date) == ("Given Author", "2018-05-10")  # the command line wins
    assert article.source == "Báo ảnh Dân tộc và Miền núi"
    expected = json.loads((NEWS / "main_aside.json").read_text(encoding="utf-8"))
    assert [p.text for p in article.passages] == expected["paragraphs"]


def test_a_page_in_the_charset_its_server_names_is_kept_as_utf8(server, tmp_path):
    article = load_article(add_article(f"{server}/legacy.html", tmp_path / "seeds").path)
    assert article.passages[0].text.startswith("Busan là địa phương đầu tiên của Hàn Quốc")


def test_a_linked_pdf_is_read_as_a_pdf(server, tmp_path):
    article = load_article(add_article(f"{server}/release.pdf", tmp_path / "seeds").path)
    assert article.url == f"{server}/release.pdf" and len(article.passages) == 2


@pytest.mark.parametrize("path, message", [
    ("/gone.html", "answered 404 Not Found (not found)"),
    ("/photo.png", "not an HTML page or a PDF (the server sent image/png)"),
    ("/huge.html", "too large (47.7 MB; at most"),
    ("/loop", "more than 5 redirects"),
])
def test_a_bad_link_gets_one_line_and_nothing_is_written(server, tmp_path, path, message):
    with pytest.raises(CorpusError, match=re.escape(message)) as caught:
        add_article(f"{server}{path}", tmp_path / "seeds")
    assert "\n" not in str(caught.value)
    assert not (tmp_path / "seeds").exists() or list((tmp_path / "seeds").iterdir()) == []


def test_a_slow_server_times_out(server):
    with pytest.raises(CorpusError, match="timed out after"):
        read_source(f"{server}/slow.html", 1_000_000, timeout=0.5)


def test_nothing_but_http_links(tmp_path):
    with pytest.raises(CorpusError, match="file not found"):
        add_article("ftp://example.org/a.html", tmp_path / "seeds")


def test_replacing_with_the_very_same_file_keeps_one_copy_and_its_new_metadata(tmp_path):
    src = tmp_path / "a.pdf"
    src.write_bytes(pdf_bytes([*P1, *P2]))
    first = add_article(src, tmp_path / "seeds", source="Báo X")
    again = add_article(src, tmp_path / "seeds", source="Báo Y", replace=True)
    assert again.path == first.path == again.replaced
    assert load_article(again.path).source == "Báo Y"
    assert sorted(p.name for p in (tmp_path / "seeds").iterdir()) == sorted([again.path.name,
                                                                              again.path.stem + ".meta.toml"])
