"""The dashboard, modules, lessons and quizzes."""

from __future__ import annotations

import secrets
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_login import current_user
from werkzeug.wrappers import Response

from eduplatform.academic_year import AcademicYear, local_date
from eduplatform.access import Permission, learner_module_or_404, requires
from eduplatform.catalogue import current_catalogue
from eduplatform.catalogue.model import Lesson, Module, Term
from eduplatform.db import db, reads_first, utcnow
from eduplatform.errors import back_to_page_when_expired
from eduplatform.forms import EmptyForm
from eduplatform.i18n import _, ngettext
from eduplatform.learning.forms import build_quiz_form, field_name, responses_from
from eduplatform.learning.next_step import adult_next_step, adult_next_step_for
from eduplatform.learning.picture_first import picture_dashboard
from eduplatform.learning.steps import continue_url, module_picture, next_module_for, pupil_progress
from eduplatform.learning.workshops import workshop_offer
from eduplatform.records import queries, services
from eduplatform.records.grading import grade
from eduplatform.records.quiz_draw import as_shown, quiz_for_attempt
from eduplatform.schools.help import where_to_get_help
from eduplatform.schools.years import current_year, requested_year, time_zone_of
from eduplatform.signin.pictures import picture_first
from eduplatform.workshops.queries import dashboard_cards

bp = Blueprint("learning", __name__)


@bp.app_context_processor
def inject_picture_first() -> dict[str, bool]:
    """``picture_first``: every page shows the youngest pupils (Nursery to Year 2) its picture-first form."""
    return {"picture_first": picture_first(current_user)}


def get_lesson_or_404(module: Module, lesson_id: str) -> Lesson:
    content = current_catalogue().module_content(module.id, str(get_locale()))
    lesson = next((lesson for lesson in content.lessons if lesson.id == lesson_id), None)
    if lesson is None:
        abort(404)
    return lesson


@bp.route("/")
@requires(Permission.USE_SITE)
def dashboard() -> str:
    """The signed-in person's home: their modules and agreements this year. Any signed-in user.

    A parent is offered the workshops for their children's ages first; the others are listed apart.
    """
    catalogue = current_catalogue()
    year = requested_year(current_user)
    if picture_first(current_user):  # Nursery to Year 2: picture cards, a Next tile and stars
        return render_template("learning/dashboard_ks1.html", year=year,
                               board=picture_dashboard(current_user, catalogue, str(get_locale()), year))
    audiences = catalogue.audiences_of(current_user)
    audience_ids = frozenset(audience.id for audience in audiences)
    modules = catalogue.modules_for(audience_ids)
    agreements = catalogue.agreements_for(audience_ids)
    offer = workshop_offer(current_user, modules)
    by_term = [(term, [m for m in offer.offered if catalogue.schedule.term_of.get(m.id) is term]) for term in Term]
    unscheduled = [m for m in offer.offered if m.id not in catalogue.schedule.term_of]
    return render_template(
        "learning/dashboard.html", year=year, audiences=audiences, modules=modules, agreements=agreements,
        by_term=[(term, found) for term, found in by_term if found], unscheduled=unscheduled,
        other_workshops=offer.others, for_age=offer.for_age,
        current_term=Term.containing(local_date(utcnow(), time_zone_of(current_user.school)).month),
        is_current_year=year == current_year(current_user),
        events=[(event, format_date(date(2000, event.month, 1), "MMMM"))
                for event in catalogue.schedule.events_for(audience_ids)],
        module_statuses=(statuses := queries.module_statuses(current_user, current_user.id, modules, year)),
        agreement_statuses=queries.agreement_statuses(current_user, current_user.id, agreements, catalogue, year),
        pictures={module.id: module_picture(catalogue.module_content(module.id, str(get_locale())))
                  for module in modules},
        pupil_progress=pupil_progress(current_user, modules, statuses),
        workshop_cards=dashboard_cards(current_user, catalogue, str(get_locale()), utcnow()),
    )


@bp.route("/modules/<module_id>")
@requires(Permission.LEARN)
def show_module(module_id: str) -> str:
    """A module's overview: outcomes, lessons (read or not), quiz and agreement. Its learners only."""
    module = learner_module_or_404(current_user, module_id)
    catalogue = current_catalogue()
    year = current_year(current_user)
    content = catalogue.module_content(module.id, str(get_locale()))
    agreement_status = None
    if module.agreement_id:
        agreement = catalogue.agreements[module.agreement_id]
        agreement_status = queries.agreement_statuses(current_user, current_user.id, [agreement], catalogue,
                                                      year)[agreement.id]
    status = queries.module_statuses(current_user, current_user.id, [module], year)[module.id]
    read = queries.lessons_read(current_user.id, module, year)
    attempts = queries.attempts_this_year(current_user.id, module, year)
    next_step = adult_next_step(  # adults and visitors: sign the agreement, or see the completion recorded
        current_user, module, catalogue, status=status, lessons_read=read,
        quiz_passed=any(attempt.passed for attempt in attempts),
        agreement_signed=agreement_status is not None and agreement_status.state is queries.AgreementState.SIGNED)
    return render_template(
        "learning/module.html", module=module, content=content, year=year, status=status, read=read,
        attempts=attempts, agreement_status=agreement_status, next_step=next_step,
    )


@bp.route("/modules/<module_id>/lessons/<lesson_id>")
@requires(Permission.LEARN)
def show_lesson(module_id: str, lesson_id: str) -> str:
    """Read a lesson (cached HTML, read-aloud). Its module's learners only."""
    module = learner_module_or_404(current_user, module_id)
    lesson = get_lesson_or_404(module, lesson_id)
    catalogue = current_catalogue()
    position = module.lesson_ids.index(lesson.id)
    return render_template(
        "learning/lesson.html", module=module, lesson=lesson, position=position,
        content=catalogue.module_content(module.id, str(get_locale())),
        already_read=lesson.id in queries.lessons_read(current_user.id, module, current_year(current_user)),
        help_contacts=where_to_get_help(current_user, catalogue, str(get_locale())),
        form=EmptyForm(),
    )


@bp.route("/modules/<module_id>/lessons/<lesson_id>/read", methods=["POST"])
@back_to_page_when_expired(lambda module_id, lesson_id: url_for(".show_lesson", module_id=module_id,
                                                                lesson_id=lesson_id))
@requires(Permission.LEARN)
def mark_lesson_read(module_id: str, lesson_id: str) -> Response:
    """Record that the learner finished a lesson, then go to the next step. Its module's learners only.

    When the page has expired, nothing is saved and the learner stays on the lesson with a message
    saying so (``back_to_page_when_expired``), rather than moving on as if it had been.
    """
    module = learner_module_or_404(current_user, module_id)
    lesson = get_lesson_or_404(module, lesson_id)
    services.record_lesson_read(current_user, module, lesson, current_year(current_user), current_catalogue())
    position = module.lesson_ids.index(lesson.id)
    if position + 1 < len(module.lesson_ids):
        return redirect(url_for(".show_lesson", module_id=module.id, lesson_id=module.lesson_ids[position + 1]))
    if module.has_quiz:
        return redirect(url_for(".take_quiz", module_id=module.id))
    return redirect(url_for(".show_module", module_id=module.id))


def _attempts_left(module: Module) -> int | None:
    if module.max_attempts is None:
        return None
    used = len(queries.attempts_this_year(current_user.id, module, current_year(current_user)))
    return max(0, module.max_attempts - used)


def _tries_left_today(module: Module) -> int | None:
    """Attempts the learner may still make at the module's quiz today (None: no daily limit)."""
    if module.attempts_per_day is None:
        return None
    return max(0, module.attempts_per_day - queries.attempts_today(current_user, module, current_year(current_user)))


def _daily_limit_message(module: Module) -> str:
    """The refusal when today's attempts are used (adults may try a quiz a few times a day)."""
    return ngettext("You have used today's attempt at this quiz. Read the feedback and the lessons again, then "
                    "try again tomorrow.",
                    "You have used all %(num)d of today's attempts at this quiz. Read the feedback and the lessons "
                    "again, then try again tomorrow.", module.attempts_per_day or 0)


@bp.route("/modules/<module_id>/quiz", methods=["GET", "POST"])
@reads_first
@requires(Permission.LEARN)
def take_quiz(module_id: str) -> str | Response:
    """Show the quiz (no answers in the page) or grade and record a submission. Its learners only.

    Each attempt has its own questions (drawn from the module's bank when it is larger than the
    quiz) and option order, both seeded by the page's submission token: the page and its
    submission agree with nothing kept on the server, and only the questions shown are graded.
    Everything up to the grading only reads; the write lock is taken just to record the attempt,
    whose service checks the attempt limits again under it.
    """
    module = learner_module_or_404(current_user, module_id)
    catalogue = current_catalogue()
    content = catalogue.module_content(module.id, str(get_locale()))
    if content.quiz is None:
        abort(404)
    attempts_left = _attempts_left(module)
    tries_left_today = _tries_left_today(module)
    # A submission is graded against the questions its page showed; a new page gets a new token.
    token = request.form.get("submission_token", "") if request.method == "POST" else secrets.token_urlsafe(24)
    quiz = quiz_for_attempt(content.quiz, token, module.questions_per_attempt)
    form = build_quiz_form(quiz)
    if form.validate_on_submit():
        token = form.submission_token.data
        earlier = services.find_attempt(current_user, token)
        if earlier is not None:  # the same attempt sent again: show it, record nothing
            return redirect(url_for(".show_attempt", attempt_id=earlier.id))
        if attempts_left == 0:
            flash(_("You have used all your attempts at this quiz for this year."), "error")
            return redirect(url_for(".show_module", module_id=module.id))
        if tries_left_today == 0:
            flash(_daily_limit_message(module), "error")
            return redirect(url_for(".show_module", module_id=module.id))
        result = grade(quiz, responses_from(form, quiz), module.pass_mark)
        db.start_writing()
        try:
            attempt = services.record_quiz_attempt(current_user, module, quiz, result, token,
                                                   current_year(current_user), catalogue)
        except services.NoAttemptsLeftError:  # another tab submitted the last attempt a moment ago
            flash(_("You have used all your attempts at this quiz for this year."), "error")
            return redirect(url_for(".show_module", module_id=module.id))
        except services.DailyLimitReachedError:  # another tab used today's last attempt a moment ago
            flash(_daily_limit_message(module), "error")
            return redirect(url_for(".show_module", module_id=module.id))
        return redirect(url_for(".show_attempt", attempt_id=attempt.id))
    if form.is_submitted() and form.submission_token.errors:  # before: a 5 MB token was stored
        abort(400, description=_("This quiz page is out of date or was changed. Nothing was saved: open the quiz "
                                 "again and answer it."))
    young = picture_first(current_user)
    if form.is_submitted() and form.errors:
        flash(_("Some questions have no answer yet. Tap a picture for each one.") if young else
              _("Some questions have no answer yet. Nothing was saved: answer them and submit again."), "error")
    if not form.is_submitted():
        form.submission_token.data = token
    return render_template("learning/quiz_ks1.html" if young else "learning/quiz.html", module=module,
                           content=content, quiz=quiz, form=form, field_name=field_name, attempts_left=attempts_left,
                           daily_limit=_daily_limit_message(module) if tries_left_today == 0 else None)


@bp.route("/attempts/<int:attempt_id>")
@requires(Permission.USE_SITE)
def show_attempt(attempt_id: int) -> str:
    """An attempt's score with per-question feedback. The learner, and people whose scope covers them.

    Each question's options are listed in the order that attempt showed them; the learner is
    offered another attempt (new questions, new order) unless the year's or today's are used up.
    """
    attempt = queries.get_visible_attempt(current_user, attempt_id)
    if attempt is None:
        abort(404)
    catalogue = current_catalogue()
    module = catalogue.modules.get(attempt.module_id)
    if module is None:
        abort(404)
    content = catalogue.module_content(module.id, attempt.locale)
    quiz = content.quiz
    bank = {question.id: question for question in quiz.questions} if quiz else {}
    questions = {answer.question_id: as_shown(bank[answer.question_id], answer.shown_options)
                 for answer in attempt.answers if answer.question_id in bank}
    own = attempt.user_id == current_user.id
    attempts_left = _attempts_left(module) if own else None
    daily_limit = _daily_limit_message(module) if own and _tries_left_today(module) == 0 else None
    year = AcademicYear(attempt.academic_year)
    status = queries.module_statuses(current_user, attempt.user_id, [module], year)[module.id]
    # A learner sees the right answers only once they cannot be copied into another attempt: after
    # a pass or the last allowed attempt. Before, a failed attempt showed them (1/6, then 6/6).
    reveal = not own or attempt.passed or attempts_left == 0
    # After a pass, the learner's next module: the same rule as the picture dashboard's Next tile.
    following = next_module_for(current_user, catalogue, year, skip=module.id) if own and attempt.passed else None
    young = own and picture_first(current_user)
    next_url = None
    if young and attempt.passed:
        next_url = (continue_url(following, queries.lessons_read(current_user.id, following, year))
                    if following else url_for(".dashboard"))
    return render_template(
        "learning/attempt_ks1.html" if young else "learning/attempt.html", attempt=attempt, module=module,
        content=content, questions=questions, same_version=quiz is not None and quiz.version == attempt.quiz_version,
        own=own, attempts_left=attempts_left, status=status, reveal=reveal, next_module=following,
        next_content=catalogue.module_content(following.id, str(get_locale())) if following else None,
        next_url=next_url, daily_limit=daily_limit,
        next_step=adult_next_step_for(current_user, module, status, catalogue, year) if own else None,
    )
