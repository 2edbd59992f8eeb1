"""Drafting the self-review's evidence from the audit's figures: one function per drafter.

Each aspect in ``curriculum/self_review.yaml`` may name a drafter; its function turns the year's
figures into a sentence the coordinator keeps or edits, for example "46 of 48 staff (96%)
completed the annual refresher; 2 overdue." Pure functions of an :class:`Audit` (no queries).
"""

from __future__ import annotations

from collections.abc import Callable

from eduplatform.i18n import _, ngettext
from eduplatform.reports.audit import Audit, Figure


def _share(figure: Figure | None) -> dict[str, object] | None:
    if figure is None or figure.count is None or not figure.total:
        return None
    return {"count": figure.count, "total": figure.total, "percent": f"{figure.value:g}"}


def _last_year(figure: Figure | None) -> str:
    if figure is None or figure.previous is None:
        return ""
    return " " + _("Last year: %(percent)s%%.", percent=f"{figure.previous:g}")


def _none() -> str:
    return _("The platform holds no records for this yet.")


def _sum(figures: list[Figure]) -> tuple[int, int]:
    return sum(f.count or 0 for f in figures), sum(f.total or 0 for f in figures)


def pupil_programme(audit: Audit) -> str:
    headline = audit.figure("summary", "pupil_modules_completed")
    share = _share(headline)
    if share is None:
        return _none()
    teacher_led = sum(f.count or 0 for a in audit.pupil_audiences
                      if (f := audit.figure("programme", "method_teacher_led", a)) is not None)
    self_study = sum(f.count or 0 for a in audit.pupil_audiences
                     if (f := audit.figure("programme", "method_self", a)) is not None)
    return _("Pupils completed %(count)s of %(total)s module places this year (%(percent)s%%): %(led)s teacher-led "
             "and %(own)s by self-study.", led=teacher_led, own=self_study, **share) + _last_year(headline)


def pupil_outcomes(audit: Audit) -> str:
    score = audit.figure("summary", "pupil_mean_score")
    if score is None or not score.total:
        return _none()
    weakest = sorted({audit.label("strands", s) for strands in audit.weakest_strands.values() for s in strands[:1]})
    sentence = _("Pupils answered %(answers)s quiz questions with a mean score of %(score)s%%.",
                 answers=score.total, score=f"{score.value:g}")
    if weakest:
        sentence += " " + _("Weakest strand per key stage: %(strands)s.", strands=", ".join(weakest))
    return sentence + _last_year(score)


def pupil_agreements(audit: Audit) -> str:
    headline = audit.figure("summary", "pupil_agreements_signed")
    share = _share(headline)
    if share is None:
        return _none()
    return (_("%(count)s of %(total)s pupils (%(percent)s%%) signed this year's acceptable use agreement; "
              "%(classes)s classes agreed together with a teacher as witness.", classes=len(audit.class_signings),
              **share) + _last_year(headline))


def _agreement_signed(audit: Audit, setting: str) -> Figure | None:
    audience = audit.settings.get(setting)
    return next((f for f in audit.figures_of("staff", "agreement_signed") if f.audience == audience), None)


def staff_agreements(audit: Audit) -> str:
    figure = _agreement_signed(audit, "staff_audience")
    share = _share(figure)
    if share is None:
        return _none()
    return _("%(count)s of %(total)s staff (%(percent)s%%) signed this year's staff acceptable use agreement.",
             **share) + _last_year(figure)


def staff_induction(audit: Audit) -> str:
    figure = audit.figure("summary", "new_staff_inducted")
    share = _share(figure)
    if share is None:
        return _("No new starters this year.")
    return _("%(count)s of %(total)s new starters (%(percent)s%%) completed online-safety induction.",
             **share) + _last_year(figure)


def _with_overdue(measure: str, audit: Audit, sentence: Callable[..., str]) -> str:
    figure = next(iter(audit.figures_of("staff", measure)), None)
    overdue = next(iter(audit.figures_of("staff", f"{measure}_overdue")), None)
    share = _share(figure)
    if share is None:
        return _none()
    return sentence(overdue=overdue.count if overdue and overdue.count else 0, **share) + _last_year(figure)


def staff_refresher(audit: Audit) -> str:
    return _with_overdue("refresher", audit, lambda **values: _(
        "%(count)s of %(total)s staff (%(percent)s%%) completed the annual refresher; %(overdue)s overdue.",
        **values))


def dsl_training(audit: Audit) -> str:
    return _with_overdue("dsl_in_date", audit, lambda **values: _(
        "%(count)s of %(total)s DSL and deputies (%(percent)s%%) have their DSL training in date; "
        "%(overdue)s overdue.", **values))


def governor_training(audit: Audit) -> str:
    return _with_overdue("governors_trained", audit, lambda **values: _(
        "%(count)s of %(total)s governors (%(percent)s%%) completed online-safety training; %(overdue)s overdue.",
        **values))


def parent_engagement(audit: Audit) -> str:
    workshops = audit.figure("summary", "parent_workshops_completed")
    returns = audit.figure("summary", "home_school_agreements_returned")
    share = _share(workshops)
    if share is None:
        return _none()
    sentence = _("Parents completed %(count)s of %(total)s workshop places (%(percent)s%%).", **share)
    if (returned := _share(returns)) is not None:
        sentence += " " + _("%(count)s of %(total)s parents (%(percent)s%%) returned the home-school agreement.",
                            **returned)
    return sentence + _workshops_held(audit) + _last_year(workshops)


def _workshops_held(audit: Audit) -> str:
    """How many workshops were held and the share of parents who came (empty when none was held)."""
    held = audit.figure("parents", "workshops_held")
    reached = _share(audit.figure("parents", "families_reached"))
    if held is None or not held.count or reached is None:
        return ""
    return " " + ngettext("%(num)s workshop was held; %(count)s of %(total)s parents (%(percent)s%%) attended it.",
                          "%(num)s workshops were held; %(count)s of %(total)s parents (%(percent)s%%) attended "
                          "at least one.", held.count, **reached)


def consent_returns(audit: Audit) -> str:
    figure = audit.figure("summary", "consents_returned")
    share = _share(figure)
    if share is None:
        return _none()
    return _("Consent choices were returned for %(count)s of %(total)s children (%(percent)s%%).",
             **share) + _last_year(figure)


def visitor_agreements(audit: Audit) -> str:
    figure = _agreement_signed(audit, "visitor_audience")
    share = _share(figure)
    if share is None:
        return _none()
    return _("%(count)s of %(total)s visitors (%(percent)s%%) signed the visitor agreement.", **share) + _last_year(
        figure)


def reporting(audit: Audit) -> str:
    """Concerns reported (how many, per term, the commonest kind) and the filtering checks; counts only."""
    total = audit.figure("concerns", "concerns_reported")
    if total is None:
        return _none()
    number = total.count or 0
    terms = {term: (f.count or 0) if (f := audit.figure("concerns", f"concerns_{term}")) else 0
             for term in ("autumn", "spring", "summer")}
    sentence = ngettext("%(num)s concern was reported through the platform this year (autumn %(autumn)s, spring "
                        "%(spring)s, summer %(summer)s).",
                        "%(num)s concerns were reported through the platform this year (autumn %(autumn)s, spring "
                        "%(spring)s, summer %(summer)s).", number, **terms)
    kinds = [f for f in audit.figures_of("concerns", "concerns_by_category") if f.count]
    if kinds:
        top = max(kinds, key=lambda f: f.count or 0)
        sentence += " " + _("The most reported kind: %(kind)s (%(count)s).", kind=audit.label("categories", top.item),
                            count=top.count)
    if total.previous_count is not None:
        sentence += " " + _("Last year: %(count)s.", count=total.previous_count)
    return sentence + " " + _filtering_checks(audit)


def _filtering_checks(audit: Audit) -> str:
    checks = audit.figure("filtering", "filtering_checks")
    days = audit.figure("filtering", "filtering_days_in_date")
    if checks is None or not checks.count:
        return _("No filtering and monitoring check was recorded this year.")
    sentence = ngettext("%(num)s filtering and monitoring check was recorded this year.",
                        "%(num)s filtering and monitoring checks were recorded this year.", checks.count)
    if (share := _share(days)) is not None:
        sentence += " " + _("A check was in date on %(count)s of %(total)s days so far (%(percent)s%%).", **share)
    return sentence


DRAFTERS: dict[str, Callable[[Audit], str]] = {
    "pupil_programme": pupil_programme, "pupil_outcomes": pupil_outcomes, "pupil_agreements": pupil_agreements,
    "staff_agreements": staff_agreements, "staff_induction": staff_induction, "staff_refresher": staff_refresher,
    "dsl_training": dsl_training, "governor_training": governor_training, "parent_engagement": parent_engagement,
    "consent_returns": consent_returns, "visitor_agreements": visitor_agreements, "reporting": reporting,
}


def draft(drafter: str | None, audit: Audit) -> str:
    """The evidence sentence for an aspect (empty when the aspect names no drafter)."""
    return DRAFTERS[drafter](audit) if drafter else ""
