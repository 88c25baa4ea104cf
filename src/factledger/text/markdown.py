"""Markdown to prose: the body a reader segments into sentences must be text, not syntax.

Blocks (paragraphs, headings, list items) are separated by a blank line, because the sentence splitter
treats a blank line as a hard boundary: a heading must never merge into the sentence after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_FENCE = re.compile(r"^\s*(```|~~~)")
_ATX_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(?P<text>.*?)\s*#*\s*$")
_SETEXT_UNDERLINE = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_LIST_MARKER = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s+")
_BLOCKQUOTE = re.compile(r"^\s{0,3}(?:>\s?)+")
_REFERENCE_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+")
_FRONT_MATTER_LINE = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)\s*:\s*(?P<value>.*?)\s*$")

# Inline rules run in order: images before links (an image is a link with a bang), code before emphasis (a
# star inside `code` is literal).
_INLINE_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"`([^`]*)`"), r"\1"),
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"!\[([^\]]*)\]\[[^\]]*\]"), r"\1"),
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),
    (re.compile(r"<((?:https?|mailto):[^>\s]+)>"), r"\1"),
    (re.compile(r"</?[A-Za-z][^>]*>"), ""),
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"), r"\1"),
    # Single `_` only at word edges, so snake_case identifiers survive.
    (re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)"), r"\1"),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!>~|])"), r"\1"),
)


@dataclass
class MarkdownText:
    body: str
    title: str | None
    front_matter: dict[str, str]


def _strip_inline(line: str) -> str:
    for pattern, replacement in _INLINE_RULES:
        line = pattern.sub(replacement, line)
    return line


def _split_front_matter(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """Read a leading YAML block of simple `key: value` lines (title, date); nested YAML is ignored."""
    if not lines or lines[0].strip() != "---":
        return {}, lines
    for index in range(1, len(lines)):
        if lines[index].strip() in {"---", "..."}:
            meta: dict[str, str] = {}
            for line in lines[1:index]:
                match = _FRONT_MATTER_LINE.match(line)
                if match:
                    meta[match["key"].lower()] = match["value"].strip("'\"")
            return meta, lines[index + 1 :]
    return {}, lines


def markdown_to_text(raw: str) -> MarkdownText:
    """Strip Markdown to prose. A leading level-1 heading becomes the title and leaves the body."""
    front_matter, lines = _split_front_matter(raw.split("\n"))
    blocks: list[str] = []
    paragraph: list[str] = []
    title: str | None = front_matter.get("title") or None
    in_fence = False

    def flush() -> None:
        text = "\n".join(paragraph).strip()
        if text:
            blocks.append(text)
        paragraph.clear()

    for line in lines:
        if _FENCE.match(line):
            # Code is not prose: fenced blocks are dropped whole.
            in_fence = not in_fence
            flush()
            continue
        if in_fence or _REFERENCE_DEFINITION.match(line):
            continue
        if not line.strip() or _RULE.match(line):
            flush()
            continue
        if paragraph and _SETEXT_UNDERLINE.match(line):
            heading = _strip_inline(" ".join(p.strip() for p in paragraph))
            paragraph.clear()
            if title is None and line.strip().startswith("=") and not blocks:
                title = heading
            else:
                blocks.append(heading)
            continue
        heading_match = _ATX_HEADING.match(line)
        if heading_match:
            flush()
            heading = _strip_inline(heading_match["text"])
            if title is None and not blocks and line.lstrip().startswith("# "):
                title = heading
            elif heading:
                blocks.append(heading)
            continue
        content = _BLOCKQUOTE.sub("", line)
        if _LIST_MARKER.match(content):
            # Each list item is its own block: items are rarely full sentences and must not merge.
            flush()
            content = _LIST_MARKER.sub("", content)
        paragraph.append(_strip_inline(content).strip())
    flush()
    return MarkdownText(body="\n\n".join(blocks), title=title, front_matter=front_matter)


_ISO_DATE_PREFIX = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})")


def iso_date_prefix(value: str) -> date | None:
    match = _ISO_DATE_PREFIX.match(value)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
