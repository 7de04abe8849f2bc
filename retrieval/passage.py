"""The one record that flows from the loader to the index to the answer."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields


def content_hash(*parts: str, length: int = 16) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:length]


@dataclass(frozen=True)
class Passage:
    """A paragraph of an article; ``id`` depends only on the article and the text."""

    id: str
    article: str
    title: str
    source: str
    paragraph: int
    text: str

    @classmethod
    def create(cls, article: str, title: str, source: str, paragraph: int, text: str) -> "Passage":
        return cls(content_hash(article, text), article, title, source, paragraph, text)


@dataclass(frozen=True)
class ArticleFields:
    """What is known of an article besides its paragraphs."""

    id: str
    title: str
    source: str
    author: str
    date: str
    url: str
    path: str


@dataclass(frozen=True)
class Article(ArticleFields):
    passages: tuple[Passage, ...]


@dataclass(frozen=True)
class ArticleSummary(ArticleFields):
    """An article as a list of sources shows it, without its paragraphs: what a running engine
    keeps of each article. The index holds the paragraphs; kept as objects beside it they would
    be the largest thing a serving process holds (~2.3 GB at a million paragraphs)."""

    paragraphs: int

    @classmethod
    def of(cls, article: "Article | ArticleSummary") -> "ArticleSummary":
        if isinstance(article, ArticleSummary):
            return article
        shared = {f.name: getattr(article, f.name) for f in fields(ArticleFields)}
        return cls(**shared, paragraphs=len(article.passages))
