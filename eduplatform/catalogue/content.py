"""Reading ``content/<locale>/``: module words, lessons, quizzes, agreements and labels."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from eduplatform.catalogue.curriculum import Curriculum
from eduplatform.catalogue.files import Problems, check_keys, read_markdown, read_yaml, version_of
from eduplatform.catalogue.model import (
    AgreementContent,
    ConsentItem,
    HelpContact,
    HelpKind,
    Lesson,
    ModuleContent,
    Option,
    Promise,
    Question,
    QuestionType,
    Quiz,
)
from eduplatform.catalogue.sections import cut_sections, section_count, split_prompts
from eduplatform.catalogue.statements import check_statements, read_statement_list
from eduplatform.rendering import render_markdown

#: Builds a site URL from an endpoint and its values (Flask's ``url_for``, without a request).
UrlBuilder = Callable[..., str]


@dataclass
class LinkContext:
    """What rewriting and checking the links of one file needs."""

    curriculum: Curriculum
    static_root: Path
    build_url: UrlBuilder
    problems: Problems

    def static_image_exists(self, path: Path, image: str | None, where: str) -> bool:
        if not image:
            return False
        if urlsplit(image).scheme or image.startswith("/") or ".." in Path(image).parts:
            self.problems.add(path, f"{where}: image '{image}' must be a path under static/, "
                                    "never an address that loads from elsewhere")
            return False
        if not (self.static_root / image).is_file():
            self.problems.add(path, f"{where}: missing image 'static/{image}'")
            return False
        return True

    def rewriter(self, path: Path, help_kinds: set[HelpKind] | None = None) -> Callable[[str, str], str | None]:
        """Rewrite ``lesson:``/``module:``/``agreement:`` links and ``static/`` images in one file.

        ``help:<kind>`` links (lessons only: pass ``help_kinds``, which collects the kinds named) become
        links to that kind's entry in the page's *Where to get help* box (``#help-<kind>``).
        """

        def rewrite(tag: str, target: str) -> str | None:
            if tag == "img":  # the alt text is checked by check_images
                if self.static_image_exists(path, target, "image"):
                    return self.build_url("static", filename=target)
                return None
            scheme, _, target_id = target.partition(":")
            if scheme == "lesson":
                module = next((m for m in self.curriculum.modules.values() if target_id in m.lesson_ids), None)
                if module:
                    return self.build_url("learning.show_lesson", module_id=module.id, lesson_id=target_id)
            elif scheme == "module":
                if target_id in self.curriculum.modules:
                    return self.build_url("learning.show_module", module_id=target_id)
            elif scheme == "agreement":
                if target_id in self.curriculum.agreements:
                    return self.build_url("agreements.show_agreement", agreement_id=target_id)
            elif scheme == "help":
                return self._help_anchor(path, target_id, help_kinds)
            elif scheme in {"http", "https", "mailto", "tel"} or target.startswith("#"):
                return None
            self.problems.add(path, f"broken link '{target}'")
            return "#"

        return rewrite

    def _help_anchor(self, path: Path, kind_id: str, help_kinds: set[HelpKind] | None) -> str:
        """The in-page target of a ``help:<kind>`` link, recording the kind; a problem if misused."""
        if help_kinds is None:
            self.problems.add(path, f"link 'help:{kind_id}': help links are for lessons only (the help box "
                                    "is shown beside lessons)")
            return "#"
        try:
            kind = HelpKind(kind_id)
        except ValueError:
            self.problems.add(path, f"link 'help:{kind_id}': unknown help kind (one of "
                                    f"{', '.join(k.value for k in HelpKind)})")
            return "#"
        help_kinds.add(kind)
        return help_anchor(kind)


def help_anchor(kind: HelpKind) -> str:
    """The fragment of a help kind's entry in a lesson's *Where to get help* box (``learning/lesson.html``)."""
    return f"#help-{kind.value}"


_RAW_IMAGE_SOURCE = re.compile(r"<img\b[^>]*\bsrc\s*=\s*[\"']?([^\"' >]+)", re.IGNORECASE)


_MARKDOWN_IMAGE_WITHOUT_ALT = re.compile(r"!\[\s*\]\(([^)]*)\)")


def check_images(path: Path, body: str, links: LinkContext) -> None:
    """Every picture says what it shows, and raw HTML images are also pictures under static/."""
    for target in _MARKDOWN_IMAGE_WITHOUT_ALT.findall(body):
        links.problems.add(path, f"image '{target}' needs alt text saying what it shows: ![what it shows]({target})")
    for source in _RAW_IMAGE_SOURCE.findall(body):
        links.static_image_exists(path, source, "image")


_TAG = re.compile(r"<[^>]*>")


def plain_text(html: str) -> str:
    """Text of already-sanitised HTML, for read-aloud and readability checks."""
    return " ".join(unescape(_TAG.sub(" ", html)).split())


def read_labels(folder: Path, problems: Problems) -> dict[str, dict[str, str]]:
    path = folder / "labels.yaml"
    if not path.exists():
        return {}
    data = read_yaml(path, problems)
    if not isinstance(data, dict):
        problems.add(path, "must be a mapping with 'strands' and 'audiences'")
        return {}
    kinds = ("strands", "audiences", "terms", "events", "consents")
    check_keys(path, "labels", data, set(), set(kinds), problems)
    return {kind: MappingProxyType({str(k): str(v) for k, v in (data.get(kind) or {}).items()}) for kind in kinds}


def read_lesson(path: Path, module_id: str, lesson_id: str, locale: str, links: LinkContext) -> Lesson | None:
    parsed = read_markdown(path, links.problems)
    if parsed is None:
        return None
    front, body, version = parsed
    if not check_keys(path, "front matter", front, {"title"}, set(), links.problems):
        return None
    if not body.strip():
        links.problems.add(path, "the lesson has no text")
    check_images(path, body, links)
    split = split_prompts(body)
    help_kinds: set[HelpKind] = set()
    rewrite = links.rewriter(path, help_kinds)
    html = render_markdown(split.pupil_text, rewrite)
    if section_count(html) != split.headings:
        links.problems.add(path, "every '## ' line must be a section heading (none inside lists or code)")
    if split.orphan_prompt:
        links.problems.add(path, "a [discuss] prompt must follow the text it is about, not open the lesson")
    prompts = {index: render_markdown(text, rewrite) for index, text in split.prompts.items()}
    return Lesson(id=lesson_id, module_id=module_id, title=str(front["title"]), html=html,
                  text=plain_text(str(html)), version=version, locale=locale,
                  sections=cut_sections(html, prompts), help_kinds=frozenset(help_kinds))


def _read_options(path: Path, where: str, kind: QuestionType, item: dict[str, Any],
                  links: LinkContext) -> tuple[Option, ...]:
    problems = links.problems
    if kind is QuestionType.TRUE_FALSE:
        if not isinstance(item.get("answer"), bool):
            problems.add(path, f"{where}: a true/false question needs 'answer: true' or 'answer: false'")
            return ()
        # The words "True"/"False" are interface strings, translated when the page is shown.
        return (Option("true", "", None, None, item["answer"] is True),
                Option("false", "", None, None, item["answer"] is False))
    options = []
    for number, raw in enumerate(item.get("options") or [], start=1):
        option_where = f"{where} option #{number}"
        if not isinstance(raw, dict) or not check_keys(path, option_where, raw, {"id"},
                                                       {"text", "image", "alt", "correct"}, problems):
            continue
        image, alt = raw.get("image"), raw.get("alt")
        if kind is QuestionType.PICTURE:
            if not image:
                problems.add(path, f"{option_where}: a picture answer needs an image ('image')")
            links.static_image_exists(path, image, option_where)
            if not alt:
                problems.add(path, f"{option_where}: a picture answer needs alt text ('alt')")
        elif not raw.get("text"):
            problems.add(path, f"{option_where}: needs 'text'")
        options.append(Option(str(raw["id"]), str(raw.get("text") or ""), image, alt, raw.get("correct") is True))
    if len(options) < 2:
        problems.add(path, f"{where}: needs at least two options")
    ids = [option.id for option in options]
    if len(set(ids)) != len(ids):
        problems.add(path, f"{where}: duplicate option ids")
    correct = sum(option.correct for option in options)
    if correct == 0:
        problems.add(path, f"{where}: no correct answer (mark one with 'correct: true')")
    elif correct > 1 and kind is not QuestionType.MULTIPLE:
        problems.add(path, f"{where}: only 'multiple' questions may have more than one correct answer")
    return tuple(options)


def _read_question_statements(path: Path, where: str, module_id: str, item: dict[str, Any],
                              links: LinkContext) -> tuple[str, ...]:
    """A question's ``statements``: of its module's age band and of the question's own strand."""
    statements = read_statement_list(path, where, item.get("statements"), links.problems)
    module = links.curriculum.modules[module_id]
    audience = links.curriculum.audiences.get(module.audience)
    check_statements(path, where, statements, links.curriculum.statements, module.audience,
                     audience.age_band if audience else None, [item["strand"]], links.problems)
    return statements


def read_quiz(path: Path, module_id: str, locale: str, links: LinkContext) -> Quiz | None:
    problems = links.problems
    data = read_yaml(path, problems)
    if data is None:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list) or not data["questions"]:
        problems.add(path, "must hold a non-empty list under 'questions'")
        return None
    questions: list[Question] = []
    for number, item in enumerate(data["questions"], start=1):
        where = f"question #{number}"
        if not isinstance(item, dict) or not check_keys(
            path, where, item, {"id", "type", "strand", "prompt", "explanation"}, {"options", "answer", "statements"},
            problems
        ):
            continue
        where = f"question '{item['id']}'"
        try:
            kind = QuestionType(item["type"])
        except ValueError:
            problems.add(path, f"{where}: type must be one of {', '.join(t.value for t in QuestionType)}")
            continue
        if item["strand"] not in links.curriculum.strands:
            problems.add(path, f"{where}: unknown strand '{item['strand']}'")
        options = _read_options(path, where, kind, item, links)
        statements = _read_question_statements(path, where, module_id, item, links)
        questions.append(Question(str(item["id"]), kind, str(item["strand"]), str(item["prompt"]), options,
                                  str(item["explanation"]), statements))
    ids = [question.id for question in questions]
    for duplicate in sorted({i for i in ids if ids.count(i) > 1}):
        problems.add(path, f"duplicate question id '{duplicate}'")
    return Quiz(id=module_id, module_id=module_id, questions=tuple(questions),
                version=version_of(path.read_bytes()), locale=locale)


def read_module_content(folder: Path, module_id: str, locale: str, links: LinkContext) -> ModuleContent | None:
    """Read one module's words; missing files are reported by the loader's fallback check."""
    problems = links.problems
    module = links.curriculum.modules[module_id]
    path = folder / "module.yaml"
    data = read_yaml(path, problems)
    if not isinstance(data, dict) or not check_keys(path, "module", data, {"title", "summary"},
                                                    {"outcomes", "at_home"}, problems):
        return None
    outcomes = {str(k): str(v) for k, v in (data.get("outcomes") or {}).items()}
    for outcome in module.outcomes:
        if outcome not in outcomes:
            problems.add(path, f"missing text for outcome '{outcome}'")
    for outcome in outcomes.keys() - set(module.outcomes):
        problems.add(path, f"outcome '{outcome}' is not in the curriculum")
    lessons = []
    for lesson_id in module.lesson_ids:
        lesson_path = folder / f"{lesson_id}.md"
        if lesson_path.exists():
            lesson = read_lesson(lesson_path, module_id, lesson_id, locale, links)
            if lesson:
                lessons.append(lesson)
    quiz = None
    if module.has_quiz and (folder / "quiz.yaml").exists():
        quiz = read_quiz(folder / "quiz.yaml", module_id, locale, links)
    return ModuleContent(module_id=module_id, title=str(data["title"]), summary=str(data["summary"]),
                         outcomes=MappingProxyType(outcomes), lessons=tuple(lessons), quiz=quiz, locale=locale,
                         at_home=read_at_home(path, data.get("at_home"), problems))


#: The length of one "talk about it at home" prompt: a sentence or two.
AT_HOME_LENGTH = (10, 300)

#: Marks of HTML or Markdown: prompts are plain text, shown as written.
_MARKUP = re.compile(r"[<>*_`#\[\]]|^\s*(?:[-+]\s|\d+\.\s)")


def read_at_home(path: Path, raw: Any, problems: Problems) -> tuple[str, ...]:
    """The parents' "talk about it at home" prompts of a module: plain text, trimmed, a sentence or two."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.add(path, "'at_home' must be a list of prompts for parents")
        return ()
    prompts = []
    shortest, longest = AT_HOME_LENGTH
    for number, item in enumerate(raw, start=1):
        where = f"at_home prompt #{number}"
        if not isinstance(item, str):
            problems.add(path, f"{where}: must be text")
            continue
        text = " ".join(item.split())
        if not shortest <= len(text) <= longest:
            problems.add(path, f"{where}: must be {shortest}-{longest} characters long, not {len(text)}")
        elif _MARKUP.search(text):
            problems.add(path, f"{where}: must be plain text, without HTML or Markdown")
        else:
            prompts.append(text)
    return tuple(prompts)


def read_agreement_content(path: Path, agreement_id: str, locale: str, links: LinkContext) -> AgreementContent | None:
    problems = links.problems
    parsed = read_markdown(path, problems)
    if parsed is None:
        return None
    front, body, version = parsed
    if not check_keys(path, "front matter", front, {"title", "summary"}, {"promises", "consents"}, problems):
        return None
    promises = []
    for number, raw in enumerate(front.get("promises") or [], start=1):
        where = f"promise #{number}"
        if not isinstance(raw, dict) or not check_keys(path, where, raw, {"text"}, {"image", "alt"}, problems):
            continue
        if raw.get("image"):
            links.static_image_exists(path, raw["image"], where)
            if not raw.get("alt"):
                problems.add(path, f"{where}: a picture needs alt text ('alt')")
        promises.append(Promise(str(raw["text"]), raw.get("image"), raw.get("alt")))
    consents = []
    for number, raw in enumerate(front.get("consents") or [], start=1):
        where = f"consent #{number}"
        if isinstance(raw, dict) and check_keys(path, where, raw, {"id", "text"}, set(), problems):
            consents.append(ConsentItem(str(raw["id"]), str(raw["text"])))
    consent_ids = [consent.id for consent in consents]
    for duplicate in sorted({c for c in consent_ids if consent_ids.count(c) > 1}):
        problems.add(path, f"duplicate consent id '{duplicate}'")
    check_images(path, body, links)
    html = render_markdown(body, links.rewriter(path))
    text = " ".join([plain_text(str(html))] + [promise.text for promise in promises])
    return AgreementContent(agreement_id=agreement_id, title=str(front["title"]), summary=str(front["summary"]),
                            html=html, promises=tuple(promises), consents=tuple(consents), text=text,
                            version=version, locale=locale)


def read_help(folder: Path, known_audiences: set[str], problems: Problems) -> tuple[HelpContact, ...]:
    """Read ``help.yaml``: where to get help, per audience, each contact with the kind of help it gives."""
    path = folder / "help.yaml"
    if not path.exists():
        return ()
    data = read_yaml(path, problems)
    if not isinstance(data, dict) or not isinstance(data.get("contacts"), list):
        problems.add(path, "must hold a list under 'contacts'")
        return ()
    contacts = []
    for number, raw in enumerate(data["contacts"], start=1):
        where = f"contact #{number}"
        if not isinstance(raw, dict) or not check_keys(path, where, raw, {"name", "detail", "audiences", "kind"},
                                                       {"id"}, problems):
            continue
        for audience in raw["audiences"] or []:
            if audience not in known_audiences:
                problems.add(path, f"{where}: unknown audience '{audience}'")
        try:
            kind = HelpKind(str(raw["kind"]))
        except ValueError:
            problems.add(path, f"{where}: unknown kind '{raw['kind']}' (one of {', '.join(k.value for k in HelpKind)})")
            continue
        contacts.append(HelpContact(str(raw["name"]), str(raw["detail"]), frozenset(raw["audiences"] or []),
                                    str(raw["id"]) if raw.get("id") is not None else None, kind))
    return tuple(contacts)
