"""The quiz form, built for each quiz from its questions. It never carries the correct answers."""

from __future__ import annotations

from typing import Any

from wtforms import HiddenField, RadioField, SelectChoice, SubmitField
from wtforms.validators import DataRequired, InputRequired, Regexp

from eduplatform.catalogue.model import Question, QuestionType, Quiz
from eduplatform.forms import BaseForm, CheckboxesField
from eduplatform.i18n import _, _l


def field_name(question: Question) -> str:
    return f"q_{question.id}"


def _choices(question: Question) -> list[SelectChoice]:
    if question.type is QuestionType.TRUE_FALSE:
        return [SelectChoice("true", _("True")), SelectChoice("false", _("False"))]
    return [SelectChoice(option.id, option.text or option.alt or option.id) for option in question.options]


class QuizFormBase(BaseForm):
    #: Issued with the page; the same token submitted twice is recorded once.
    submission_token = HiddenField(validators=[DataRequired(), Regexp(r"^[A-Za-z0-9_-]{16,64}$")])
    submit = SubmitField(_l("Submit my answers"))


def build_quiz_form(quiz: Quiz, **kwargs: Any) -> BaseForm:
    """A form with one field per question, named ``q_<question id>``, in quiz order."""

    class QuizForm(QuizFormBase):
        pass

    for question in quiz.questions:
        message = _("Answer this question before you submit.")
        if question.type is QuestionType.MULTIPLE:
            field: Any = CheckboxesField(question.prompt, choices=_choices(question),
                                         validators=[DataRequired(message=message)])
        else:
            field = RadioField(question.prompt, choices=_choices(question),
                               validators=[InputRequired(message=message)])
        setattr(QuizForm, field_name(question), field)
    return QuizForm(**kwargs)


def responses_from(form: BaseForm, quiz: Quiz) -> dict[str, list[str]]:
    """The chosen option ids per question id."""
    responses = {}
    for question in quiz.questions:
        data = form[field_name(question)].data
        responses[question.id] = list(data) if isinstance(data, list) else ([data] if data else [])
    return responses
