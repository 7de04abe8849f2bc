"""Where an added article comes from: a file of the seeds folder's kinds, a PDF, a Word file or a
link, read into one ``Document`` that `add` keeps as a plain file in the seeds folder.

Only `busan-bot add URL` goes online, once, when the operator asks: with a timeout, a size limit,
a check of what came back and a bounded number of redirects. The bot never fetches anything.
"""

from __future__ import annotations

import io
import logging
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .corpus import check_size, megabytes
from .errors import CorpusError
from .html_page import read_page
from .text import clean_space, nfc

log = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt", ".md", ".html", ".htm")  # kept as they are
CONVERTED_SUFFIXES = (".pdf", ".docx")  # their text is kept, as Markdown paragraphs
FETCH_TIMEOUT = 20.0  # seconds, per connection and per read
MAX_REDIRECTS = 5
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_PDF_TYPES = ("application/pdf",)
_URL = re.compile(r"^https?://", re.IGNORECASE)


@dataclass(frozen=True)
class Document:
    """An article as read from its source, before it is written into the seeds folder."""

    name: str  # a file stem to name it by
    suffix: str  # how it is kept: ".txt", ".md" or ".html"
    data: bytes  # what is written (UTF-8 text)
    meta: dict[str, str]  # title, author, date, url as the source states them (empty where it does not)


def is_link(source: str) -> bool:
    return bool(_URL.match(source))


def read_source(source: str, max_bytes: int, timeout: float = FETCH_TIMEOUT) -> Document:
    """The document at ``source``: a file path or an ``http(s)://`` link."""
    if is_link(source):
        data, content_type, final_url, charset = fetch(source, max_bytes, timeout)
        name = _stem_of_url(final_url)
        if content_type in _PDF_TYPES or data.startswith(b"%PDF"):
            document = read_pdf(data, name)
        elif content_type in _HTML_TYPES:
            document = html_document(name, _utf8(data, charset, source))
        else:
            raise CorpusError(f"{source}: not an HTML page or a PDF (the server sent {content_type or 'no type'})")
        return Document(document.name, document.suffix, document.data, {**document.meta, "url": final_url})
    path = Path(source)
    if not path.is_file():
        raise CorpusError(f"file not found: {path}" if not path.exists() else f"{path.name} is not a regular file")
    suffix = path.suffix.lower()
    if suffix not in TEXT_SUFFIXES + CONVERTED_SUFFIXES:
        raise CorpusError(f"{path.name}: unsupported file type (use .txt, .md, .html, .pdf, .docx or a link)")
    check_size(path, path.stat().st_size, max_bytes)
    data = path.read_bytes()
    if suffix == ".pdf":
        return read_pdf(data, path.stem)
    if suffix == ".docx":
        return read_docx(data, path.stem)
    if suffix in (".html", ".htm"):
        return html_document(path.stem, data, suffix)
    return Document(path.stem, suffix, data, {})


def html_document(name: str, data: bytes, suffix: str = ".html") -> Document:
    """A page kept as it is, with the title, author, date and site name it states."""
    page = read_page(data.decode("utf-8", "replace"))
    return Document(name, suffix, data, _present({"title": page.title, **{key: page.meta.get(key, "")
                                                                          for key in ("author", "date", "source")}}))


def read_pdf(data: bytes, name: str) -> Document:
    """A PDF's text layer, a paragraph per block; refused when it has none (a scan: no OCR here)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata or {}
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise CorpusError(f"{name}: not a readable PDF ({exc})") from exc
    paragraphs = _pdf_paragraphs("\n".join(pages))
    if not paragraphs:
        raise CorpusError(f"{name}: the PDF has no text layer (a scanned document?); this bot does no OCR: "
                          "add the text as a .txt file instead")
    meta = {"title": _meta_text(info.get("/Title")), "author": _meta_text(info.get("/Author")),
            "date": _pdf_date(info.get("/CreationDate"))}
    return Document(name, ".md", _markdown(meta.get("title", ""), paragraphs), _present(meta))


def read_docx(data: bytes, name: str) -> Document:
    """A Word file's paragraphs (headings and body, in order) and its document properties."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, ValueError, KeyError) as exc:
        raise CorpusError(f"{name}: not a readable Word (.docx) file ({exc})") from exc
    paragraphs = [clean_space(nfc(p.text)) for p in document.paragraphs]
    paragraphs = [p for p in paragraphs if p]
    if not paragraphs:
        raise CorpusError(f"{name}: the Word file holds no text")
    props = document.core_properties
    meta = {"title": _meta_text(props.title), "author": _meta_text(props.author),
            "date": props.created.date().isoformat() if props.created else ""}
    return Document(name, ".md", _markdown(meta["title"], paragraphs), _present(meta))


class _BoundedRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if not is_link(newurl):
            raise CorpusError(f"{req.full_url}: redirected to {newurl}, not an http(s) link")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(url: str, max_bytes: int, timeout: float = FETCH_TIMEOUT) -> tuple[bytes, str, str, str]:
    """(body, content type, final URL, charset the server names or "") of ``url``; ``CorpusError``
    with one line for each failure."""
    opener = urllib.request.build_opener(_BoundedRedirects())
    request = urllib.request.Request(url, headers={"User-Agent": "busan-bot (article import)",
                                                   "Accept": "text/html, application/pdf"})
    try:
        with opener.open(request, timeout=timeout) as response:
            content_type = response.headers.get_content_type()
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise CorpusError(f"{url}: too large ({megabytes(int(length))}; at most {megabytes(max_bytes)}, "
                                  "setting max_article_mb)")
            data = response.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise CorpusError(f"{url}: too large (over {megabytes(max_bytes)}, setting max_article_mb)")
            return data, content_type, response.geturl(), response.headers.get_content_charset() or ""
    except urllib.error.HTTPError as exc:
        if exc.code in (301, 302, 303, 307, 308):
            raise CorpusError(f"{url}: more than {MAX_REDIRECTS} redirects") from exc
        raise CorpusError(f"{url}: the server answered {exc.code} {exc.reason}"
                          + (" (not found)" if exc.code == 404 else "")) from exc
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError) or "timed out" in str(reason):
            raise CorpusError(f"{url}: timed out after {timeout:.0f} s") from exc
        raise CorpusError(f"{url}: could not be fetched ({reason})") from exc
    except TimeoutError as exc:
        raise CorpusError(f"{url}: timed out after {timeout:.0f} s") from exc


def _utf8(data: bytes, served: str, source: str) -> bytes:
    """The page as UTF-8 (the seeds folder's encoding), from the charset the server names, else
    the one the page declares, else UTF-8."""
    declared = re.search(rb"charset=[\"']?([\w-]+)", data[:4096], re.IGNORECASE)
    charset = served or (declared.group(1).decode("ascii") if declared else "utf-8")
    try:
        return data.decode(charset).encode("utf-8")
    except (LookupError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{source}: the page is not readable text ({charset})") from exc


def _pdf_paragraphs(text: str) -> list[str]:
    """Paragraphs of a PDF's extracted text: lines joined until a blank line or a line that ends
    a sentence and is shorter than the page's usual line (a paragraph's last line)."""
    lines = [clean_space(nfc(line)) for line in text.splitlines()]
    lengths = sorted(len(line) for line in lines if line)
    full = lengths[len(lengths) * 3 // 4] if lengths else 0  # a full line: the upper quartile
    paragraphs, current = [], []
    for line in lines:
        if line:
            current.append(line)
        if current and (not line or (line[-1] in ".!?…:\"”" and len(line) < full * 0.9)):
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return [p for p in paragraphs if p]


def _markdown(title: str, paragraphs: list[str]) -> bytes:
    head = [f"# {title}"] if title and (not paragraphs or paragraphs[0] != title) else []
    return ("\n\n".join(head + paragraphs) + "\n").encode("utf-8")


def _meta_text(value) -> str:
    return clean_space(nfc(str(value))) if value else ""


def _pdf_date(value) -> str:
    """"D:20250813..." -> "2025-08-13"."""
    found = re.match(r"D:(\d{4})(\d{2})(\d{2})", str(value or ""))
    return f"{found.group(1)}-{found.group(2)}-{found.group(3)}" if found else ""


def _present(meta: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in meta.items() if v}


def _stem_of_url(url: str) -> str:
    path = url.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    stem = path.rsplit("/", 1)[-1] or "article"
    return re.sub(r"\.(html?|pdf|aspx?|php)$", "", stem, flags=re.IGNORECASE) or "article"
