"""The form to schedule a workshop."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from wtforms import DateField, IntegerField, SelectField, StringField, SubmitField, TimeField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from eduplatform.forms import BaseForm
from eduplatform.i18n import _, _l
from eduplatform.workshops.queries import to_utc

MIN_MINUTES, MAX_MINUTES = 15, 240
MAX_CAPACITY = 500


class WorkshopForm(BaseForm):
    """A workshop: module, day and start (in the school's time zone), length, link and/or room, places, host.

    Before validating, set ``hosts`` (host id -> their school id), ``time_zones`` (school id -> zone)
    and ``now`` (UTC). Administrators also choose the school (``school_id``); for everyone else the view
    deletes that field and sets ``own_school_id``. Once valid, :attr:`starts_at`/:attr:`ends_at` are UTC.
    """

    school_id = SelectField(_l("School"), coerce=int, validate_choice=True,
                            validators=[InputRequired(message=_l("Choose the school."))])
    module_id = SelectField(_l("Workshop"), validate_choice=True,
                            validators=[InputRequired(message=_l("Choose the workshop to run."))])
    day = DateField(_l("Date"), validators=[InputRequired(message=_l("Enter the date, such as 2026-11-12."))])
    start = TimeField(_l("Start time"), validators=[InputRequired(message=_l("Enter the start time, such as 18:30."))])
    minutes = IntegerField(_l("Length in minutes"), validators=[
        InputRequired(message=_l("Enter the length in minutes, such as 60.")),
        NumberRange(MIN_MINUTES, MAX_MINUTES, message=_l("Enter a length from %(min)s to %(max)s minutes.",
                                                         min=MIN_MINUTES, max=MAX_MINUTES))])
    meeting_url = StringField(_l("Online meeting link (optional)"), validators=[
        Optional(), Length(max=500, message=_l("Enter at most %(count)s characters.", count=500))])
    room = StringField(_l("Room (optional)"), validators=[
        Optional(), Length(max=200, message=_l("Enter at most %(count)s characters.", count=200))])
    capacity = IntegerField(_l("Places (optional)"), validators=[
        Optional(), NumberRange(1, MAX_CAPACITY, message=_l("Enter a number of places from 1 to %(max)s.",
                                                            max=MAX_CAPACITY))])
    host_id = SelectField(_l("Host"), coerce=int, validate_choice=True,
                          validators=[InputRequired(message=_l("Choose the member of staff who runs it."))])
    submit = SubmitField(_l("Schedule the workshop"))

    hosts: Mapping[int, int] = {}
    time_zones: Mapping[int, str] = {}
    now: datetime = datetime.min
    own_school_id: int | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None

    @property
    def chosen_school_id(self) -> int | None:
        return self.school_id.data if "school_id" in self else self.own_school_id

    def validate_meeting_url(self, field: Any) -> None:
        parts = urlsplit(field.data or "")
        if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in field.data):
            raise ValidationError(_("Enter the meeting link as a web address starting https://"))

    def validate_host_id(self, field: Any) -> None:
        if field.data is not None and self.hosts.get(field.data) != self.chosen_school_id:
            raise ValidationError(_("Choose a member of staff of this school as the host."))

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if not (self.meeting_url.data or self.room.data):
            self.room.errors = [*self.room.errors, _("Enter an online meeting link or a room (or both).")]
            valid = False
        school_id = self.chosen_school_id
        if self.day.data and self.start.data and school_id in self.time_zones:
            local = datetime.combine(self.day.data, self.start.data)
            self.starts_at = to_utc(local, self.time_zones[school_id])
            if self.starts_at <= self.now:
                self.start.errors = [*self.start.errors, _("The workshop must start in the future.")]
                valid = False
            if self.minutes.data and not self.minutes.errors:
                self.ends_at = self.starts_at + timedelta(minutes=self.minutes.data)
        return valid
