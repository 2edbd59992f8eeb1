"""A workshop as an iCalendar file (``.ics``) for "Add to my calendar".

One VEVENT whose start and end carry the school's time zone (TZID, with its VTIMEZONE), so a calendar
shows the right wall-clock time on both sides of a clock change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import icalendar

from eduplatform.academic_year import zone
from eduplatform.workshops.models import Workshop


@dataclass(frozen=True)
class CalendarText:
    """What the event says, already in the reader's language."""

    summary: str
    description: str
    #: The workshop's page on this site.
    url: str
    #: The domain the event's UID is made unique in (the site's host name).
    host: str


def workshop_ics(workshop: Workshop, time_zone: str, text: CalendarText) -> bytes:
    """The workshop as an iCalendar file; the start and end in ``time_zone`` (the school's)."""
    tz = zone(time_zone)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//eduplatform//workshops//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = icalendar.Event()
    event.add("uid", f"workshop-{workshop.id}@{text.host}")
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", workshop.starts_at.replace(tzinfo=UTC).astimezone(tz))
    event.add("dtend", workshop.ends_at.replace(tzinfo=UTC).astimezone(tz))
    event.add("summary", text.summary)
    event.add("description", text.description)
    event.add("url", text.url)
    location = ", ".join(part for part in (workshop.room, workshop.meeting_url) if part)
    event.add("location", location)
    if workshop.cancelled_at is not None:
        event.add("status", "CANCELLED")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
