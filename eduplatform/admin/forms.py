"""Forms for trusts, schools, school settings and a school's own help contacts."""

from __future__ import annotations

from wtforms import BooleanField, SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length

from eduplatform.forms import BaseForm
from eduplatform.i18n import _l


class TrustForm(BaseForm):
    """A trust's display name."""

    name = StringField(_l("Trust name"), validators=[Length(min=1, max=200, message=_l("Enter a name."))])
    submit = SubmitField(_l("Save"))


class SchoolSettingsForm(BaseForm):
    """What a school's coordinator (and an administrator) may change; ``name`` and ``trust`` are for administrators."""

    name = StringField(_l("School name"), validators=[Length(max=200)])
    trust_id = SelectField(_l("Trust"), validate_choice=True)
    #: One of the site's ``LOCALES`` (choices set by the view): for people who have not chosen their own.
    default_locale = SelectField(_l("Default language"), validate_choice=True)
    time_zone = StringField(_l("Time zone"), validators=[Length(max=64)])
    dsl_contact = TextAreaField(_l("How to reach the DSL and deputies (room, phone, times)"),
                                validators=[Length(max=1000)])
    sso_provider = SelectField(_l("Sign in with"), choices=[
        SelectChoice("", _l("Usernames and passwords only")), SelectChoice("google", "Google"),
        SelectChoice("microsoft", "Microsoft")])
    sso_domain = StringField(_l("Email domain of the school's accounts"), validators=[Length(max=253)])
    sso_tenant = StringField(_l("Microsoft only: directory (tenant) ID"), validators=[Length(max=64)])
    submit = SubmitField(_l("Save settings"))


class NewSchoolForm(BaseForm):
    """Creating a school: its name, short name, trust, language and time zone."""

    name = StringField(_l("School name"), validators=[Length(min=1, max=200, message=_l("Enter a name."))])
    slug = StringField(_l("Short name (lower-case letters, digits and hyphens, e.g. oakfield-primary)"),
                       validators=[Length(max=64)])
    trust_id = SelectField(_l("Trust"), validate_choice=True)
    default_locale = SelectField(_l("Default language"), validate_choice=True)
    time_zone = StringField(_l("Time zone"), default="Europe/London", validators=[Length(max=64)])
    submit = SubmitField(_l("Create the school"))


class HelpContactForm(BaseForm):
    """One of the school's own "Where to get help" contacts."""

    name = StringField(_l("Who"), validators=[Length(min=1, max=200, message=_l("Enter who the contact is."))])
    detail = TextAreaField(_l("How to reach them"), validators=[Length(min=1, max=1000,
                                                                       message=_l("Enter how to reach them."))])
    for_pupils = BooleanField(_l("Show to pupils"), default=True)
    for_adults = BooleanField(_l("Show to adults"), default=True)
    submit = SubmitField(_l("Add the contact"))
