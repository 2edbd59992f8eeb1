"""Programme-level checks printed by ``flask check-content``: strand coverage, reading level, prompts, and
that every kind of help a lesson links to is in its audience's help box."""

from __future__ import annotations

from dataclasses import dataclass

from eduplatform.catalogue.model import Catalogue, Learners
from eduplatform.catalogue.quiz_balance import balance_problems
from eduplatform.catalogue.readability import ReadingLevel, measure
from eduplatform.catalogue.statement_coverage import unmapped_pupil_problems

#: The highest Flesch-Kincaid grade accepted per age band: far above this, the text is too hard.
MAX_READING_GRADE = {"4-7": 3.5, "7-11": 6.0, "11-14": 9.0, "14-18": 12.0}


@dataclass(frozen=True)
class CoverageRow:
    audience_id: str
    #: Per strand: how many modules of the audience teach it (with quiz questions tagged to it).
    modules_per_strand: dict[str, int]
    questions_per_strand: dict[str, int]


def strand_coverage(catalogue: Catalogue) -> list[CoverageRow]:
    """For each pupil audience, how many modules and quiz questions address each strand."""
    rows = []
    for audience in catalogue.audiences.values():
        if audience.learners is not Learners.PUPILS:
            continue
        modules = catalogue.modules_for((audience.id,))
        by_module = dict.fromkeys(catalogue.strands, 0)
        by_question = dict.fromkeys(catalogue.strands, 0)
        for module in modules:
            for strand in module.strands:
                by_module[strand] += 1
            quiz = catalogue.module_content(module.id, catalogue.fallback_locale).quiz
            for question in quiz.questions if quiz else ():
                by_question[question.strand] += 1
        rows.append(CoverageRow(audience.id, by_module, by_question))
    return rows


@dataclass(frozen=True)
class TranslationCoverage:
    """How many of an audience's texts exist in one locale (the rest are shown in the fallback locale)."""

    locale: str
    audience_id: str
    #: Module words (module.yaml), lessons, quizzes and agreements of the audience.
    translated: int
    total: int


def translation_coverage(catalogue: Catalogue, locales: tuple[str, ...]) -> list[TranslationCoverage]:
    """For each locale but the fallback, and each audience: its texts written in that locale, of all its texts.

    A module file, lesson, quiz or agreement counts as translated when the catalogue gives it in that
    locale rather than falling back (per file) to the fallback locale.
    """
    rows = []
    for locale in locales:
        if locale == catalogue.fallback_locale:
            continue
        for audience in catalogue.audiences.values():
            found: list[str] = []
            for module in catalogue.modules_for((audience.id,)):
                content = catalogue.module_content(module.id, locale)
                found += [content.locale, *(lesson.locale for lesson in content.lessons)]
                found += [content.quiz.locale] if content.quiz else []
            found += [catalogue.agreement_content(agreement.id, locale).locale
                      for agreement in catalogue.agreements_for((audience.id,))]
            rows.append(TranslationCoverage(locale, audience.id, found.count(locale), len(found)))
    return rows


def audience_texts(catalogue: Catalogue, audience_id: str) -> list[str]:
    """Every learner-facing text of an audience in the fallback locale."""
    texts: list[str] = []
    locale = catalogue.fallback_locale
    for module in catalogue.modules_for((audience_id,)):
        content = catalogue.module_content(module.id, locale)
        texts += [lesson.text for lesson in content.lessons]
        if content.quiz:
            texts += [question.prompt for question in content.quiz.questions]
            texts += [question.explanation for question in content.quiz.questions]
    for agreement in catalogue.agreements_for((audience_id,)):
        texts.append(catalogue.agreement_content(agreement.id, locale).text)
    return texts


def reading_levels(catalogue: Catalogue) -> dict[str, ReadingLevel]:
    return {audience_id: measure(audience_texts(catalogue, audience_id)) for audience_id in catalogue.audiences}


def missing_discussion_prompts(catalogue: Catalogue) -> list[str]:
    """Pupil lessons taught from the board need a discussion prompt for the teacher under every section."""
    problems = []
    for audience in catalogue.audiences.values():
        if audience.learners is not Learners.PUPILS:
            continue
        for module in catalogue.modules_for((audience.id,)):
            for lesson in catalogue.module_content(module.id, catalogue.fallback_locale).lessons:
                missing = [number for number, section in enumerate(lesson.sections, start=1) if section.prompt is None]
                if missing:
                    problems.append(f"lesson '{lesson.id}': no [discuss] prompt for the teacher in section(s) "
                                    f"{', '.join(map(str, missing))}")
    return problems


#: How many "talk about it at home" prompts each pupil module gives parents.
AT_HOME_PROMPTS = 3


def missing_at_home_prompts(catalogue: Catalogue) -> list[str]:
    """Pupil modules (KS1-KS4) need exactly three "talk about it at home" prompts for parents."""
    problems = []
    checked: set[str] = set()
    for audience in catalogue.audiences.values():
        if audience.learners is not Learners.PUPILS:
            continue
        for module in catalogue.modules_for((audience.id,)):
            if module.id in checked:
                continue
            checked.add(module.id)
            count = len(catalogue.module_content(module.id, catalogue.fallback_locale).at_home)
            if count != AT_HOME_PROMPTS:
                problems.append(f"module '{module.id}': {count} 'at_home' prompt(s) for parents, "
                                f"needs exactly {AT_HOME_PROMPTS}")
    return problems


def missing_help_kinds(catalogue: Catalogue) -> list[str]:
    """Lessons that link to a kind of help (``[text](help:kind)``) that no help contact of their audience has,
    in each locale (a locale without its own ``help.yaml`` uses the fallback's contacts)."""
    problems: list[str] = []
    for locale in catalogue.locales:
        for module in catalogue.modules.values():
            offered = {contact.kind for contact in catalogue.help_for((module.audience,), locale)}
            for lesson in catalogue.module_content(module.id, locale).lessons:
                for kind in sorted(lesson.help_kinds - offered):
                    problem = (f"lesson '{lesson.id}' ({lesson.locale}): links to help of kind '{kind}', but no help "
                               f"contact for audience '{module.audience}' has that kind (content/{locale}/help.yaml)")
                    if problem not in problems:
                        problems.append(problem)
    return problems


def programme_problems(catalogue: Catalogue) -> list[str]:
    """What keeps the programme from being complete and age-appropriate."""
    problems = []
    for row in strand_coverage(catalogue):
        for strand, count in row.modules_per_strand.items():
            if count == 0 or row.questions_per_strand[strand] == 0:
                problems.append(f"audience '{row.audience_id}': no module with quiz questions covers strand '{strand}'")
    problems += missing_discussion_prompts(catalogue)
    problems += missing_at_home_prompts(catalogue)
    problems += missing_help_kinds(catalogue)
    problems += balance_problems(catalogue)
    problems += unmapped_pupil_problems(catalogue)
    levels = reading_levels(catalogue)
    for audience in catalogue.audiences.values():
        limit = MAX_READING_GRADE.get(audience.age_band or "")
        if limit is not None and levels[audience.id].grade > limit:
            problems.append(f"audience '{audience.id}': reading grade {levels[audience.id].grade} is above "
                            f"{limit}, too hard for ages {audience.age_band}")
    return problems
