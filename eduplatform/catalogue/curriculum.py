"""Reading ``curriculum/``: strands, audiences, modules and agreements (language-neutral YAML)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from eduplatform.catalogue.files import Problems, check_keys, read_yaml
from eduplatform.catalogue.model import (
    Agreement,
    Audience,
    Learners,
    Module,
    ProgrammeEvent,
    Requirement,
    Schedule,
    Signing,
    Term,
)
from eduplatform.catalogue.statements import (
    EMPTY_STATEMENTS,
    StatementCatalogue,
    check_statements,
    read_statement_list,
    read_statements,
)

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
KNOWN_ROLES = {"pupil", "staff", "governor", "parent", "visitor", "coordinator", "trust_lead", "admin"}
KNOWN_DUTIES = {"dsl", "deputy_dsl"}


@dataclass(frozen=True)
class Curriculum:
    strands: tuple[str, ...]
    audiences: dict[str, Audience]
    modules: dict[str, Module]
    agreements: dict[str, Agreement]
    schedule: Schedule = Schedule({}, ())
    statements: StatementCatalogue = EMPTY_STATEMENTS


def _list_under(path: Path, data: Any, key: str, problems: Problems) -> list[Any]:
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        problems.add(path, f"must hold a list under '{key}'")
        return []
    return data[key]


def _valid_id(path: Path, where: str, value: Any, problems: Problems) -> bool:
    if isinstance(value, str) and ID_PATTERN.match(value):
        return True
    problems.add(path, f"{where}: id {value!r} must be lower-case letters, digits, '-' or '_'")
    return False


def _int_in_range(path: Path, where: str, value: Any, low: int, high: int, problems: Problems) -> bool:
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
        return True
    problems.add(path, f"{where}: must be a whole number from {low} to {high}, not {value!r}")
    return False


def _optional_int(path: Path, where: str, value: Any, low: int, high: int, problems: Problems) -> int | None:
    """An optional whole-number setting: None when absent or wrong (wrong ones are reported)."""
    if value is None:
        return None
    return value if _int_in_range(path, where, value, low, high, problems) else None


def _read_strands(root: Path, problems: Problems) -> tuple[str, ...]:
    path = root / "strands.yaml"
    strands = _list_under(path, read_yaml(path, problems), "strands", problems)
    valid = [s for s in strands if _valid_id(path, "strand", s, problems)]
    for strand in {s for s in valid if valid.count(s) > 1}:
        problems.add(path, f"duplicate strand id '{strand}'")
    return tuple(dict.fromkeys(valid))


def _read_audiences(root: Path, problems: Problems) -> dict[str, Audience]:
    path = root / "audiences.yaml"
    audiences: dict[str, Audience] = {}
    for order, item in enumerate(_list_under(path, read_yaml(path, problems), "audiences", problems)):
        where = f"audience #{order + 1}"
        if not isinstance(item, dict) or not check_keys(
            path, where, item, {"id", "learners"},
            {"year_groups", "roles", "duties", "age_band", "pass_mark", "attempts_per_day"}, problems
        ):
            continue
        if not _valid_id(path, where, item["id"], problems):
            continue
        where = f"audience '{item['id']}'"
        if item["id"] in audiences:
            problems.add(path, f"duplicate audience id '{item['id']}'")
            continue
        try:
            learners = Learners(item["learners"])
        except ValueError:
            problems.add(path, f"{where}: learners must be 'pupils' or 'adults'")
            continue
        year_groups = item.get("year_groups") or []
        roles = item.get("roles") or []
        duties = item.get("duties") or []
        if learners is Learners.PUPILS and not year_groups:
            problems.add(path, f"{where}: pupil audiences need 'year_groups'")
        if learners is Learners.PUPILS and duties:
            problems.add(path, f"{where}: pupil audiences cannot name 'duties'")
        if learners is Learners.ADULTS and not roles and not duties:
            problems.add(path, f"{where}: adult audiences need 'roles' (or 'duties')")
        for duty in duties:
            if duty not in KNOWN_DUTIES:
                problems.add(path, f"{where}: unknown duty '{duty}' (one of {', '.join(sorted(KNOWN_DUTIES))})")
        for year in year_groups:
            _int_in_range(path, f"{where} year group", year, -1, 13, problems)
        for role in roles:
            if role not in KNOWN_ROLES:
                problems.add(path, f"{where}: unknown role '{role}'")
        audiences[item["id"]] = Audience(
            id=item["id"], learners=learners, year_groups=frozenset(year_groups), roles=frozenset(roles),
            age_band=item.get("age_band"), order=order, duties=frozenset(duties),
            pass_mark=_optional_int(path, f"{where} pass_mark", item.get("pass_mark"), 1, 100, problems),
            attempts_per_day=_optional_int(path, f"{where} attempts_per_day", item.get("attempts_per_day"), 1, 100,
                                           problems),
        )
    return audiences


def _read_agreements(root: Path, audiences: dict[str, Audience], problems: Problems) -> dict[str, Agreement]:
    path = root / "agreements.yaml"
    agreements: dict[str, Agreement] = {}
    for order, item in enumerate(_list_under(path, read_yaml(path, problems), "agreements", problems)):
        where = f"agreement #{order + 1}"
        if not isinstance(item, dict) or not check_keys(
            path, where, item, {"id", "audiences", "signing"}, {"renewal_months", "class_signing", "photo_consents"},
            problems,
        ):
            continue
        if not _valid_id(path, where, item["id"], problems):
            continue
        where = f"agreement '{item['id']}'"
        if item["id"] in agreements:
            problems.add(path, f"duplicate agreement id '{item['id']}'")
            continue
        for audience in item["audiences"] or []:
            if audience not in audiences:
                problems.add(path, f"{where}: unknown audience '{audience}'")
        try:
            signing = Signing(item["signing"])
        except ValueError:
            problems.add(path, f"{where}: signing must be 'tick' or 'typed_name'")
            continue
        renewal = item.get("renewal_months", 12)
        _int_in_range(path, f"{where} renewal_months", renewal, 1, 120, problems)
        class_signing = item.get("class_signing", False)
        if not isinstance(class_signing, bool) or (class_signing and signing is not Signing.TICK):
            problems.add(path, f"{where}: class_signing must be true or false, and only for 'tick' agreements")
            class_signing = False
        agreements[item["id"]] = Agreement(
            id=item["id"], audiences=frozenset(item["audiences"] or []), signing=signing,
            renewal_months=renewal, order=order, class_signing=class_signing,
            photo_consent_ids=_read_photo_consents(path, where, item.get("photo_consents"), problems),
        )
    return agreements


def _read_photo_consents(path: Path, where: str, value: Any, problems: Problems) -> tuple[str, ...]:
    """The agreement's consent items about photos (their ids are checked against its text at load)."""
    if value is None:
        return ()
    if not isinstance(value, list):
        problems.add(path, f"{where}: photo_consents must be a list of consent ids, e.g. [photos-website]")
        return ()
    ids = [item for item in value if _valid_id(path, f"{where} photo consent", item, problems)]
    for duplicate in sorted({i for i in ids if ids.count(i) > 1}):
        problems.add(path, f"{where}: photo consent '{duplicate}' is listed twice")
    return tuple(dict.fromkeys(ids))


_MODULE_REQUIRED = {"id", "audience", "strands", "completion"}
_MODULE_OPTIONAL = {"outcomes", "lessons", "quiz", "agreement", "pass_mark", "max_attempts", "renewal_months",
                    "child_year_groups", "lesson_statements", "questions_per_attempt", "attempts_per_day"}


def _read_lesson_statements(path: Path, where: str, item: dict[str, Any], lessons: tuple[str, ...],
                            curriculum: Curriculum, problems: Problems) -> dict[str, tuple[str, ...]]:
    """``lesson_statements``: lesson id -> the statements it teaches (of the module's band and strands)."""
    value = item.get("lesson_statements")
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.add(path, f"{where}: lesson_statements must map lesson ids to lists of statement ids")
        return {}
    audience = curriculum.audiences.get(item["audience"])
    found: dict[str, tuple[str, ...]] = {}
    for lesson_id, raw in value.items():
        lesson_where = f"{where} lesson '{lesson_id}'"
        if lesson_id not in lessons:
            problems.add(path, f"{lesson_where}: lesson_statements names a lesson the module does not have")
            continue
        found[lesson_id] = read_statement_list(path, lesson_where, raw, problems)
        check_statements(path, lesson_where, found[lesson_id], curriculum.statements, item["audience"],
                         audience.age_band if audience else None, item["strands"] or [], problems)
    return found


def _read_child_year_groups(path: Path, where: str, item: dict[str, Any], curriculum: Curriculum,
                            problems: Problems) -> frozenset[int]:
    """Parents' workshops: the year groups of the children a workshop is for."""
    value = item.get("child_year_groups")
    if value is None:
        return frozenset()
    audience = curriculum.audiences.get(item["audience"])
    if audience is not None and audience.learners is not Learners.ADULTS:
        problems.add(path, f"{where}: child_year_groups is only for adults' modules (parents' workshops)")
        return frozenset()
    if not isinstance(value, list) or not value:
        problems.add(path, f"{where}: child_year_groups must be a list of year groups, e.g. [-1, 0, 1, 2]")
        return frozenset()
    return frozenset(year for year in value
                     if _int_in_range(path, f"{where} child_year_groups", year, -1, 13, problems))


def _read_module(path: Path, item: dict[str, Any], order: int, curriculum: Curriculum,
                 problems: Problems) -> Module | None:
    where = f"module '{item['id']}'"
    if item["audience"] not in curriculum.audiences:
        problems.add(path, f"{where}: unknown audience '{item['audience']}'")
    if not isinstance(item["strands"], list):
        problems.add(path, f"{where}: strands must be a list, e.g. [privacy_security]")
        item["strands"] = []
    strands = tuple(item["strands"] or [])
    if not strands:
        problems.add(path, f"{where}: needs at least one strand")
    for strand in strands:
        if strand not in curriculum.strands:
            problems.add(path, f"{where}: unknown strand '{strand}'")
    lessons = tuple(item.get("lessons") or [])
    for lesson_id in lessons:
        _valid_id(path, f"{where} lesson", lesson_id, problems)
    completion: set[Requirement] = set()
    for requirement in item["completion"] or []:
        try:
            completion.add(Requirement(requirement))
        except ValueError:
            problems.add(path, f"{where}: unknown completion requirement '{requirement}'")
    if not completion:
        problems.add(path, f"{where}: completion needs at least one requirement")
    has_quiz = bool(item.get("quiz", False))
    agreement_id = item.get("agreement")
    if Requirement.QUIZ in completion and not has_quiz:
        problems.add(path, f"{where}: completion needs the quiz but the module has none ('quiz: true')")
    if Requirement.LESSONS in completion and not lessons:
        problems.add(path, f"{where}: completion needs the lessons but the module lists none")
    if Requirement.AGREEMENT in completion and not agreement_id:
        problems.add(path, f"{where}: completion needs an agreement but the module names none")
    if agreement_id is not None and agreement_id not in curriculum.agreements:
        problems.add(path, f"{where}: unknown agreement '{agreement_id}'")
    audience = curriculum.audiences.get(item["audience"])
    # The module's own pass mark wins; else its audience's (``audiences.yaml``); else 80.
    pass_mark = item.get("pass_mark", audience.pass_mark if audience and audience.pass_mark else 80)
    _int_in_range(path, f"{where} pass_mark", pass_mark, 1, 100, problems)
    questions_per_attempt = _optional_int(path, f"{where} questions_per_attempt", item.get("questions_per_attempt"),
                                          1, 100, problems)
    if questions_per_attempt is not None and not has_quiz:
        problems.add(path, f"{where}: questions_per_attempt needs a quiz ('quiz: true')")
    attempts_per_day = item.get("attempts_per_day", audience.attempts_per_day if audience else None)
    attempts_per_day = _optional_int(path, f"{where} attempts_per_day", attempts_per_day, 1, 100, problems)
    max_attempts = item.get("max_attempts")
    if max_attempts is not None:
        _int_in_range(path, f"{where} max_attempts", max_attempts, 1, 100, problems)
    renewal = item.get("renewal_months", 12)
    _int_in_range(path, f"{where} renewal_months", renewal, 1, 120, problems)
    outcomes = tuple(item.get("outcomes") or [])
    for outcome in outcomes:
        _valid_id(path, f"{where} outcome", outcome, problems)
    for duplicate in sorted({o for o in outcomes if outcomes.count(o) > 1}):
        problems.add(path, f"{where}: duplicate outcome id '{duplicate}'")
    return Module(
        id=item["id"], audience=item["audience"], strands=strands, outcomes=outcomes, lesson_ids=lessons,
        has_quiz=has_quiz, agreement_id=agreement_id, completion=frozenset(completion), pass_mark=pass_mark,
        max_attempts=max_attempts, renewal_months=renewal, order=order,
        child_year_groups=_read_child_year_groups(path, where, item, curriculum, problems),
        lesson_statements=MappingProxyType(_read_lesson_statements(path, where, item, lessons, curriculum, problems)),
        questions_per_attempt=questions_per_attempt, attempts_per_day=attempts_per_day,
    )


def _read_modules(root: Path, curriculum: Curriculum, problems: Problems) -> None:
    lesson_owner: dict[str, str] = {}
    order = 0
    module_files = sorted((root / "modules").glob("*.yaml"))
    if not module_files:
        problems.add(root / "modules", "holds no module files (*.yaml)")
    for path in module_files:
        for position, item in enumerate(_list_under(path, read_yaml(path, problems), "modules", problems), 1):
            order += 1
            where = f"module #{position}"
            if not isinstance(item, dict) or not check_keys(path, where, item, _MODULE_REQUIRED,
                                                            _MODULE_OPTIONAL, problems):
                continue
            if not _valid_id(path, where, item["id"], problems):
                continue
            if item["id"] in curriculum.modules:
                problems.add(path, f"duplicate module id '{item['id']}'")
                continue
            module = _read_module(path, item, order, curriculum, problems)
            if module is None:
                continue
            for lesson_id in module.lesson_ids:
                if lesson_id in lesson_owner:
                    problems.add(path, f"duplicate lesson id '{lesson_id}' (also in module "
                                       f"'{lesson_owner[lesson_id]}')")
                lesson_owner[lesson_id] = module.id
            curriculum.modules[module.id] = module


def _read_terms(path: Path, data: Any, curriculum: Curriculum, problems: Problems) -> dict[str, Term]:
    term_of: dict[str, Term] = {}
    if not isinstance(data, dict):
        problems.add(path, "'terms' must map audiences to their terms")
        return term_of
    for audience_id, terms in data.items():
        if audience_id not in curriculum.audiences:
            problems.add(path, f"terms: unknown audience '{audience_id}'")
            continue
        for term_name, module_ids in (terms or {}).items():
            if term_name not in Term._value2member_map_:
                problems.add(path, f"terms of '{audience_id}': unknown term '{term_name}' (autumn, spring, summer)")
                continue
            for module_id in module_ids or []:
                module = curriculum.modules.get(module_id)
                if module is None:
                    problems.add(path, f"terms of '{audience_id}': unknown module '{module_id}'")
                elif module.audience != audience_id:
                    problems.add(path, f"terms of '{audience_id}': module '{module_id}' is for '{module.audience}'")
                elif module_id in term_of:
                    problems.add(path, f"module '{module_id}' is in more than one term")
                else:
                    term_of[module_id] = Term(term_name)
    for module_id in curriculum.modules.keys() - term_of.keys():
        problems.add(path, f"module '{module_id}' is in no term")
    return term_of


def _read_events(path: Path, data: Any, curriculum: Curriculum, problems: Problems) -> tuple[ProgrammeEvent, ...]:
    events = []
    for number, item in enumerate(data or [], start=1):
        where = f"event #{number}"
        if not isinstance(item, dict) or not check_keys(path, where, item, {"id", "month", "audiences"}, {"modules"},
                                                        problems):
            continue
        _valid_id(path, where, item["id"], problems)
        _int_in_range(path, f"{where} month", item["month"], 1, 12, problems)
        for audience in item["audiences"] or []:
            if audience not in curriculum.audiences:
                problems.add(path, f"{where}: unknown audience '{audience}'")
        for module_id in item.get("modules") or []:
            if module_id not in curriculum.modules:
                problems.add(path, f"{where}: unknown module '{module_id}'")
        events.append(ProgrammeEvent(str(item["id"]), item["month"], frozenset(item["audiences"] or []),
                                     tuple(item.get("modules") or [])))
    return tuple(events)


def _read_schedule(root: Path, curriculum: Curriculum, problems: Problems) -> Schedule:
    """``schedule.yaml`` (optional): every module in exactly one term of its audience, plus events."""
    path = root / "schedule.yaml"
    if not path.exists():
        return Schedule({}, ())
    data = read_yaml(path, problems)
    if not isinstance(data, dict) or not check_keys(path, "schedule", data, {"terms"}, {"events"}, problems):
        return Schedule({}, ())
    term_of = _read_terms(path, data["terms"], curriculum, problems)
    return Schedule(MappingProxyType(term_of), _read_events(path, data.get("events"), curriculum, problems))


def read_curriculum(root: Path, problems: Problems) -> Curriculum:
    """Read the whole ``curriculum/`` folder, reporting every problem found."""
    strands = _read_strands(root, problems)
    audiences = _read_audiences(root, problems)
    agreements = _read_agreements(root, audiences, problems)
    curriculum = Curriculum(strands=strands, audiences=audiences, modules={}, agreements=agreements,
                            statements=read_statements(root, strands, problems))
    _read_modules(root, curriculum, problems)
    return replace(curriculum, schedule=_read_schedule(root, curriculum, problems))
