"""Plain-text rendering shared by the console front ends (no terminal or Telegram code)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from retrieval.answer import AnswerPassage
from retrieval.passage import Article, ArticleSummary


@dataclass(frozen=True)
class Excerpt:
    before: str
    highlight: str
    after: str


def excerpt(text: str, highlight: str, width: int = 360) -> Excerpt:
    """Cut ``text`` to about ``width`` characters around ``highlight``, marking cuts with '…'."""
    start = text.find(highlight) if highlight else -1
    if start < 0:
        cut = text if len(text) <= width else text[: width].rsplit(" ", 1)[0] + " …"
        return Excerpt(cut, "", "")
    end = start + len(highlight)
    room = max(width - len(highlight), 0)
    before, after = text[:start], text[end:]
    keep_before = min(len(before), room // 3)
    keep_after = min(len(after), room - keep_before)
    if keep_before < len(before):
        trimmed = before[len(before) - keep_before :]
        before = "… " + (trimmed.split(" ", 1)[1] if " " in trimmed else trimmed) if keep_before else ""
    if keep_after < len(after):
        trimmed = after[:keep_after]
        after = (trimmed.rsplit(" ", 1)[0] if " " in trimmed else trimmed) + " …" if keep_after else ""
    return Excerpt(before, highlight, after)


LABELS = {
    "vi": {"paragraph": "đoạn", "none": "Không tìm thấy", "more": "Gõ /more để xem thêm đoạn khác.",
           "understood": "Hiểu là", "new": "Bắt đầu cuộc trò chuyện mới.",
           "no_more": "Không còn đoạn nào khác.",
           "updating": "(Chỉ mục mới đang được xây dựng; câu trả lời này dựa trên chỉ mục trước.)"},
    "en": {"paragraph": "paragraph", "none": "Nothing found", "more": "Type /more for further passages.",
           "understood": "Understood as", "new": "A new conversation starts.",
           "no_more": "No further passages.",
           "updating": "(A new index is being built; this answer comes from the previous one.)"},
}


def labels(lang: str) -> dict[str, str]:
    return LABELS[lang]


def citation(ap: AnswerPassage, lang: str) -> str:
    p = ap.passage
    source = f" — {p.source}" if p.source else ""
    return f"{p.title}{source}, {labels(lang)['paragraph']} {p.paragraph}"


def source_lines(articles: Sequence[Article | ArticleSummary]) -> list[tuple[str, str]]:
    """Each article as (title, "source (author, date); N paragraphs"), for every front end's list of sources."""
    out = []
    for a in map(ArticleSummary.of, articles):
        extra = ", ".join(x for x in (a.author, a.date) if x)
        out.append((a.title, f"{a.source or 'source unknown'}{' (' + extra + ')' if extra else ''}; "
                             f"{a.paragraphs} paragraphs"))
    return out


Run = tuple[str, bool]  # a piece of text, and whether it is the highlighted sentence


def wrap_runs(runs: list[Run], width: int | None, prefix: str = "", indent: str = "") -> list[list[Run]]:
    """Lines of at most ``width`` characters, broken between words only, the first starting
    with ``prefix`` and the others with ``indent``; each line a list of runs, so the highlight
    survives the wrapping. ``width`` None: one line (piped output is never wrapped). A word
    longer than a line stands alone on its line, as a terminal would show it anyway."""
    words: list[tuple[list[Run], bool]] = []  # (the word's runs, a space before it)
    space = False
    for text, marked in runs:
        for piece in re.split(r"(\s+)", text):
            if not piece:
                continue
            if piece.isspace():
                space = True
            elif words and not space:
                words[-1][0].append((piece, marked))  # the highlight begins or ends inside a word
            else:
                words.append(([(piece, marked)], bool(words)))
                space = False
    lines: list[list[Run]] = [[(prefix, False)]] if prefix else [[]]
    used = len(prefix)
    for pieces, spaced in words:
        size = sum(len(t) for t, _ in pieces)
        if width is not None and lines[-1] and used + spaced + size > width and used > len(indent if len(lines) > 1 else prefix):
            lines.append([(indent, False)] if indent else [])
            used, spaced = len(indent), False
        if spaced:
            lines[-1].append((" ", lines[-1][-1][1] and pieces[0][1] if lines[-1] else False))
            used += 1
        lines[-1].extend(pieces)
        used += size
    return [_merged(line) for line in lines]


def _merged(line: list[Run]) -> list[Run]:
    out: list[Run] = []
    for text, marked in line:
        if out and out[-1][1] == marked:
            out[-1] = (out[-1][0] + text, marked)
        elif text:
            out.append((text, marked))
    return out
