"""Articles on disk -> cleaned, numbered paragraphs.

Each article is a ``.txt``, ``.md`` or ``.html`` file in the seeds folder (``adding.py`` puts
it there, from those or a PDF, a Word file or a link), optionally
with ``NAME.meta.toml`` beside it (title, source, author, date, url).

Cleaning of news pages copied as text:
- the first line is the title; later copies of it are dropped;
- everything from a "related articles" marker on ("Tin liên quan", "Có thể bạn quan tâm",
  ...) is page furniture and is dropped, as are image placeholders ("... - Ảnh 3.");
- a line that repeats an earlier line is dropped (photo captions are printed twice);
- short lines without sentence punctuation are bylines, section labels or tag lines;
- photo captions are kept once, without the photo credit: some state facts found nowhere
  else in the article (e.g. the welcome at Gimhae airport), and the credit is not content;
  a caption that mostly repeats the title is dropped: it adds nothing, and being short it
  would outrank the paragraph that holds the facts.
"""

from __future__ import annotations

import logging
import os
import re
import stat
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .errors import CorpusError
from .html_page import read_page
from .packed import PackedPassages
from .passage import Article, ArticleSummary, Passage
from .text import clean_space, fold, nfc, words

log = logging.getLogger(__name__)

SUFFIXES = (".txt", ".md", ".html", ".htm")
_FURNITURE_START = re.compile(
    r"^(tin liên quan|có thể bạn quan tâm|bài liên quan|xem thêm|tin cùng chuyên mục|đọc thêm)",
    re.IGNORECASE,
)
_IMAGE_PLACEHOLDER = re.compile(r"[-–]\s*Ảnh\s*\d+\.?$")
_PHOTO_CREDIT = re.compile(r"\s*\(?(Ảnh|Photo|Nguồn ảnh)\s*:\s*[^.()]{1,60}\)?\.?\s*$")
_OUTLET_TAG = re.compile(r"^\((NLĐO|TTXVN|VOV|PLO|TTO)\)\s*[-–]\s*")
_SENTENCE_PUNCT = re.compile(r"[.!?…:;\"”)]\s*$")
MIN_BODY_WORDS = 10
# An article larger than this is refused (Settings.max_article_mb wins where a front end
# passes it): a stray 50 MB dump would otherwise hold every later start for hours of indexing.
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
# C0/C1 controls other than tab and newline, and the escape sequences they start: an article
# or a title must never retitle a terminal or move its cursor.
_ANSI_ESCAPE = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_lines(lines: list[str], title: str) -> list[str]:
    """Body paragraphs of an article, in order (pure; see the module docstring)."""
    seen: set[str] = set()
    body: list[str] = []
    for raw in lines:
        line = clean_space(nfc(raw))
        if not line:
            continue
        if _FURNITURE_START.match(line):
            break
        if line == title or line in seen or _IMAGE_PLACEHOLDER.search(line):
            continue
        seen.add(line)
        line = _OUTLET_TAG.sub("", line)
        caption = _PHOTO_CREDIT.sub("", line) if _PHOTO_CREDIT.search(line) else None
        if caption is not None:
            if caption and not _repeats(caption, title):
                body.append(caption if _SENTENCE_PUNCT.search(caption) else caption + ".")
            continue
        if len(line.split()) < MIN_BODY_WORDS and not _SENTENCE_PUNCT.search(line):
            continue
        body.append(line)
    return body


def _repeats(caption: str, title: str, share: float = 0.7) -> bool:
    caption_words = [fold(w) for w in words(caption)]
    title_words = {fold(w) for w in words(title)}
    return bool(caption_words) and sum(w in title_words for w in caption_words) >= share * len(caption_words)


def strip_controls(text: str) -> str:
    """Text without terminal escape sequences and control characters (tab and newline kept;
    a carriage return becomes a newline, as a file from Windows or an old Mac means it)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", _ANSI_ESCAPE.sub("", text))


def read_inside(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of ``path``, which must be a regular file inside its own folder.

    A symlink may point elsewhere inside the folder; one that leads out of it (to another
    folder, ``/proc/self/environ``, a device) is refused before anything is read, so no file
    outside the articles can ever be indexed and quoted to users. The check is made on the
    open file itself, so a link swapped after the check is refused too."""
    folder = os.path.realpath(path.parent)
    real = os.path.realpath(path)
    if os.path.commonpath([folder, real]) != folder:
        raise CorpusError(f"{path.name} leads outside the articles folder (a link to {_where(real)}); not read")
    try:
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        raise CorpusError(f"cannot read {path.name}: {exc.strerror}") from exc
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise CorpusError(f"{path.name} is not a regular file; not read")
        check_size(path, info.st_size, max_bytes)
        data = handle.read(max_bytes + 1)
    check_size(path, len(data), max_bytes)  # a file that grew after its size was read
    return data


def check_size(path: Path, size: int, max_bytes: int) -> None:
    """``CorpusError`` naming the file, its size and the setting, when it is over ``max_bytes``."""
    if size > max_bytes:
        raise CorpusError(f"{path.name} is {megabytes(size)}, over the {megabytes(max_bytes)} limit for one article "
                          "(setting max_article_mb)")


def _where(real: str) -> str:
    """Where a refused link leads, named by its top folder only: the rest may itself be private."""
    parts = Path(real).parts
    return os.path.join(*parts[:2]) + ("/…" if len(parts) > 2 else "")


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def _read_text(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    try:
        return strip_controls(read_inside(path, max_bytes).decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path.name} is not UTF-8 text") from exc


def split_document(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[str, list[str]]:
    """(title, candidate lines) for a file of any supported kind."""
    raw = _read_text(path, max_bytes)
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        page = read_page(raw)
        return page.title, page.lines
    if suffix == ".md":
        # Markdown paragraphs are blocks separated by blank lines; lines inside a block join.
        blocks = [clean_space(b) for b in re.split(r"\n\s*\n", raw)]
        blocks = [re.sub(r"^#+\s*", "", b) for b in blocks if b]
        lines = [re.sub(r"[*_`]{1,3}", "", b) for b in blocks]
    else:
        lines = raw.splitlines()
    lines = [nfc(line) for line in lines]
    title = next((clean_space(line) for line in lines if line.strip()), "")
    return title, lines


def read_meta(path: Path) -> dict[str, str]:
    meta_path = meta_path_for(path)
    if not meta_path.exists():
        return {}
    try:
        data = tomllib.loads(_read_text(meta_path, max_bytes=64 * 1024))
    except tomllib.TOMLDecodeError as exc:
        raise CorpusError(f"{meta_path.name} is not valid TOML: {exc}") from exc
    fields = {k: v for k, v in data.items() if k in {"title", "source", "author", "date", "url"}}
    for key, value in fields.items():
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise CorpusError(f"{meta_path.name}: {key} must be text, not {type(value).__name__}")
    return {k: clean_space(strip_controls(nfc(str(v)))) for k, v in fields.items()}


def meta_path_for(path: Path) -> Path:
    return path.with_name(path.stem + ".meta.toml")


def load_article(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Article:
    title, lines = split_document(path, max_bytes)
    meta = read_meta(path)
    # The metadata title wins: some pages start with a section label, not the title.
    title = meta.get("title") or title or path.stem
    body = clean_lines(lines, title)
    if not body:
        raise CorpusError(f"{path.name}: no paragraphs left after cleaning")
    article_id = path.stem
    source = meta.get("source", "")
    passages = tuple(
        Passage.create(article_id, title, source, number, text) for number, text in enumerate(body, start=1)
    )
    return Article(
        id=article_id, title=title, source=source, author=meta.get("author", ""),
        date=meta.get("date", ""), url=meta.get("url", ""), path=str(path), passages=passages,
    )


def article_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise CorpusError(f"articles folder not found: {folder}")
    # Not p.is_file(): it follows links and would hide a refused one; read_inside decides
    # what may be read and says why not.
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES and not p.is_dir())


@dataclass(frozen=True)
class Skipped:
    """An article file that could not be read, and why."""

    path: str
    reason: str

    def __str__(self) -> str:
        """'broken.txt: why' - how every front end names a skipped file."""
        return f"{Path(self.path).name}: {self.reason}"


def scan_articles(folder: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Article | Skipped]:
    """Each article file in turn: its article, or why it could not be read (empty, not UTF-8,
    unreadable, malformed metadata, too large, a link out of the folder, not a regular file):
    one bad file never stops the others."""
    for path in article_files(folder):
        try:
            yield load_article(path, max_bytes)
        except CorpusError as exc:
            yield Skipped(str(path), str(exc))


def scan_corpus(folder: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[list[Article], list[Skipped]]:
    """Every readable article, and the files that are not (``scan_articles``)."""
    articles, skipped = [], []
    for item in scan_articles(folder, max_bytes):
        (skipped if isinstance(item, Skipped) else articles).append(item)
    return articles, skipped


def load_corpus(folder: Path, skipped: list[Skipped] | None = None,
                max_bytes: int = DEFAULT_MAX_BYTES) -> list[Article]:
    """The readable articles; a warning names each skipped file (also added to ``skipped``)."""
    articles, bad = scan_corpus(folder, max_bytes)
    _skipped(folder, articles, bad, skipped)
    return articles


def read_corpus(folder: Path, skipped: list[Skipped] | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
                scratch: Path | None = None) -> tuple[list[ArticleSummary], PackedPassages]:
    """``load_corpus`` for a build or an engine: each article's listing, and the paragraphs of
    all of them packed in a scratch file as they are read, one article held at a time (a
    million paragraphs as objects would be ~2.3 GB; ``packed.py``). The file goes in the
    folder ``scratch`` (default: the system's temporary folder, which may be held in memory).
    The caller closes them."""
    summaries, bad = [], []
    where = scratch if scratch is not None else Path(tempfile.gettempdir())

    def cannot_keep(exc: OSError) -> CorpusError:  # no such folder, or its disk is full
        return CorpusError(f"cannot keep the articles' paragraphs in {where}: {exc.strerror or exc}")

    try:
        passages = PackedPassages(directory=str(where))
    except OSError as exc:
        raise cannot_keep(exc) from exc
    try:
        for item in scan_articles(folder, max_bytes):
            if isinstance(item, Skipped):
                bad.append(item)
                continue
            summaries.append(ArticleSummary.of(item))
            try:
                for p in item.passages:
                    passages.append(p)
            except OSError as exc:  # the scratch file's disk is full
                raise cannot_keep(exc) from exc
        _skipped(folder, summaries, bad, skipped)
    except BaseException:
        passages.close()
        raise
    return summaries, passages


def _skipped(folder: Path, articles: list, bad: list[Skipped], skipped: list[Skipped] | None) -> None:
    """Warn of each skipped file (and add it to ``skipped``); no readable article at all is an error."""
    for s in bad:
        log.warning("skipped %s: %s", Path(s.path).name, s.reason)
    if skipped is not None:
        skipped.extend(bad)
    if not articles:
        why = "; ".join(s.reason for s in bad)
        raise CorpusError(f"no readable articles (.txt, .md, .html) in {folder}" + (f" ({why})" if why else ""))


def corpus_passages(articles: list[Article]) -> list[Passage]:
    return [p for a in articles for p in a.passages]
