"""A lesson's sections and discussion prompts (eduplatform.catalogue.sections)."""

from __future__ import annotations

from markupsafe import Markup

from eduplatform.catalogue.sections import cut_sections, section_count, split_prompts
from eduplatform.rendering import render_markdown

BODY = """Intro line.

[discuss] What do you know already?

## First

One.

[discuss] Ask about one.
[discuss] And a second thought.

## Second

Two.
"""


def test_prompts_leave_the_pupils_text_and_belong_to_the_section_they_end() -> None:
    split = split_prompts(BODY)
    assert "[discuss]" not in split.pupil_text and "Ask about one" not in split.pupil_text
    assert split.prompts == {0: "What do you know already?", 1: "Ask about one. And a second thought."}
    assert split.headings == 2 and not split.orphan_prompt


def test_a_prompt_before_any_text_is_an_orphan() -> None:
    assert split_prompts("[discuss] Hello?\n\n## Heading\n\nText.\n").orphan_prompt
    assert not split_prompts("## Heading\n\nText.\n\n[discuss] Hello?\n").orphan_prompt


def test_the_marker_must_start_the_line_and_have_text() -> None:
    split = split_prompts("Say [discuss] in a sentence.\n\n[discuss]\n\n[discussion] no\n")
    assert split.prompts == {}
    assert "Say [discuss] in a sentence." in split.pupil_text


def test_rendered_html_is_cut_at_each_heading_with_its_prompt() -> None:
    split = split_prompts(BODY)
    html = render_markdown(split.pupil_text)
    sections = cut_sections(html, {index: render_markdown(text) for index, text in split.prompts.items()})
    assert [str(section.html).split("\n")[0] for section in sections] == [
        "<p>Intro line.</p>", "<h2>First</h2>", "<h2>Second</h2>"]
    assert "What do you know already?" in sections[0].prompt and sections[2].prompt is None
    assert section_count(html) == 2


def test_a_lesson_starting_with_a_heading_has_no_empty_first_section() -> None:
    sections = cut_sections(Markup("<h2>A</h2><p>a</p><h2>B</h2>"), {1: Markup("<p>Ask.</p>")})
    assert [str(s.html) for s in sections] == ["<h2>A</h2><p>a</p>", "<h2>B</h2>"]
    assert sections[0].prompt == Markup("<p>Ask.</p>")


def test_the_catalogue_keeps_prompts_out_of_pupils_lessons(app) -> None:
    from eduplatform.catalogue import current_catalogue

    with app.app_context():
        lesson = current_catalogue().module_content("ks2-passwords", "en").lessons[1]
    assert "[discuss]" not in lesson.html and "funny picture" not in lesson.text
    assert [section.prompt is not None for section in lesson.sections] == [True, True, False]
    assert "Which three words would make a funny picture?" in lesson.sections[0].prompt
