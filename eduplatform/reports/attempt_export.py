"""The attempts export: every quiz attempt of the year, streamed from its first row.

Over half a million rows for a trust, so it is read as three plain queries that each stream in
their own index order, and joined here as they arrive: the people of the scope (one row per person
and audience, with names and class: a few thousand rows, whatever the number of attempts), the
attempts by id, and the right and asked answers per strand by attempt id. The same rows as
the audit's outcome figures count: attempts at a module of the person's own audience.

Each row says whether it is the person's first attempt at the module that year (the honest
measure of what they knew before; later ones show what they learnt). Attempts arrive in id (so
submission) order, so the first one seen per person and module is the first: the pass/fail
filter is applied here, after that is noted, rather than in the query.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from eduplatform.accounts.models import User
from eduplatform.db import db
from eduplatform.records.models import QuizAttempt
from eduplatform.reports import population as pop
from eduplatform.reports import rows as records
from eduplatform.reports.scope import Scope
from eduplatform.schools.models import School, SchoolClass, year_group_label

_BATCH = 1000


def _stream(query: Any) -> Any:
    return db.session.execute(query.execution_options(stream_results=True, yield_per=_BATCH))


def people_of(scope: Scope, filters: records.Filters, current_start_year: int) -> dict[int, dict[str, list[Any]]]:
    """user id -> audience -> the person's first cells (ids, names, audience, year group, class)."""
    people = pop.population(scope, current_start_year)
    conditions = records.people_filters(people, filters)
    found: dict[int, dict[str, list[Any]]] = {}
    query = (select(people.c.user_id, people.c.audience_id, people.c.year_group, School.slug, User.external_id,
                    User.username, User.first_name, User.last_name, SchoolClass.name)
             .join(User, User.id == people.c.user_id).join(School, School.id == people.c.school_id)
             .outerjoin(SchoolClass, SchoolClass.id == people.c.class_id).where(*conditions))
    for user_id, audience, year_group, slug, external_id, username, first, last, class_name in db.session.execute(
            query):
        found.setdefault(user_id, {})[audience] = [slug, external_id or "", username, first, last, audience,
                                                   year_group_label(year_group), class_name or ""]
    return found


def attempt_cells(scope: Scope, filters: records.Filters, current_start_year: int, strands: tuple[str, ...],
                  titles: dict[tuple[int, str], str]) -> Iterator[list[Any]]:
    """The export's rows, in attempt order (three queries)."""
    people = people_of(scope, filters, current_start_year)
    audience_of = {(school_id, module.id): module.audience for school_id, programme in scope.programmes.items()
                   for module in programme.modules}
    qa = QuizAttempt
    attempts = select(qa.id, qa.user_id, qa.school_id, qa.module_id, qa.submitted_at, qa.locale, qa.quiz_version,
                      qa.score, qa.max_score, qa.percent, qa.passed).where(records.in_year_and_scope_in_id_order(scope))
    if filters.module is not None:
        attempts = attempts.where(qa.module_id == filters.module)
    wanted_passed = None if filters.status is None else filters.status == "passed"
    attempted: set[tuple[int, str]] = set()  # (person, module) pairs whose first attempt has passed by
    results = [_stream(attempts.order_by(qa.id)), _stream(records.strand_scores(scope, strands))]
    no_answers = [0] * (2 * len(strands))
    try:
        scores = iter(results[1])
        pending = next(scores, None)
        for attempt_id, user_id, school_id, module_id, submitted_at, locale, version, score, most, percent, passed \
                in results[0]:
            person = people.get(user_id, {}).get(audience_of.get((school_id, module_id), ""))
            while pending is not None and pending[0] < attempt_id:
                pending = next(scores, None)
            first = (user_id, module_id) not in attempted
            attempted.add((user_id, module_id))
            if person is None or (wanted_passed is not None and passed != wanted_passed):
                continue  # not in the scope's filters, or a module outside the person's audience
            cells = list(pending[1:]) if pending is not None and pending[0] == attempt_id else no_answers
            yield [*person, module_id, titles.get((school_id, module_id), ""), attempt_id,
                   submitted_at.isoformat(timespec="seconds"), locale, version, score, most, percent,
                   "yes" if passed else "no", "yes" if first else "no", *cells]
    finally:
        for result in results:
            result.close()
