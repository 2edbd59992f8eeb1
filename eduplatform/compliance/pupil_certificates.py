"""Pupils' key-stage certificates: printed by the teacher for the pupils of a class who finished.

A pupil has finished when they completed every module of their key stage's programme in the
class's academic year. The certificate names them by first name only, with the key stage, the
school and the year: no surname, no code, no verification page. Nothing is stored: children's
data stays private. Callers: :mod:`eduplatform.compliance.certificate_views`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import current_app, render_template

from eduplatform.academic_year import AcademicYear
from eduplatform.accounts.models import User
from eduplatform.catalogue.model import Catalogue
from eduplatform.pdf import render_pdf
from eduplatform.records.queries import ModuleState, module_statuses_for_many
from eduplatform.schools.models import School


@dataclass(frozen=True)
class PupilCertificate:
    """One page: a pupil's first name and the key stage they finished."""

    first_name: str
    key_stage: str


def finished_pupils(actor: Any, pupils: Sequence[User], catalogue: Catalogue, year: AcademicYear,
                    locale: str) -> list[PupilCertificate]:
    """The pupils (in the order given) who completed every module of their key stage in ``year``.

    One query for the whole class (the class grid's). Only records the actor may see are read.
    """
    audiences = {pupil.id: sorted(catalogue.pupil_audience_ids({pupil.year_group})) for pupil in pupils}
    modules_of = {audience_id: catalogue.modules_for((audience_id,))
                  for ids in audiences.values() for audience_id in ids}
    every_module = tuple({module.id: module for modules in modules_of.values() for module in modules}.values())
    statuses = module_statuses_for_many(actor, [pupil.id for pupil in pupils], every_module, year)
    finished = []
    for pupil in pupils:
        for audience_id in audiences[pupil.id]:
            modules = modules_of[audience_id]
            done = [statuses[pupil.id][module.id] for module in modules]
            if modules and all(status.state is ModuleState.COMPLETED and status.completed_year == year.start_year
                               for status in done):
                finished.append(PupilCertificate(pupil.first_name,
                                                 catalogue.label("audiences", audience_id, locale)))
    return finished


def pupil_certificates_pdf(certificates: Sequence[PupilCertificate], school: School, year: AcademicYear) -> bytes:
    """One A4 landscape page per pupil (raises PdfUnavailableError without WeasyPrint's libraries)."""
    html = render_template("compliance/pupil_certificates_document.html", certificates=certificates, school=school,
                           year=year)
    return render_pdf(html, current_app.static_folder or "")
