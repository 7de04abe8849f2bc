"""A news page's article text and metadata, without the page's furniture (pure; stdlib parser).

Most of a news page is not the article: menus, a cookie banner, share links, tags, related
links, reader comments, a newsletter box, a footer. What is left out, whatever the layout:
- elements that are never content (``SKIP``: scripts, navigation, headers, footers, asides,
  forms, tables of buttons);
- any element whose class or id names furniture, by the pattern Mozilla's Readability uses for
  "unlikely candidates" (Apache-2.0; ``data/page.toml``, with Vietnamese news sites' own names:
  "box-comment", "tin-lien-quan"), unless it also names the content ("article", "content",
  "main", "body": Readability's "maybe a candidate");
- a block most of whose text is link text (a list of related titles, a line of share buttons);
- a line in the form of a legal footer (a licence number "123/GP-BTTTT", "©", "all rights reserved");
- where the page marks its article (``<article>``, ``itemprop="articleBody"``, ``<main>``) and that
  holds most of the page's paragraph text, only what is inside it.
Metadata (title, author, date, site name) is read from the page's ``<meta>`` tags (Open Graph,
``article:published_time``, ``author``), its JSON-LD (``NewsArticle``) and ``<time datetime>``.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from .text import clean_space, nfc

_DATA = tomllib.loads((Path(__file__).parent / "data" / "page.toml").read_text(encoding="utf-8"))
_UNLIKELY = re.compile(_DATA["unlikely"], re.IGNORECASE)
_MAYBE = re.compile(_DATA["maybe"], re.IGNORECASE)
_BYLINE = re.compile(_DATA["byline"], re.IGNORECASE)
_FOOTER = re.compile(_DATA["footer"], re.IGNORECASE)
LINK_DENSITY = float(_DATA["link_density"])
MARKED_SHARE = float(_DATA["marked_share"])

MAX_BYLINE = 100  # characters: a byline is a name or two and a date, never a paragraph
SITE_NAME_WORDS = 4
_SEPARATOR = re.compile(r"\s+[|–—-]\s+")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dd", "dt", "blockquote", "figcaption", "div", "br", "td",
          "th", "tr", "table", "section", "article", "main", "ul", "ol", "figure", "pre"}
SKIP = {"script", "style", "nav", "header", "footer", "aside", "noscript", "form", "button", "select", "template",
        "svg", "iframe"}
VOID = {"br", "img", "meta", "link", "input", "hr", "source", "wbr", "area", "base", "col", "embed", "param", "track"}


@dataclass
class Page:
    title: str
    lines: list[str]
    meta: dict[str, str] = field(default_factory=dict)  # author, date, source, title as the page states them


@dataclass
class _Line:
    text: str
    links: int  # characters of it inside <a>
    marked: bool  # inside the element the page marks as its article


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[_Line] = []
        self.title = self.h1 = ""
        self.meta: dict[str, str] = {}
        self.json_ld: list[str] = []
        self._buf: list[str] = []
        self._link_chars = 0
        self.byline = ""
        self._stack: list[tuple[str, bool, bool, bool]] = []  # (tag, skipped, marked, byline) of each open element
        self._in_link = 0
        self._capture: str | None = None  # "title" or "ld" while reading one

    @property
    def _skipped(self) -> bool:
        return bool(self._stack) and self._stack[-1][1]

    @property
    def _marked(self) -> bool:
        return bool(self._stack) and self._stack[-1][2]

    @property
    def _in_byline(self) -> bool:
        return bool(self._stack) and self._stack[-1][3]

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag == "meta":
            self._read_meta(attrs)
        elif tag == "time" and attrs.get("datetime"):
            self.meta.setdefault("time", attrs["datetime"])
        if tag == "script" and attrs.get("type", "").lower() == "application/ld+json":
            self._capture = "ld"
            self.json_ld.append("")
        if tag in BLOCKS:
            self._flush()
        if tag in VOID:
            return
        names = f"{attrs.get('class', '')} {attrs.get('id', '')}"
        skipped = self._skipped or tag in SKIP or bool(_UNLIKELY.search(names) and not _MAYBE.search(names))
        marked = self._marked or tag in ("article", "main") or attrs.get("itemprop") == "articleBody"
        byline = (self._in_byline or bool(_BYLINE.search(names)) or attrs.get("rel") == "author"
                  or attrs.get("itemprop") == "author")
        self._stack.append((tag, skipped, marked, byline))
        if tag == "a":
            self._in_link += 1
        if tag == "title" and not skipped and not self.title:  # the page's, not an icon's (<svg><title>)
            self._capture = "title"

    def handle_endtag(self, tag):
        if tag in VOID or not any(t == tag for t, *_ in self._stack):
            return  # a stray end tag
        if tag in BLOCKS:
            text = self._flush()
            if tag == "h1" and text and not self.h1:
                self.h1 = text
        while self._stack:
            open_tag, *_ = self._stack.pop()
            if open_tag == "a":
                self._in_link = max(0, self._in_link - 1)
            if open_tag == tag:
                break
        if tag in ("title", "script"):
            self._capture = None

    def handle_data(self, data):
        if self._capture == "title":
            self.title += data
            return
        if self._capture == "ld":
            self.json_ld[-1] += data
            return
        if self._skipped:
            return
        self._buf.append(data)
        if self._in_link:
            self._link_chars += len(clean_space(data))

    def _flush(self) -> str:
        text = clean_space("".join(self._buf))
        if text:
            self.lines.append(_Line(text, self._link_chars, self._marked))
            if self._in_byline and not self.byline and len(text) <= MAX_BYLINE:
                self.byline = text
        self._buf, self._link_chars = [], 0
        return text

    def _read_meta(self, attrs: dict[str, str]) -> None:
        key = (attrs.get("property") or attrs.get("name") or "").lower()
        value = clean_space(attrs.get("content", ""))
        wanted = {"og:title": "title", "og:site_name": "source", "author": "author", "article:author": "author",
                  "article:published_time": "date", "date": "date", "pubdate": "date"}
        if value and key in wanted:
            self.meta.setdefault(wanted[key], value)

    def close(self):
        super().close()
        self._flush()


def read_page(html: str) -> Page:
    """The page's title, its article's text lines (furniture left out) and its metadata."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    meta = {**_json_ld(reader.json_ld), **reader.meta}
    if "date" not in meta and "time" in meta:
        meta["date"] = meta["time"]
    meta.pop("time", None)
    if reader.byline:
        meta.setdefault("author", reader.byline)
    if _ISO_DAY.match(meta.get("date", "")):
        meta["date"] = meta["date"][:10]  # the day: "2025-08-13T09:30:00+07:00" -> "2025-08-13"
    lines = [line for line in reader.lines if not _mostly_links(line) and not _FOOTER.search(line.text)]
    marked = [line for line in lines if line.marked]
    if marked and sum(len(line.text) for line in marked) >= MARKED_SHARE * sum(len(line.text) for line in lines):
        lines = marked
    title = clean_space(reader.h1 or meta.get("title") or without_site_name(clean_space(reader.title)))
    return Page(nfc(title), [nfc(line.text) for line in lines], {k: nfc(v) for k, v in meta.items() if v})


def without_site_name(title: str) -> str:
    """A ``<title>`` without the site's name after its last separator ("… – Blog Việt Hàn", "… | NLĐO"):
    a last part of a few words is a name; a longer one is part of the title ("Việt Nam - Hàn Quốc …")."""
    last = None
    for last in _SEPARATOR.finditer(title):
        pass
    if last is None:
        return title
    head, tail = title[: last.start()].strip(), title[last.end() :].strip()
    return head if head and len(tail.split()) <= SITE_NAME_WORDS else title


def _mostly_links(line: _Line) -> bool:
    return line.links >= LINK_DENSITY * len(line.text)


def _json_ld(blocks: list[str]) -> dict[str, str]:
    """Headline, author, date and publisher of the first article object in the page's JSON-LD."""
    for block in blocks:
        try:
            data = json.loads(block)
        except ValueError:
            continue
        items = data if isinstance(data, list) else data.get("@graph", [data]) if isinstance(data, dict) else []
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and "Article" in str(item.get("@type", "")):
                return {k: v for k, v in (("title", _name(item.get("headline"))), ("author", _name(item.get("author"))),
                                          ("date", _name(item.get("datePublished"))),
                                          ("source", _name(item.get("publisher")))) if v}
    return {}


def _name(value) -> str:
    """A JSON-LD value as text: a string, an object's name, or a list's first."""
    if isinstance(value, list):
        return _name(value[0]) if value else ""
    if isinstance(value, dict):
        return _name(value.get("name", ""))
    return clean_space(str(value)) if isinstance(value, (str, int, float)) else ""
