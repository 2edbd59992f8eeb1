"""The demo school's concern log and its filtering and monitoring logs, dated on purpose.

Everything is written through :mod:`eduplatform.concerns.services` (the same writes the site's
pages make), then dated, as the training history is. The people are invented and the events are
fictional, written for the demo. The story, for Oakfield:

* last year, three concerns, all closed with their actions and outcomes;
* this year, six: two closed, two open with an action each, one new from a Year 5 pupil that nobody
  has opened yet, and one "happening now" from a parent an hour ago (new, so first in the log);
* the DSL (``dsl``) handles most of them; the deputy (``teacher``) some;
* filtering: a check each term for the past year with the governor responsible (``governor``), and a
  few changes to what is blocked or allowed, with who asked, who approved and when it was reviewed.

Read receipts are written as :func:`eduplatform.concerns.services.mark_read` writes them (and logged
the same way), but in the seeding job's own transaction: ``mark_read`` writes in a short transaction
of its own, meant for a GET, which a job already holding the write lock cannot open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from eduplatform.academic_year import AcademicYear, zone
from eduplatform.accounts.models import ParentLink, User, UserRole
from eduplatform.audit.models import AuditAction, AuditEvent
from eduplatform.audit.services import record_event
from eduplatform.concerns.models import Concern, ConcernRead, ConcernStatus, FilteringKind
from eduplatform.concerns.services import add_action, close_concern, record_filtering, report_concern
from eduplatform.db import db, utcnow
from eduplatform.roles import Role
from eduplatform.schools.models import School
from eduplatform.schools.years import time_zone_of


@dataclass(frozen=True)
class Step:
    """Something a DSL did, ``days`` after the report: ``who`` is ``dsl`` or ``deputy``."""

    days: int
    who: str
    what: str
    outcome: str | None = None


@dataclass(frozen=True)
class Story:
    """One demo concern: when (``year`` 0 this year, -1 last; ``when`` the share of the year gone by),
    who reported it (``staff``, ``pupil`` or ``parent``) about a pupil of ``year_group``, what they
    said, what was done, and the outcome when closed (None: still open)."""

    year: int
    when: float
    category: str
    reporter: str
    year_group: int
    text: str
    steps: tuple[Step, ...] = ()
    closed: tuple[int, str] | None = None
    happening_now: bool = False
    talk_to: str | None = None
    read: bool = True


STORIES: tuple[Story, ...] = (
    Story(-1, 0.2, "cyberbullying", "pupil", 6,
          "People in my class made a group chat without me and they put a photo of me in it with mean words. "
          "It makes me not want to come in.",
          (Step(0, "dsl", "Talked with the pupil at lunchtime; agreed they can come to the office if it "
                          "happens again.", "Pupil named the group and who set it up."),
           Step(1, "dsl", "Met the pupils who made the group with their class teacher; their parents were "
                          "phoned.", "Group deleted; the photo was removed from every phone we were shown.")),
          (12, "Pupil says things are better; class teacher checking in weekly until half term."),
          talk_to="dsl"),
    Story(-1, 0.45, "radicalisation", "staff", 10,
          "In computing a pupil was watching videos from a channel that blames one religion for crime and "
          "said the channel 'tells the truth'. He has said similar things twice this week.",
          (Step(0, "dsl", "Spoke to the pupil with his form tutor; he was open about what he watches.",
                "Shared the school's Prevent concern form with the local authority Prevent lead."),
           Step(6, "dsl", "Prevent lead advised support in school, not a Channel referral.",
                "Mentoring with the head of RE for six weeks; parents met and agreed.")),
          (45, "Mentoring finished; no further concerns from staff. Parents thanked the school.")),
    Story(-1, 0.7, "indecent_images", "staff", 9,
          "A pupil told me an older student at another school has been sending images to a group chat "
          "she is in. She has not opened them and did not show me.",
          (Step(0, "deputy", "Did not view or copy anything. Thanked the pupil; told her she has done "
                             "nothing wrong.", None),
           Step(0, "dsl", "Reported to police through 101 with the details the pupil gave; parents "
                          "informed the same day.", "Police reference recorded in the paper file."),
           Step(3, "dsl", "Police confirmed they have contacted the other school.", None)),
          (20, "Police dealt with the sender; the pupil has left the group chat and knows about Report Remove.")),
    Story(0, 0.1, "cyberbullying", "staff", 8,
          "Two pupils came to me after PE: another pupil has been posting edited pictures of them on a gaming "
          "server with jokes about their weight.",
          (Step(0, "deputy", "Talked with both pupils and saved the links they showed me.",
                "The server is one a Year 9 pupil runs."),
           Step(2, "dsl", "Met the Year 9 pupil and his parents; he took the pictures down in the meeting.",
                "Sanction under the behaviour policy; apology letters written.")),
          (10, "Both pupils say it has stopped; staff on the server's game club will keep an eye out.")),
    Story(0, 0.3, "nudes", "staff", 10,
          "A pupil told me a photo of her that she sent to her boyfriend has been shared around Year 10. "
          "She is very upset. I have not seen the image.",
          (Step(0, "dsl", "Followed the school's procedure: nobody viewed, copied or forwarded the image; "
                          "talked with the pupil in a private room.",
                "Parents told with her agreement; she chose to use Report Remove with us."),
           Step(1, "dsl", "Report Remove request made with the pupil; spoke to the pupils named as sharing.",
                "They deleted it in front of staff; parents of each informed.")),
          (15, "Image reported and hashed; the pupil is supported by the school counsellor every week.")),
    Story(0, 0.5, "inappropriate_content", "pupil", 7,
          "A video came up on my feed that showed someone getting hurt and I cannot stop thinking about it.",
          (Step(1, "deputy", "Talked with the pupil; showed her how to report and hide content on the app.",
                "She is sleeping badly; her mum has been phoned."),),
          talk_to="teacher"),
    Story(0, 0.7, "online_hate", "staff", 9,
          "Comments under the school football team's video are racist about one of our players.",
          (Step(0, "dsl", "Reported every comment to the platform and saved screenshots without names of "
                          "pupils in them.", "Two accounts have been removed so far."),)),
    Story(0, 0.9, "something_else", "pupil", 5,
          "someone in a game keeps saying I can have free skins if I give them my password and they wont stop "
          "messaging me",
          talk_to="dsl", read=False),
    Story(0, 1.0, "grooming", "parent", 6,
          "An adult my son met in an online game is asking him right now to move to a private chat app and "
          "to keep it secret from us. We have taken the tablet away and kept the messages.",
          happening_now=True, read=False),
)

#: The filtering checks of the past year: (months ago, what was tried, the result, any follow-up).
CHECKS: tuple[tuple[int, str, str, str | None], ...] = (
    (11, "Tried the test pages for each blocked category from a pupil laptop and a staff laptop.",
     "All blocked for pupils; staff could open a gambling site.", "Gambling blocked for staff too (see change)."),
    (8, "Checked the monitoring alerts: typed test phrases on a Year 8 account.",
     "Alerts reached the DSL's inbox within 10 minutes.", None),
    (4, "Termly check from the library computers and the Year 5 iPads.",
     "All test pages blocked; search is locked to safe search on the iPads.", None),
    (1, "Checked the filtering on the guest Wi-Fi that visitors use.",
     "The guest Wi-Fi was not filtered.", "Guest Wi-Fi now goes through the same filter; checked again the next day."),
)

#: Changes to what is blocked or allowed: (months ago, what, why, asked by, approved by, reviewed months later).
CHANGES: tuple[tuple[int, str, str, str, str, int | None], ...] = (
    (11, "Blocked gambling sites for staff accounts as well as pupils.", "Found in the termly check.",
     "The DSL, after the check", "Headteacher", 3),
    (6, "Allowed a block-coding site for Year 7 computing lessons.", "Needed for the programming unit.",
     "Head of computing", "The DSL", 5),
    (2, "Blocked an anonymous question app pupils were using to send unkind messages.",
     "Came up in a cyberbullying concern.", "The deputy DSL", "The DSL", None),
)


def _first_pupil(school: School, year_group: int, taken: set[int]) -> User:
    """The first demo pupil of the year group (by id) not already used, and not a named account."""
    found = db.session.scalars(select(User).join(UserRole, UserRole.user_id == User.id).where(
        User.school_id == school.id, UserRole.role == Role.PUPIL, User.year_group == year_group,
        User.username.not_like("pupil.%"), User.id.not_in(taken or {0})).order_by(User.id)).first()
    assert found is not None, year_group
    taken.add(found.id)
    return found


def _parent_and_child(school: School, year_group: int, taken: set[int]) -> tuple[User, User]:
    """A demo parent (not the named ``parent``) and their child, in ``year_group`` if one has a parent."""
    rows = db.session.execute(select(ParentLink.parent_id, ParentLink.child_id).join(
        User, User.id == ParentLink.child_id).where(User.school_id == school.id)
        .order_by(User.year_group != year_group, User.id)).all()
    named = db.session.scalar(select(User.id).where(User.username == "parent"))
    parent_id, child_id = next((p, c) for p, c in rows if p != named and c not in taken)
    taken.add(child_id)
    return db.session.get(User, parent_id), db.session.get(User, child_id)  # type: ignore[return-value]


class DemoConcerns:
    """Writes the demo school's concern log and filtering logs; see the module's story."""

    def __init__(self, school: School, *, dsl: User, deputy: User, reporters: list[User], governor: User,
                 coordinator: User, today: date):
        self.school, self.dsl, self.deputy, self.governor = school, dsl, deputy, governor
        self.coordinator, self.reporters, self.today = coordinator, reporters, today
        self.zone = time_zone_of(school)
        self.this_year = AcademicYear.containing(today)

    def _moment(self, day: date, hour: int, minute: int = 0) -> datetime:
        local = datetime.combine(day, time(hour, minute)).replace(tzinfo=zone(self.zone))
        return min(local.astimezone(UTC).replace(tzinfo=None), utcnow())

    def _day(self, story: Story) -> date:
        year = self.this_year.shifted(story.year)
        end = min(year.last_day, self.today)
        return year.first_day + timedelta(days=int((end - year.first_day).days * story.when))

    def write(self) -> None:
        taken: set[int] = set()
        for number, story in enumerate(STORIES):
            self._write_story(number, story, taken)
        self._write_filtering()
        db.session.flush()

    def _write_story(self, number: int, story: Story, taken: set[int]) -> None:
        if story.reporter == "parent":
            reporter, about = _parent_and_child(self.school, story.year_group, taken)
        elif story.reporter == "pupil":
            reporter = about = _first_pupil(self.school, story.year_group, taken)
        else:
            reporter, about = self.reporters[number % len(self.reporters)], _first_pupil(
                self.school, story.year_group, taken)
        concern = report_concern(reporter, category=story.category, text=story.text, about_id=about.id,
                                 happening_now=story.happening_now, talk_to=story.talk_to)
        day = self._day(story)
        reported = (utcnow() - timedelta(hours=1) if story.happening_now
                    else self._moment(day, 10 + number % 5, 5 * number))
        concern.reported_at = reported
        if not story.read:
            return
        first = min(reported + timedelta(minutes=40), utcnow())
        self._read(concern, self.dsl, first)
        if story.steps and any(step.who == "deputy" for step in story.steps):
            self._read(concern, self.deputy, min(first + timedelta(minutes=10), utcnow()))
        concern.first_read_at = first
        concern.status = ConcernStatus.OPEN.value
        last = first
        for order, step in enumerate(story.steps):
            by = self.dsl if step.who == "dsl" else self.deputy
            action = add_action(concern, by, what=step.what, outcome=step.outcome)
            planned = self._moment(min(day + timedelta(days=step.days), self.today), 11 + order, 30)
            action.at = last = min(max(planned, last + timedelta(minutes=30)), utcnow())
        if story.closed is not None:
            days, outcome = story.closed
            close_concern(concern, self.dsl, outcome=outcome)
            planned = self._moment(min(day + timedelta(days=days), self.today), 16)
            concern.closed_at = min(max(planned, last + timedelta(hours=1)), utcnow())

    def _read(self, concern: Concern, reader: User, at: datetime) -> None:
        """What :func:`mark_read` records: the receipt and the audit-log entry (dated when read)."""
        db.session.add(ConcernRead(concern_id=concern.id, reader_id=reader.id, read_at=at))
        record_event(AuditAction.CONCERN_READ, actor=reader, school_id=self.school.id,
                     details={"concern_id": concern.id})
        entry = db.session.scalars(select(AuditEvent).where(AuditEvent.action == AuditAction.CONCERN_READ.value)
                                   .order_by(AuditEvent.id.desc())).first()
        if entry is not None:
            entry.at = at

    def _months_ago(self, months: int) -> date:
        day = self.today - timedelta(days=round(months * 30.4))
        while day.weekday() >= 5:  # schools check on school days
            day -= timedelta(days=1)
        return day

    def _write_filtering(self) -> None:
        with_whom = f"{self.governor.full_name} (the governor responsible) and the IT technician"
        for months, what, result, follow_up in CHECKS:
            record = record_filtering(self.school.id, self.dsl, kind=FilteringKind.CHECK,
                                      done_on=self._months_ago(months), what=what, result=result,
                                      with_whom=with_whom, follow_up=follow_up)
            record.recorded_at = self._moment(record.done_on, 15)
        for months, what, why, asked, approved, reviewed in CHANGES:
            done_on = self._months_ago(months)
            record = record_filtering(
                self.school.id, self.coordinator, kind=FilteringKind.CHANGE, done_on=done_on, what=what, result=why,
                requested_by=asked, approved_by=approved,
                reviewed_on=None if reviewed is None else min(done_on + timedelta(days=reviewed * 30), self.today))
            record.recorded_at = self._moment(done_on, 13)
