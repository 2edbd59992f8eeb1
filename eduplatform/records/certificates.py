"""Issuing certificates: the record written when an adult completes a module.

A certificate is a row (:class:`~eduplatform.records.models.Certificate`), never a stored file; the
PDF is rebuilt from it (:mod:`eduplatform.compliance.certificates`). Its code is random, 50 bits
from the operating system's generator, written in Crockford's base 32 (no I, L, O or U, so it
reads aloud and types without confusion) as two groups of five: ``7KQ2M-XD9PA``.
Callers: :mod:`eduplatform.records.services` when a completion is recorded.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from eduplatform.academic_year import AcademicYear, local_date
from eduplatform.accounts.models import User
from eduplatform.catalogue.model import Catalogue, Learners, Module
from eduplatform.catalogue.training import effective_periods, expiry_of
from eduplatform.db import db
from eduplatform.records.models import Certificate, ModuleCompletion
from eduplatform.schools.models import School

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10  # 10 x 5 bits = 50 bits
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0", "U": "V"})


def new_code() -> str:
    """A fresh random verification code (stored without the dash)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str | None:
    """What someone typed or scanned, as a stored code: upper case, dashes and spaces gone, the
    letters people confuse read as digits (O as 0, I and L as 1). None when it cannot be a code."""
    cleaned = "".join(text.split()).replace("-", "").upper().translate(_READ_AS)
    if len(cleaned) != CODE_LENGTH or any(character not in ALPHABET for character in cleaned):
        return None
    return cleaned


def display_code(code: str) -> str:
    """``7KQ2MXD9PA`` as ``7KQ2M-XD9PA``."""
    return f"{code[:5]}-{code[5:]}"


def earns_certificate(module: Module, catalogue: Catalogue) -> bool:
    """Adults' modules earn a certificate (staff, DSL, governors, parents' workshops, visitors);
    pupils' do not (their key-stage certificates are printed by the teacher, never stored)."""
    audience = catalogue.audiences.get(module.audience)
    return audience is not None and audience.learners is Learners.ADULTS


def module_version(catalogue: Catalogue, module: Module, locale: str) -> str:
    """The version of the words completed: the quiz's version, else a hash of the lessons' versions."""
    content = catalogue.module_content(module.id, locale)
    if content.quiz is not None:
        return content.quiz.version
    joined = "".join(lesson.version for lesson in content.lessons)
    return hashlib.sha256(joined.encode()).hexdigest()[:12]


def expiry_for_module(catalogue: Catalogue, module_id: str, training_periods: Mapping[str, Any] | None,
                      completed_on: date) -> date | None:
    """The last day a completion of ``module_id`` on ``completed_on`` keeps its training rule in date
    (the rule naming the module as its own, with the school's periods); None: it does not expire."""
    for rule in catalogue.training_rules_for_module(module_id):
        if rule.module_id == module_id:
            return expiry_of(rule, effective_periods(rule, training_periods), completed_on)
    return None


def issue_certificate(user: User, module: Module, completion: ModuleCompletion, catalogue: Catalogue,
                      year: AcademicYear) -> Certificate | None:
    """Issue the certificate for a completion just recorded, superseding the holder's earlier one.

    Nothing for pupils' modules or people without a school. Called inside the completion's
    transaction (the learner's completion row is locked), so two completions of one person cannot
    both supersede the same certificate.
    """
    if user.school_id is None or not earns_certificate(module, catalogue):
        return None
    school = db.session.get(School, user.school_id)
    time_zone = school.time_zone if school is not None else "Europe/London"
    completed_on = local_date(completion.completed_at or datetime.now(), time_zone)
    locale = user.locale or (school.default_locale if school is not None else catalogue.fallback_locale)
    locale = locale if (locale, module.id) in catalogue.module_contents else catalogue.fallback_locale
    expires = expiry_for_module(catalogue, module.id, school.training_periods if school is not None else {},
                                completed_on)
    certificate = Certificate(
        code=new_code(), school_id=user.school_id, user_id=user.id, module_id=module.id,
        module_version=module_version(catalogue, module, locale), locale=locale, academic_year=year.start_year,
        completed_on=completed_on, method=str(completion.method or "self"), score_percent=completion.best_percent,
        expires_on=expires)
    db.session.add(certificate)
    db.session.flush()
    earlier = db.session.scalars(select(Certificate).where(
        Certificate.user_id == user.id, Certificate.module_id == module.id, Certificate.id != certificate.id,
        Certificate.superseded_by_id.is_(None)))
    for old in earlier:
        old.superseded_by_id = certificate.id
    db.session.flush()
    return certificate
