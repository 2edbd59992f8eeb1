"""The audit's pupil outcomes at the first attempt, beside the mean over every attempt.

Per pupil audience (and per strand): the share of right answers on each pupil's **first** attempt
of the year at each quiz (``outcomes`` / ``first_attempt_score``). The mean over all attempts
includes retries after feedback; the first attempt is the honest measure of what pupils knew
before. Reads ``counts.first_answers`` (:func:`eduplatform.reports.audit_statements.count_first_answers`);
which strand a question tests comes from today's catalogue, applied to the recorded question ids.
Called by :func:`eduplatform.reports.audit_build.build_audit` only.
"""

from __future__ import annotations

from typing import Any

from eduplatform.catalogue.model import Catalogue
from eduplatform.reports.audit_figures import FigureMaker
from eduplatform.reports.audit_statements import questions_grouped, right_first_time

MEASURE = "first_attempt_score"


def add_first_attempt_figures(maker: FigureMaker, programme: Any, catalogue: Catalogue) -> None:
    """For each pupil audience, overall and per strand: right answers at the first attempt."""
    for audience in programme.audiences:
        if audience.learners != "pupils":
            continue
        per_strand = questions_grouped(programme, catalogue, audience.id, lambda question: (question.strand,))
        every = set().union(*per_strand.values()) if per_strand else set()
        maker.add("outcomes", MEASURE, right_first_time(every), unit="score", audience=audience.id)
        for strand in programme.strands:
            if strand in per_strand:
                maker.add("outcomes", MEASURE, right_first_time(per_strand[strand]), unit="score",
                          audience=audience.id, strand=strand)
