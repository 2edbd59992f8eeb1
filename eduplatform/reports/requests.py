"""Reading a records page's address: the scope (schools, year), the filters, the labels to show.

Filters live in the address (``?year=2025&audience=ks2&year_group=5&class=12&module=...&status=...``)
so a view can be bookmarked and shared. A value that does not fit (an unknown audience, a class of
another school) answers 400 or 404 with a message, never a page that quietly shows something else.
"""

from __future__ import annotations

from typing import Any

from flask import abort, request
from flask_babel import get_locale
from sqlalchemy import select

from eduplatform.access import overseen_schools
from eduplatform.catalogue import current_catalogue
from eduplatform.db import db
from eduplatform.i18n import _
from eduplatform.reports.rows import STATES_OF_KIND, Filters
from eduplatform.reports.scope import Scope, build_scope
from eduplatform.roles import Role
from eduplatform.schools.models import LAST_YEAR_GROUP, NURSERY, SchoolClass, Trust
from eduplatform.schools.years import current_year, requested_year


def _bad(message: str) -> None:
    abort(400, description=message)


def scope_from_request(actor: Any) -> Scope:
    """The schools the actor oversees (or the one chosen with ``?school=``) in the requested year."""
    schools = overseen_schools(actor)
    if not schools:
        abort(403)
    year = requested_year(actor)
    trust = None
    if Role.TRUST_LEAD in actor.roles and actor.trust_id is not None:
        trust = db.session.get(Trust, actor.trust_id)
    return build_scope(schools, year, current_catalogue(), actor=actor, trust=trust if len(schools) > 1 else None)


def filters_from_request(scope: Scope, kind: str = "completions") -> Filters:
    """The filters in the address, each checked against the scope's programme and classes."""
    args = request.args
    programme = scope.any_programme()
    school_id = _int_arg("school")
    if school_id is not None and school_id not in scope.school_ids:
        abort(404)
    audience = args.get("audience") or None
    if audience is not None and programme.audience(audience) is None:
        _bad(_("There is no audience called %(value)s in the programme of %(year)s.", value=audience[:40],
               year=scope.year.label))
    year_group = _int_arg("year_group")
    if year_group is not None and not NURSERY <= year_group <= LAST_YEAR_GROUP:
        _bad(_("%(value)s is not a year group.", value=year_group))
    class_id = _int_arg("class")
    if class_id is not None:
        found = db.session.scalar(select(SchoolClass.id).where(
            SchoolClass.id == class_id, SchoolClass.school_id.in_(scope.school_ids),
            SchoolClass.academic_year == scope.year.start_year))
        if found is None:
            abort(404)
    module = args.get("module") or None
    if module is not None and programme.module(module) is None:
        _bad(_("There is no module called %(value)s in the programme of %(year)s.", value=module[:60],
               year=scope.year.label))
    agreement = args.get("agreement") or None
    if agreement is not None and agreement not in {a.id for a in programme.agreements}:
        _bad(_("There is no agreement called %(value)s in the programme of %(year)s.", value=agreement[:60],
               year=scope.year.label))
    status = args.get("status") or None
    if status is not None and status not in STATES_OF_KIND[kind]:
        _bad(_("%(value)s is not a status of these records.", value=status[:40]))
    return Filters(school_id=school_id, audience=audience, year_group=year_group, class_id=class_id, module=module,
                   agreement=agreement, status=status)


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        _bad(_("%(value)s is not a number.", value=raw[:20]))
    return None


def labels_for(scope: Scope) -> dict[str, Any]:
    """Display names of the groups a dashboard may show (one query, for the classes)."""
    catalogue = current_catalogue()
    locale = str(get_locale())
    programme = scope.any_programme()

    def module_title(module: Any) -> str:
        return (catalogue.module_content(module.id, locale).title if module.id in catalogue.modules
                else module.title)

    classes = db.session.execute(select(SchoolClass.id, SchoolClass.name).where(
        SchoolClass.school_id.in_(scope.school_ids), SchoolClass.academic_year == scope.year.start_year)).all()
    return {
        "school": {school.id: school.name for school in scope.schools},
        "audience": {a.id: catalogue.label("audiences", a.id, locale) if a.id in catalogue.audiences else a.label
                     for a in programme.audiences},
        "audience_order": {a.id: position for position, a in enumerate(programme.audiences)},
        "module": {m.id: module_title(m) for m in programme.modules},
        "module_order": {m.id: position for position, m in enumerate(programme.modules)},
        "agreement": {a.id: (catalogue.agreement_content(a.id, locale).title if a.id in catalogue.agreements
                             else a.title) for a in programme.agreements},
        "class": {row.id: row.name for row in classes},
    }


def current_start_year(scope: Scope) -> int:
    return current_year(scope.schools[0]).start_year
