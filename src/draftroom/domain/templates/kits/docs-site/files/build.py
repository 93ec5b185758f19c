"""Build the Markdown pages in a directory into a static HTML site.

Usage: python build.py DOCS_DIR SITE_DIR

A small Markdown subset, on purpose: headings, paragraphs, lists, fenced code, inline code,
emphasis and links. Everything else is shown as text, HTML-escaped.
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

NAV = (("index", "Home"), ("guide", "Guide"))
PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{title}</title></head>
<body>
<nav>{nav}</nav>
<main>
{body}
</main>
</body>
</html>
"""
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_CODE = re.compile(r"`([^`]+)`")
_STRONG = re.compile(r"\*\*([^*]+)\*\*")
_EM = re.compile(r"\*([^*]+)\*")


def inline(text: str) -> str:
    """One line of Markdown as HTML: escaped, then code, emphasis and links."""
    out = html.escape(text, quote=True)
    out = _CODE.sub(r"<code>\1</code>", out)
    out = _STRONG.sub(r"<strong>\1</strong>", out)
    out = _EM.sub(r"<em>\1</em>", out)
    return _LINK.sub(lambda m: f'<a href="{_target(m.group(2))}">{m.group(1)}</a>', out)


def _target(url: str) -> str:
    if url.startswith(("javascript:", "data:")):
        return "#"
    return re.sub(r"\.md(#|$)", r".html\1", url)


def to_html(markdown: str) -> str:
    """A page's Markdown as the HTML of its body."""
    out: list[str] = []
    paragraph: list[str] = []
    in_list = in_code = False

    def flush() -> None:
        nonlocal in_list
        if paragraph:
            out.append(f"<p>{inline(' '.join(paragraph))}</p>")
            paragraph.clear()
        if in_list:
            out.append("</ul>")
            in_list = False

    for line in markdown.splitlines():
        if line.startswith("```"):
            flush()
            out.append("</code></pre>" if in_code else "<pre><code>")
            in_code = not in_code
        elif in_code:
            out.append(html.escape(line))
        elif heading := re.match(r"^(#{1,6}) (.*)", line):
            flush()
            level = len(heading.group(1))
            out.append(f"<h{level}>{inline(heading.group(2))}</h{level}>")
        elif line.startswith("- "):
            if paragraph or not in_list:
                flush()
                out.append("<ul>")
                in_list = True
            out.append(f"<li>{inline(line[2:])}</li>")
        elif not line.strip():
            flush()
        else:
            paragraph.append(line.strip())
    flush()
    return "\n".join(out)


def build(docs: Path, site: Path) -> list[Path]:
    """Write one HTML page per Markdown page; the pages written."""
    site.mkdir(parents=True, exist_ok=True)
    nav = " | ".join(f'<a href="{name}.html">{label}</a>' for name, label in NAV)
    written = []
    for source in sorted(docs.glob("*.md")):
        text = source.read_text(encoding="utf-8")
        title = next((line[2:] for line in text.splitlines() if line.startswith("# ")), source.stem)
        page = PAGE.format(title=html.escape(title), nav=nav, body=to_html(text))
        target = site / f"{source.stem}.html"
        target.write_text(page, encoding="utf-8")
        written.append(target)
    return written


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    for page in build(Path(argv[0]), Path(argv[1])):
        print(f"wrote {page}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
