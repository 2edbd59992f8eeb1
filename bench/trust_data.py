"""A deterministic trust for the records benchmark: 20 schools, 20,000 people, two academic years.

Built on the models (``insert(Model)`` with the models' own columns, so it stays true as the
schema changes), in bulk: about 140,000 completions and 700,000 quiz attempts (with every answer)
over last year and this year, agreements and consents. Ids are given here, so rows can point at
each other without reading anything back.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert

from eduplatform.academic_year import AcademicYear
from eduplatform.accounts.models import ParentLink, User, UserRole
from eduplatform.catalogue.model import Catalogue
from eduplatform.db import db
from eduplatform.records.models import (
    AgreementSignature,
    ConsentDecision,
    ModuleCompletion,
    ProgrammeSnapshot,
    QuizAnswer,
    QuizAttempt,
)
from eduplatform.records.programme import snapshot_of
from eduplatform.schools.models import ClassMember, ClassTeacher, School, SchoolClass, Trust

SCHOOLS = 20
PUPILS_PER_YEAR_GROUP = 50  # Reception to Year 11: 600 pupils a school
STAFF, GOVERNORS, PARENTS, VISITORS = 60, 10, 320, 10  # 400 adults a school: 1,000 people
CHUNK = 20_000


class Ids:
    def __init__(self) -> None:
        self.next: dict[str, int] = {}

    def __call__(self, kind: str) -> int:
        self.next[kind] = self.next.get(kind, 0) + 1
        return self.next[kind]


def _flush(model: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(model), rows[start:start + CHUNK])
    rows.clear()


def build_trust(catalogue: Catalogue, this_year: AcademicYear, seed: int = 2026) -> dict[str, int]:
    """Write the trust and return how many rows of each kind were made. Flushes; the caller commits."""
    rng = random.Random(seed)
    ids = Ids()
    last_year = this_year.shifted(-1)
    years = (last_year, this_year)
    locale = catalogue.fallback_locale
    quizzes = {m.id: catalogue.module_content(m.id, locale).quiz for m in catalogue.modules.values() if m.has_quiz}
    joined = datetime.combine(last_year.first_day, datetime.min.time()) - timedelta(days=30)
    counts: dict[str, int] = {}
    db.session.execute(insert(Trust), [{"id": 1, "slug": "bench-trust", "name": "Bench Learning Trust"}])
    schools = [{"id": n, "trust_id": 1, "slug": f"school-{n:02d}", "name": f"Bench School {n:02d}",
                "default_locale": "en", "time_zone": "Europe/London", "created_at": joined}
               for n in range(1, SCHOOLS + 1)]
    db.session.execute(insert(School), schools)
    users: list[dict[str, Any]] = []
    roles: list[dict[str, Any]] = []
    classes: list[dict[str, Any]] = []
    members: list[dict[str, Any]] = []
    teachers: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    snapshots: list[dict[str, Any]] = []
    pupils_of_school: dict[int, list[tuple[int, int]]] = {}
    adults_of_school: dict[int, list[tuple[int, str]]] = {}
    snapshot = snapshot_of(catalogue)
    consent_items = [(agreement.id, item.id, catalogue.agreement_content(agreement.id, locale).version)
                     for agreement in catalogue.agreements.values()
                     for item in catalogue.agreement_content(agreement.id, locale).consents]

    def person(school_id: int, role: str, year_group: int | None = None) -> int:
        user_id = ids("user")
        users.append({"id": user_id, "school_id": school_id, "username": f"u{user_id}", "first_name": f"First{user_id}",
                      "last_name": f"Last{user_id % 997}", "session_token": f"t{user_id}", "year_group": year_group,
                      "created_at": joined if year_group != 0 else datetime.combine(this_year.first_day,
                                                                                    datetime.min.time()),
                      "must_change_password": False, "failed_sign_ins": 0, "external_id": f"MIS{user_id}"})
        roles.append({"user_id": user_id, "role": role})
        return user_id

    for school in schools:
        school_id = school["id"]
        for year in years:
            snapshots.append({"school_id": school_id, "academic_year": year.start_year, "content": snapshot,
                              "reason": "first_record", "taken_at": joined})
        staff_ids = [person(school_id, "staff") for _ in range(STAFF)]
        roles.append({"user_id": staff_ids[0], "role": "coordinator"})
        adults_of_school[school_id] = [(s, "staff") for s in staff_ids]
        adults_of_school[school_id] += [(person(school_id, "governor"), "governor") for _ in range(GOVERNORS)]
        adults_of_school[school_id] += [(person(school_id, "visitor"), "visitor") for _ in range(VISITORS)]
        pupils = []
        for year_group in range(0, 12):
            pupils += [(person(school_id, "pupil", year_group), year_group) for _ in range(PUPILS_PER_YEAR_GROUP)]
        pupils_of_school[school_id] = pupils
        parents = [person(school_id, "parent") for _ in range(PARENTS)]
        adults_of_school[school_id] += [(p, "parent") for p in parents]
        for index, (pupil_id, _year_group) in enumerate(pupils):
            links.append({"parent_id": parents[index % PARENTS], "child_id": pupil_id})
        for year in years:
            shift = this_year.start_year - year.start_year
            for year_group in range(0, 12):
                class_ids = []
                for half, name in enumerate("AB"):
                    class_id = ids("class")
                    classes.append({"id": class_id, "school_id": school_id, "academic_year": year.start_year,
                                    "name": f"{year_group}{name}", "year_group": year_group})
                    teachers.append({"class_id": class_id, "user_id": staff_ids[1 + year_group * 2 + half]})
                    class_ids.append(class_id)
                for index, (pupil_id, _now) in enumerate(p for p in pupils if p[1] - shift == year_group):
                    members.append({"class_id": class_ids[index % 2], "user_id": pupil_id})
    for model, rows in ((User, users), (UserRole, roles), (SchoolClass, classes), (ClassMember, members),
                        (ClassTeacher, teachers), (ParentLink, links), (ProgrammeSnapshot, snapshots)):
        counts[model.__tablename__] = len(rows)
        _flush(model, rows)
    db.session.flush()

    completions: list[dict[str, Any]] = []
    attempts: list[dict[str, Any]] = []
    answers: list[dict[str, Any]] = []
    signatures: list[dict[str, Any]] = []
    consents: list[dict[str, Any]] = []
    totals = {"module_completion": 0, "quiz_attempt": 0, "quiz_answer": 0, "agreement_signature": 0,
              "consent_decision": 0}

    def spill(force: bool = False) -> None:
        """Write what has piled up, attempts before their answers."""
        pending = ((ModuleCompletion, completions), (QuizAttempt, attempts), (QuizAnswer, answers),
                   (AgreementSignature, signatures), (ConsentDecision, consents))
        if force or any(len(rows) >= CHUNK for _model, rows in pending):
            for model, rows in pending:
                totals[model.__tablename__] += len(rows)
                _flush(model, rows)

    def when(year: AcademicYear) -> datetime:
        return datetime.combine(year.first_day, datetime.min.time()) + timedelta(days=rng.randint(5, 300))

    def learner_year(school_id: int, user_id: int, audiences: frozenset[str], year: AcademicYear,
                     finished: bool) -> None:
        for module in catalogue.modules_for(audiences):
            started = rng.random() < (0.9 if finished else 0.85)
            if not started:
                continue
            done = rng.random() < (0.95 if finished else 0.7)
            moment = when(year)
            tries = rng.randint(1, 2) if finished else rng.randint(4, 7)
            quiz = quizzes.get(module.id)
            best = 0
            for _ in range(tries if quiz else 0):
                attempt_id = ids("attempt")
                right = 0
                for position, question in enumerate(quiz.questions):
                    correct = rng.random() < 0.72
                    right += correct
                    answers.append({"attempt_id": attempt_id, "position": position, "question_id": question.id,
                                    "strand": question.strand, "selected": ["a"], "is_correct": correct})
                percent = right * 100 // len(quiz.questions)
                best = max(best, percent)
                attempts.append({"id": attempt_id, "school_id": school_id, "user_id": user_id, "module_id": module.id,
                                 "quiz_id": quiz.id, "quiz_version": quiz.version, "locale": locale,
                                 "academic_year": year.start_year, "submission_token": f"b{attempt_id}",
                                 "score": right, "max_score": len(quiz.questions), "percent": percent,
                                 "passed": percent >= module.pass_mark, "submitted_at": moment})
            completions.append({"school_id": school_id, "user_id": user_id, "module_id": module.id,
                                "academic_year": year.start_year, "status": "completed" if done else "in_progress",
                                "best_percent": best if quiz else None, "attempt_count": tries if quiz else 0,
                                "started_at": moment, "completed_at": moment if done else None,
                                "method": "self" if done else None, "recorded_by_id": user_id if done else None})
        for agreement in catalogue.agreements_for(audiences):
            if rng.random() < (0.93 if finished else 0.8):
                content = catalogue.agreement_content(agreement.id, locale)
                signatures.append({"school_id": school_id, "user_id": user_id, "agreement_id": agreement.id,
                                   "agreement_version": content.version, "locale": locale,
                                   "academic_year": year.start_year,
                                   "method": "ticked" if agreement.signing.value == "tick" else "typed_name",
                                   "typed_name": None if agreement.signing.value == "tick" else "Bench Person",
                                   "signed_at": when(year)})
        spill()

    for school_id, pupils in pupils_of_school.items():
        for year in years:
            shift = this_year.start_year - year.start_year
            for user_id, year_group in pupils:
                if year_group - shift < 0:
                    continue
                audiences = catalogue.pupil_audience_ids({year_group - shift})
                learner_year(school_id, user_id, audiences, year, finished=year == last_year)
        for user_id, role in adults_of_school[school_id]:
            roles_of = frozenset({role, "coordinator"}) if user_id == adults_of_school[school_id][0][0] \
                else frozenset({role})
            audiences = catalogue.audience_ids_of(_Person(roles_of))
            for year in years:
                learner_year(school_id, user_id, audiences, year, finished=year == last_year)
        for index, (pupil_id, _group) in enumerate(pupils):
            for agreement_id, consent_id, version in consent_items:
                if rng.random() < 0.7:
                    consents.append({"school_id": school_id, "parent_id": adults_of_school[school_id][-1][0],
                                     "child_id": pupil_id, "agreement_id": agreement_id, "consent_id": consent_id,
                                     "agreement_version": version, "given": index % 5 != 0,
                                     "decided_at": when(this_year)})
    spill(force=True)
    counts.update(totals)
    return counts


class _Person:
    def __init__(self, roles: frozenset[str]):
        self.roles, self.year_group = roles, None

