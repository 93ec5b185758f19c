"""wordcount: a draftroom plugin with two tools.

``wordcount.count`` reads a file of the caller's sandbox and answers its words and lines;
``wordcount.report`` writes those counts to a Markdown file as one audited commit. It also
ships a template directory (``register_templates``).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from draftroom.plugins import PluginContext, hookimpl, tool

requires_api = ">=1,<3"


class CountInput(BaseModel):
    path: str = Field(
        ..., min_length=1, max_length=4096, description="File to count, e.g. README.md."
    )


class CountOutput(BaseModel):
    path: str
    words: int
    lines: int


def _count(ctx: PluginContext, path: str) -> CountOutput:
    text = ctx.read(path).decode("utf-8", errors="replace")
    return CountOutput(path=path, words=len(text.split()), lines=len(text.splitlines()))


@tool(
    "wordcount.count",
    summary="Count words",
    description="Counts the words and lines of a file on your branch.",
)
def count(ctx: PluginContext, body: CountInput) -> CountOutput:
    return _count(ctx, body.path)


class ReportInput(BaseModel):
    paths: list[str] = Field(..., min_length=1, max_length=50, description="Files to count.")
    report: str = Field("WORDCOUNT.md", max_length=4096, description="Where to write the report.")


class ReportOutput(BaseModel):
    sha: str = Field(description="The commit holding the report.")
    counts: list[CountOutput]


@tool(
    "wordcount.report",
    summary="Write a word count report",
    description="Counts the files and commits a Markdown table of the counts on your branch.",
    writes=True,
)
def report(ctx: PluginContext, body: ReportInput) -> ReportOutput:
    counts = [_count(ctx, path) for path in body.paths]
    rows = "".join(f"| {c.path} | {c.words} | {c.lines} |\n" for c in counts)
    table = "| file | words | lines |\n|---|---|---|\n" + rows
    sha = ctx.commit({body.report: table}, f"Word count of {len(counts)} files")
    return ReportOutput(sha=sha, counts=counts)


@hookimpl
def register_templates() -> list[Path]:
    return [Path(__file__).parent / "templates"]
