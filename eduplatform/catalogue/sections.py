"""A lesson's sections for the board, and the teacher's discussion prompts kept out of the pupils' text.

In a lesson file a prompt is a line of its own starting ``[discuss]``: it belongs to the section it
ends (the text before the first ``## `` heading, or a ``## `` heading and what follows it). Pupils
never see these lines; board mode shows each section on its own, with its prompt folded away for
the teacher.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup

#: A discussion prompt line; the marker is the same in every language.
_PROMPT = re.compile(r"^\[discuss\][ \t]+(?P<text>\S.*)$")
#: Where each section of rendered lesson HTML starts (the body is rendered once, then cut here).
_SECTION_START = re.compile(r"(?=<h2[\s>])")


@dataclass(frozen=True)
class SplitBody:
    """A lesson body without its prompt lines, and the prompts of each section."""

    #: The Markdown pupils see.
    pupil_text: str
    #: Prompt text per section: index 0 is the text before the first heading, then one per heading.
    prompts: dict[int, str]
    headings: int

    @property
    def orphan_prompt(self) -> bool:
        """A prompt before the first heading of a lesson with no text there: it follows nothing."""
        return 0 in self.prompts and not re.split(r"(?m)^## ", self.pupil_text, maxsplit=1)[0].strip()


def split_prompts(body: str) -> SplitBody:
    """Take the ``[discuss]`` lines out of a lesson body, remembering which section each ends."""
    kept: list[str] = []
    prompts: dict[int, list[str]] = {}
    section = 0
    for line in body.splitlines():
        if line.startswith("## "):
            section += 1
        match = _PROMPT.match(line.strip())
        if match:
            prompts.setdefault(section, []).append(match["text"].strip())
        else:
            kept.append(line)
    return SplitBody("\n".join(kept), {index: " ".join(texts) for index, texts in prompts.items()}, section)


@dataclass(frozen=True)
class LessonSection:
    """One part of a lesson as the board shows it."""

    html: Markup
    #: What the teacher might ask the class about this part (None when the content has none).
    prompt: Markup | None


def cut_sections(html: Markup, prompts: dict[int, Markup]) -> tuple[LessonSection, ...]:
    """Cut a lesson's rendered HTML at each ``<h2>`` and attach each section's prompt.

    The HTML is bleach-cleaned and its ``<h2>`` elements are top level, so every piece is whole.
    An empty introduction (a lesson starting with a heading) is not a section.
    """
    pieces = _SECTION_START.split(str(html))
    sections = []
    for index, piece in enumerate(pieces):
        if index == 0 and not piece.strip():
            continue
        sections.append(LessonSection(Markup(piece), prompts.get(index)))  # noqa: S704 (cut from cleaned HTML)
    return tuple(sections)


def section_count(html: Markup) -> int:
    """How many ``<h2>`` headings rendered HTML has (checks that every ``## `` became a heading)."""
    return len(_SECTION_START.findall(str(html)))
