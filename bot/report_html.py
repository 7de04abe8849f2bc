"""`busan-bot report --html FILE`: the report as one self-contained page (inline CSS, the chart
as inline SVG; nothing fetched when it is opened), written whole. Pure but for ``write_page``."""

from __future__ import annotations

import html
import os
import tempfile
from pathlib import Path

from .report import STATUSES, Report

COLOURS = {"answered": "#2e7d32", "uncertain": "#f9a825", "no_answer": "#c62828"}
LABELS = {"answered": "answered", "uncertain": "uncertain (shown with a caveat)", "no_answer": "no answer"}
CSS = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}table{border-collapse:collapse}
td,th{padding:.2rem .6rem;border-bottom:1px solid #ddd;text-align:right}td.text,th.text{text-align:left}
.legend span{display:inline-block;width:.8rem;height:.8rem;margin:0 .3rem 0 1rem;vertical-align:middle}"""


def page(report: Report, groups: list[list[int]], titles: dict[str, str], days: float, top: int = 20) -> str:
    """The whole page: questions per day (chart and table), feedback, the questions the articles
    could not answer grouped by meaning, the paragraphs most often voted down."""
    esc = html.escape
    total = sum(sum(c.values()) for c in report.days.values())
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>busan-bot report</title>"
             f"<style>{CSS}</style></head><body>",
             f"<h1>busan-bot report: the last {days:g} days</h1>",
             f"<p>{total} questions; feedback 👍 {report.up} / 👎 {report.down}"
             + (f"; {report.uncounted_texts} logged without their text (question_log_days)"
                if report.uncounted_texts else "") + "</p>",
             "<h2>Questions per day</h2>", chart(report), _day_table(report),
             "<h2>Not answered by the articles, grouped by meaning</h2>"]
    if groups:
        parts.append("<table><tr><th>count</th><th class='text'>how it was asked</th></tr>")
        for group in groups[:top]:
            examples = " | ".join(dict.fromkeys(report.unanswered[i] for i in group))
            parts.append(f"<tr><td>{len(group)}</td><td class='text'>{esc(examples)}</td></tr>")
        parts.append("</table>")
    else:
        parts.append("<p>Every logged question found an answer in the articles.</p>")
    if report.down_passages:
        parts.append("<h2>Paragraphs most often voted down (as the first shown)</h2><table>"
                     "<tr><th>👎</th><th class='text'>paragraph</th></tr>")
        for pid, n in report.down_passages.most_common(top):
            parts.append(f"<tr><td>{n}</td><td class='text'>{esc(titles.get(pid, pid))}</td></tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts)


def chart(report: Report, bar: int = 28, height: int = 160) -> str:
    """Stacked bars, one per day, of the questions by status, as inline SVG."""
    if not report.days:
        return "<p>No questions in this period.</p>"
    most = max(sum(c.values()) for c in report.days.values()) or 1
    width = bar * len(report.days) + 40
    shapes = []
    for i, (day, counts) in enumerate(report.days.items()):
        x, y = 30 + i * bar, height
        for status in STATUSES:
            h = counts[status] / most * (height - 20)
            if h:
                y -= h
                shapes.append(f"<rect x='{x}' y='{y:.1f}' width='{bar - 4}' height='{h:.1f}' fill='{COLOURS[status]}'>"
                              f"<title>{day}: {counts[status]} {LABELS[status]}</title></rect>")
    axis = f"<text x='0' y='14' font-size='11'>{most}</text><line x1='28' y1='{height}' x2='{width}' y2='{height}' " \
           "stroke='#888'/>"
    legend = "".join(f"<span style='background:{COLOURS[s]}'></span>{LABELS[s]}" for s in STATUSES)
    return (f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height + 4}' role='img' "
            f"aria-label='questions per day by status'>{axis}{''.join(shapes)}</svg><p class='legend'>{legend}</p>")


def _day_table(report: Report) -> str:
    rows = ["<table><tr><th class='text'>day</th><th>questions</th>"
            + "".join(f"<th>{LABELS[s]}</th>" for s in STATUSES) + "</tr>"]
    for day, counts in report.days.items():
        n = sum(counts.values())
        rows.append(f"<tr><td class='text'>{day}</td><td>{n}</td>"
                    + "".join(f"<td>{counts[s] / n:.0%}</td>" for s in STATUSES) + "</tr>")
    return "".join(rows) + "</table>"


def write_page(path: Path, text: str) -> None:
    """Written aside and renamed: a reader never sees half a page."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
