"""Adding an article to the seeds folder: read from its source (``sources.py``), checked that it
parses, refused when the folder already holds it (the same link or the same text) unless it is
to replace that one, and written so that nothing half-written is ever left behind."""

from __future__ import annotations

import logging
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .corpus import DEFAULT_MAX_BYTES, article_files, load_article, meta_path_for, read_meta
from .errors import CorpusError
from .passage import content_hash
from .sources import Document, is_link, read_source
from .text import nfc

log = logging.getLogger(__name__)

_CONTROL_OR_NEWLINE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")  # metadata is one line
META_FIELDS = ("title", "source", "author", "date", "url")


@dataclass(frozen=True)
class Added:
    path: Path  # the article's file in the seeds folder
    replaced: Path | None = None  # the file it replaced (--replace)


def add_article(origin: str | Path, folder: Path, title: str | None = None, source: str | None = None,
                author: str | None = None, date: str | None = None, url: str | None = None,
                replace: bool = False, max_bytes: int = DEFAULT_MAX_BYTES) -> Added:
    """Put the article at ``origin`` (a file or an http(s) link) into ``folder``, with its
    metadata (``source``: the outlet): what the origin states, each value given here winning."""
    given = {"title": title, "source": source, "author": author, "date": date, "url": url}
    for key, value in given.items():
        if value and _CONTROL_OR_NEWLINE.search(value):
            raise CorpusError(f"--{key} holds a control character (a line break, carriage return or "
                              "escape); give it as plain text on one line")
    document = read_source(str(origin), max_bytes)
    meta = {**document.meta, **{k: v for k, v in given.items() if v}}
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{_slug(document.name)}_{content_hash(document.data.decode('utf-8', 'replace'), length=8)}" \
                      f"{document.suffix}"
    article = _parsed(document, meta, target.name, max_bytes)
    existing = _already_there(folder, article, meta.get("url", ""), exclude=target)
    if existing is None and target.exists():
        existing = target
    if existing is not None and not replace:
        raise CorpusError(f"{_what(origin)} is already in the articles as {existing.name} (--replace updates it)")
    _write(target, document.data, _meta_toml(meta), existing)
    return Added(target, existing)


def _parsed(document: Document, meta: dict[str, str], name: str, max_bytes: int):
    """The article as the seeds folder will read it, parsed apart before anything is put there."""
    with tempfile.TemporaryDirectory(prefix="busan-bot-add-") as stage:
        path = Path(stage) / name
        path.write_bytes(document.data)
        meta_path_for(path).write_text(_meta_toml(meta), encoding="utf-8")
        return load_article(path, max_bytes)


def _write(target: Path, data: bytes, meta_text: str, existing: Path | None) -> None:
    """The article and its metadata put in place whole (written aside, then renamed), and only
    then the one it replaces removed: a failure leaves no part of the new one behind and the old
    one where it was."""
    tmp = target.with_name("." + target.name + ".tmp")
    tmp_meta = target.with_name("." + target.name + ".meta.tmp")
    try:
        tmp.write_bytes(data)
        tmp_meta.write_text(meta_text, encoding="utf-8")
        if meta_text:
            tmp_meta.replace(meta_path_for(target))
        else:
            meta_path_for(target).unlink(missing_ok=True)  # a replaced article's, of the same name
        tmp.replace(target)
        if existing is not None and existing != target:
            existing.unlink(missing_ok=True)
            meta_path_for(existing).unlink(missing_ok=True)
    except OSError as exc:
        if not target.exists():
            meta_path_for(target).unlink(missing_ok=True)
        raise CorpusError(f"could not write {target.name}: {exc.strerror or exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
        tmp_meta.unlink(missing_ok=True)


def _already_there(folder: Path, article, url: str, exclude: Path) -> Path | None:
    """The file of ``folder`` holding the same article: the same link, or the same paragraphs."""
    texts = [p.text for p in article.passages]
    for path in article_files(folder):
        if path == exclude:
            continue
        try:
            if url and read_meta(path).get("url") == url:
                return path
            if [p.text for p in load_article(path).passages] == texts:
                return path
        except CorpusError:
            continue  # an unreadable article is no duplicate; `index` names it
    return None


def _what(origin) -> str:
    return str(origin) if is_link(str(origin)) else Path(str(origin)).name


def _slug(name: str) -> str:
    return re.sub(r"[^\w-]+", "-", nfc(name), flags=re.UNICODE).strip("-")[:40] or "article"


def _meta_toml(meta: dict[str, str]) -> str:
    return "".join(f"{k} = {_toml_string(v)}\n" for k, v in meta.items() if v and k in META_FIELDS)


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"'
