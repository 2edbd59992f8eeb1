"""Writing the coordinator's part of the yearly audit: ratings, evidence, the action plan, sign-off.

Callers: the audit views, for the school's own coordinator (:func:`eduplatform.access.may_edit_audit_of`).
Every change is refused once the year's audit is signed: a signed report is frozen.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from eduplatform.academic_year import AcademicYear
from eduplatform.audit.models import AuditAction
from eduplatform.audit.services import record_event
from eduplatform.db import db, utcnow
from eduplatform.reports.audit import Audit, SignOff
from eduplatform.reports.models import ActionPlanItem, AspectRating, AuditReview


class AuditSignedError(Exception):
    """The year's audit is signed: nothing about it may change."""


def find_review(school_id: int, year: AcademicYear) -> AuditReview | None:
    return db.session.scalar(select(AuditReview).where(AuditReview.school_id == school_id,
                                                       AuditReview.academic_year == year.start_year))


def review_for_update(school_id: int, year: AcademicYear) -> AuditReview:
    """The school's review of ``year``, created when missing; refused once signed.

    Concurrent first edits create one review: the unique (school, year) lets one insert win.
    """
    review = find_review(school_id, year)
    if review is None:
        review, _ours = db.insert_unless_raced(AuditReview(school_id=school_id, academic_year=year.start_year),
                                               lambda: find_review(school_id, year))
    if review.signed_at is not None:
        raise AuditSignedError
    return review


def rate_aspect(school_id: int, year: AcademicYear, aspect_id: str, *, level: int | None, commentary: str,
                evidence: str | None, editor: Any) -> AspectRating:
    """Save the level, commentary and evidence of one aspect. ``evidence`` None keeps the drafted sentence."""
    review = review_for_update(school_id, year)
    rating = next((r for r in review.ratings if r.aspect_id == aspect_id), None)
    if rating is None:
        rating = AspectRating(aspect_id=aspect_id)
        review.ratings.append(rating)
    rating.level, rating.commentary, rating.evidence = level, commentary, evidence
    rating.updated_by_id = editor.id
    db.session.flush()
    return rating


def add_action(school_id: int, year: AcademicYear, *, action: str, owner: str, due_on: date | None) -> ActionPlanItem:
    review = review_for_update(school_id, year)
    item = ActionPlanItem(action=action, owner=owner, due_on=due_on, done=False)
    review.actions.append(item)
    db.session.flush()
    return item


def update_action(item: ActionPlanItem, *, action: str, owner: str, due_on: date | None, done: bool) -> None:
    review = db.session.get(AuditReview, item.review_id)
    if review is None or review.signed_at is not None:
        raise AuditSignedError
    item.action, item.owner, item.due_on, item.done = action, owner, due_on, done
    db.session.flush()


def remove_action(item: ActionPlanItem) -> None:
    review = db.session.get(AuditReview, item.review_id)
    if review is None or review.signed_at is not None:
        raise AuditSignedError
    db.session.delete(item)
    db.session.flush()


def sign_off(school_id: int, year: AcademicYear, audit: Audit, *, coordinator: Any, coordinator_name: str,
             chair_name: str, chair_signed_on: date) -> AuditReview:
    """Sign the audit and freeze it: the report as it stands now is stored and shown from then on.

    ``audit`` is the report just built for this school and year; its JSON (with the sign-off
    added) becomes the frozen copy. Logged in the audit log.
    """
    review = review_for_update(school_id, year)
    now = utcnow()
    review.coordinator_id = coordinator.id
    review.coordinator_name = coordinator_name
    review.coordinator_signed_on = now.date()
    review.chair_name = chair_name
    review.chair_signed_on = chair_signed_on
    review.signed_at = now
    audit.sign_off = SignOff(coordinator_name, now.date().isoformat(), chair_name, chair_signed_on.isoformat(),
                             now.isoformat(timespec="seconds"))
    review.frozen = audit.to_json()
    db.session.flush()
    record_event(AuditAction.AUDIT_SIGNED, actor=coordinator, school_id=school_id,
                 details={"year": year.start_year, "chair": chair_name})
    return review
