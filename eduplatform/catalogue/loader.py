"""Load the whole catalogue from ``curriculum/`` and ``content/``, or report every problem."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

from eduplatform.catalogue.concerns import read_concerns
from eduplatform.catalogue.content import (
    LinkContext,
    UrlBuilder,
    read_agreement_content,
    read_help,
    read_labels,
    read_module_content,
)
from eduplatform.catalogue.curriculum import Curriculum, read_curriculum
from eduplatform.catalogue.files import ContentError, Problems
from eduplatform.catalogue.model import AgreementContent, Catalogue, HelpContact, ModuleContent
from eduplatform.catalogue.self_review import read_audit_settings, read_self_review
from eduplatform.catalogue.training import read_training_rules


def _check_fallback_complete(curriculum: Curriculum, folder: Path, locale: str, problems: Problems) -> None:
    """Every item of the curriculum must exist in the fallback locale: other locales fall back to it."""
    why = f"(every locale falls back to '{locale}')"
    for module in curriculum.modules.values():
        module_folder = folder / "modules" / module.id
        if not (module_folder / "module.yaml").exists():
            problems.add(module_folder / "module.yaml", f"missing: module '{module.id}' has no text {why}")
            continue
        for lesson_id in module.lesson_ids:
            if not (module_folder / f"{lesson_id}.md").exists():
                problems.add(module_folder / f"{lesson_id}.md", f"missing: lesson '{lesson_id}' has no text {why}")
        if module.has_quiz and not (module_folder / "quiz.yaml").exists():
            problems.add(module_folder / "quiz.yaml", f"missing: module '{module.id}' has no quiz {why}")
    for agreement_id in curriculum.agreements:
        path = folder / "agreements" / f"{agreement_id}.md"
        if not path.exists():
            problems.add(path, f"missing: agreement '{agreement_id}' has no text {why}")


def _check_no_strays(curriculum: Curriculum, folder: Path, problems: Problems) -> None:
    """Files the curriculum does not know about are mistakes (a renamed id, a typo)."""
    for module_folder in sorted(p for p in (folder / "modules").glob("*") if p.is_dir()):
        module = curriculum.modules.get(module_folder.name)
        if module is None:
            problems.add(module_folder, f"module '{module_folder.name}' is not in the curriculum")
            continue
        expected = {f"{lesson}.md" for lesson in module.lesson_ids} | {"module.yaml"}
        if module.has_quiz:
            expected.add("quiz.yaml")
        for path in sorted(module_folder.iterdir()):
            if path.name not in expected:
                problems.add(path, f"not part of module '{module.id}' in the curriculum")
    for path in sorted((folder / "agreements").glob("*.md")):
        if path.stem not in curriculum.agreements:
            problems.add(path, f"agreement '{path.stem}' is not in the curriculum")


def _check_photo_consents(curriculum: Curriculum, curriculum_root: Path,
                          agreement_contents: dict[tuple[str, str], AgreementContent], problems: Problems) -> None:
    """Each photo consent an agreement names in the curriculum is a consent item of its text, in every locale."""
    for (locale, agreement_id), content in sorted(agreement_contents.items()):
        known = {consent.id for consent in content.consents}
        for consent_id in curriculum.agreements[agreement_id].photo_consent_ids:
            if consent_id not in known:
                problems.add(curriculum_root / "agreements.yaml",
                             f"agreement '{agreement_id}': photo consent '{consent_id}' is not a consent item of "
                             f"its text in '{locale}'")


def _check_statements_match_fallback(module_contents: dict[tuple[str, str], ModuleContent], folder_of: dict[str, Path],
                                     fallback_locale: str, problems: Problems) -> None:
    """A translated question names the same statements as the fallback locale's question of its id."""
    for (locale, module_id), content in sorted(module_contents.items()):
        fallback = module_contents.get((fallback_locale, module_id))
        if locale == fallback_locale or content.quiz is None or fallback is None or fallback.quiz is None:
            continue
        expected = {question.id: question.statements for question in fallback.quiz.questions}
        for question in content.quiz.questions:
            if question.id in expected and set(question.statements) != set(expected[question.id]):
                problems.add(folder_of[locale] / "modules" / module_id / "quiz.yaml",
                             f"question '{question.id}': statements {list(question.statements)} differ from "
                             f"'{fallback_locale}' {list(expected[question.id])}")


def _check_question_draws(curriculum: Curriculum, module_contents: dict[tuple[str, str], ModuleContent],
                          folder_of: dict[str, Path], problems: Problems) -> None:
    """A module that draws ``questions_per_attempt`` questions needs a larger bank in every locale."""
    for (locale, module_id), content in sorted(module_contents.items()):
        drawn = curriculum.modules[module_id].questions_per_attempt
        if drawn is not None and content.quiz is not None and len(content.quiz.questions) <= drawn:
            problems.add(folder_of[locale] / "modules" / module_id / "quiz.yaml",
                         f"module '{module_id}' draws {drawn} questions per attempt but its quiz has only "
                         f"{len(content.quiz.questions)}: add questions or remove questions_per_attempt")


def _fill_untranslated_parts(module_contents: dict[tuple[str, str], ModuleContent], fallback_locale: str) -> None:
    """A translated module uses the fallback locale's text for each lesson or quiz not yet translated."""
    for (locale, module_id), content in list(module_contents.items()):
        if locale == fallback_locale:
            continue
        fallback = module_contents[(fallback_locale, module_id)]
        translated = {lesson.id: lesson for lesson in content.lessons}
        module_contents[(locale, module_id)] = replace(
            content,
            lessons=tuple(translated.get(lesson.id, lesson) for lesson in fallback.lessons),
            quiz=content.quiz or fallback.quiz,
        )


def load_catalogue(curriculum_root: Path, content_root: Path, static_root: Path, build_url: UrlBuilder,
                   fallback_locale: str = "en") -> Catalogue:
    """Read, render and check all content. Raises :class:`ContentError` listing every problem."""
    problems = Problems(root=curriculum_root.parent)
    curriculum = read_curriculum(curriculum_root, problems)
    links = LinkContext(curriculum, static_root, build_url, problems)
    locale_folders = {p.name: p for p in sorted(content_root.glob("*")) if p.is_dir()}
    if fallback_locale not in locale_folders:
        problems.add(content_root / fallback_locale, "missing: the fallback locale's content folder")
        raise ContentError(problems.found)
    locales = (fallback_locale, *sorted(set(locale_folders) - {fallback_locale}))

    labels: dict[str, dict[str, dict[str, str]]] = {}
    module_contents: dict[tuple[str, str], ModuleContent] = {}
    agreement_contents: dict[tuple[str, str], AgreementContent] = {}
    help_contacts: dict[str, tuple[HelpContact, ...]] = {}
    for locale in locales:
        folder = locale_folders[locale]
        if locale == fallback_locale:
            _check_fallback_complete(curriculum, folder, locale, problems)
        _check_no_strays(curriculum, folder, problems)
        labels[locale] = read_labels(folder, problems)
        help_contacts[locale] = read_help(folder, set(curriculum.audiences), problems)
        for module_id in curriculum.modules:
            module_folder = folder / "modules" / module_id
            if (module_folder / "module.yaml").exists():
                content = read_module_content(module_folder, module_id, locale, links)
                if content is not None:
                    module_contents[(locale, module_id)] = content
        for agreement_id in curriculum.agreements:
            path = folder / "agreements" / f"{agreement_id}.md"
            if path.exists():
                agreement = read_agreement_content(path, agreement_id, locale, links)
                if agreement is not None:
                    agreement_contents[(locale, agreement_id)] = agreement

    _check_photo_consents(curriculum, curriculum_root, agreement_contents, problems)
    _check_statements_match_fallback(module_contents, locale_folders, fallback_locale, problems)
    _check_question_draws(curriculum, module_contents, locale_folders, problems)
    self_review = read_self_review(curriculum_root, {locale: locale_folders[locale] for locale in locales},
                                   fallback_locale, problems)
    audit_settings = read_audit_settings(curriculum_root, {
        "module": set(curriculum.modules), "agreement": set(curriculum.agreements),
        "audience": set(curriculum.audiences)}, problems)
    training_rules = read_training_rules(curriculum_root, set(curriculum.modules), set(curriculum.agreements),
                                         problems)
    concerns = read_concerns(curriculum_root, static_root, {locale: locale_folders[locale] for locale in locales},
                             fallback_locale, problems)
    if problems.found:
        raise ContentError(problems.found)
    _fill_untranslated_parts(module_contents, fallback_locale)
    return Catalogue(
        strands=curriculum.strands,
        audiences=MappingProxyType(dict(curriculum.audiences)),
        modules=MappingProxyType(dict(sorted(curriculum.modules.items(), key=lambda item: item[1].order))),
        agreements=MappingProxyType(dict(curriculum.agreements)),
        labels=MappingProxyType({k: MappingProxyType(v) for k, v in labels.items()}),
        module_contents=MappingProxyType(module_contents),
        agreement_contents=MappingProxyType(agreement_contents),
        help_contacts=MappingProxyType(help_contacts),
        schedule=curriculum.schedule,
        locales=locales,
        self_review=self_review,
        audit_settings=audit_settings,
        training_rules=training_rules,
        concerns=concerns,
        statements=curriculum.statements,
    )
