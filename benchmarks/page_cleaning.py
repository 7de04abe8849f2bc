"""How well a news page's article is pulled out of its furniture, on tests/fixtures/pages.

    python -m benchmarks.page_cleaning [--trafilatura]

Six pages of different layouts (semantic HTML5, div soup, an old table layout, JSON-LD with an
articleBody, <main> with an aside and a Disqus box, a blog), each around one seed article's
paragraphs with a cookie banner, menus, share links, tags, related links, reader comments, a
newsletter box and a footer. Per page and in all: the share of the article's sentences
recovered, the share of the furniture pieces kept (in a line that is not the article's), the
share of the lines kept that are not the article's, and whether the title, author and date
were read. --trafilatura measures trafilatura (if importable) on the same pages beside ours.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from retrieval.html_page import read_page
from retrieval.corpus import clean_lines
from retrieval.text import clean_space, sentences

PAGES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "pages"


def ours(page: str) -> dict:
    read = read_page(page)
    return {"paragraphs": clean_lines(read.lines, read.title), "title": read.title,
            "author": read.meta.get("author", ""), "date": read.meta.get("date", "")}


def trafilatura_reader(page: str) -> dict:
    import trafilatura

    doc = trafilatura.bare_extraction(page, with_metadata=True, include_comments=False)
    doc = doc if isinstance(doc, dict) else doc.as_dict()
    return {"paragraphs": [line for line in (doc.get("text") or "").splitlines() if line.strip()],
            "title": doc.get("title") or "", "author": doc.get("author") or "", "date": doc.get("date") or ""}


def score(expected: dict, got: dict) -> dict:
    text = clean_space(" ".join(got["paragraphs"]))
    # A photo's caption is the article's too (the cleaner keeps captions on purpose: corpus.py).
    article = clean_space(" ".join(expected["paragraphs"] + expected.get("captions", [])))
    wanted = [s for p in expected["paragraphs"] for s in sentences(p)]
    # Furniture counts where it stands in a line of its own, not where its words ("Busan", a
    # tag) also occur in the article.
    extra = [clean_space(line) for line in got["paragraphs"] if clean_space(line) not in article]
    return {"recovered": sum(s in text for s in wanted) / len(wanted),
            "furniture_kept": sum(any(b in line for line in extra) for b in expected["boilerplate"])
                              / len(expected["boilerplate"]),
            "lines_furniture": len(extra) / max(len(got["paragraphs"]), 1),
            "title": got["title"] == expected["title"],
            "author": not expected["author"] or expected["author"] in got["author"],
            "date": not expected["date"] or got["date"].startswith(expected["date"])}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trafilatura", action="store_true", help="measure trafilatura beside ours")
    args = ap.parse_args(argv)
    readers = {"ours": ours} | ({"trafilatura": trafilatura_reader} if args.trafilatura else {})
    print(f"{'page':<12} {'reader':<12} {'recovered':>9} {'furniture':>9} {'lines':>6}  title author date")
    totals = {name: [] for name in readers}
    for path in sorted(PAGES.glob("*.html")):
        expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        for name, reader in readers.items():
            row = score(expected, reader(path.read_text(encoding="utf-8")))
            totals[name].append(row)
            print(f"{path.stem:<12} {name:<12} {row['recovered']:9.3f} {row['furniture_kept']:9.3f} "
                  f"{row['lines_furniture']:6.3f}  "
                  f"{'yes' if row['title'] else 'no':<5} {'yes' if row['author'] else 'no':<6} "
                  f"{'yes' if row['date'] else 'no'}")
    for name, rows in totals.items():
        n = len(rows)
        print(f"{'all':<12} {name:<12} {sum(r['recovered'] for r in rows) / n:9.3f} "
              f"{sum(r['furniture_kept'] for r in rows) / n:9.3f} {sum(r['lines_furniture'] for r in rows) / n:6.3f}  "
              f"{sum(r['title'] for r in rows)}/{n}   "
              f"{sum(r['author'] for r in rows)}/{n}    {sum(r['date'] for r in rows)}/{n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
