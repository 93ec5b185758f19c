"""The site build: Markdown pages in, HTML pages out."""

from __future__ import annotations

from pathlib import Path

from build import build, inline, to_html

DOCS = Path(__file__).parent.parent / "docs"


def test_headings_lists_code_and_paragraphs() -> None:
    page = to_html("# Title\n\nSome *text*.\n\n- one\n- `two`\n\n```\n<raw>\n```\n")
    assert page.splitlines() == [
        "<h1>Title</h1>",
        "<p>Some <em>text</em>.</p>",
        "<ul>",
        "<li>one</li>",
        "<li><code>two</code></li>",
        "</ul>",
        "<pre><code>",
        "&lt;raw&gt;",
        "</code></pre>",
    ]


def test_links_to_pages_point_at_their_html_and_scripts_are_not_links() -> None:
    assert inline("[Guide](guide.md#start)") == '<a href="guide.html#start">Guide</a>'
    assert inline("[x](javascript:alert(1))").startswith('<a href="#">')
    assert inline("<script>") == "&lt;script&gt;"


def test_every_page_of_the_docs_is_built_with_the_navigation(tmp_path: Path) -> None:
    written = build(DOCS, tmp_path / "site")
    assert sorted(p.name for p in written) == ["guide.html", "index.html"]
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "<title>Welcome</title>" in index
    assert '<a href="guide.html">guide</a>' in index
    assert '<nav><a href="index.html">Home</a>' in index
