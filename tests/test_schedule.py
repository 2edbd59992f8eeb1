"""The yearly schedule: every module in one term of its audience, and the year's fixed events."""

from __future__ import annotations

import pytest

from eduplatform.catalogue.model import Term
from tests.test_catalogue import CatalogueCopy, copy  # noqa: F401 (the fixture)

SCHEDULE = """terms:
  ks1: {autumn: [ks1-asking]}
  ks2: {autumn: [ks2-passwords]}
  ks3: {spring: [ks3-footprint]}
  ks4: {spring: [ks4-scams]}
  staff: {autumn: [staff-induction]}
  governors: {summer: [governors-duties]}
  parents: {spring: [parents-home]}
  visitors: {autumn: [visitors-welcome]}
events:
  - id: safer-internet-day
    month: 2
    audiences: [ks2, parents]
    modules: [ks2-passwords]
  - id: staff-refresher
    month: 9
    audiences: [staff]
"""


def test_a_valid_schedule_places_every_module(copy: CatalogueCopy) -> None:  # noqa: F811
    copy.write("curriculum/schedule.yaml", SCHEDULE)
    schedule = copy.load().schedule
    assert schedule.term_of["ks3-footprint"] is Term.SPRING and len(schedule.term_of) == 8
    assert [e.id for e in schedule.events_for(frozenset({"ks2", "staff"}))] == ["staff-refresher",
                                                                                  "safer-internet-day"]
    assert schedule.events_for(frozenset({"ks1"})) == ()


@pytest.mark.parametrize(("old", "new", "message"), [
    ("ks2: {autumn: [ks2-passwords]}", "ks2: {autumn: []}", "module 'ks2-passwords' is in no term"),
    ("ks2: {autumn: [ks2-passwords]}", "ks2: {autumn: [ks2-passwords, ks1-asking]}",
     "module 'ks1-asking' is for 'ks1'"),
    ("ks2: {autumn: [ks2-passwords]}", "ks2: {autumn: [ks2-passwords], summer: [ks2-passwords]}",
     "module 'ks2-passwords' is in more than one term"),
    ("ks2: {autumn: [ks2-passwords]}", "ks2: {winter: [ks2-passwords]}", "unknown term 'winter'"),
    ("ks2: {autumn: [ks2-passwords]}", "ks2: {autumn: [ks2-passwords, ks2-nope]}", "unknown module 'ks2-nope'"),
    ("    month: 2", "    month: 13", "event #1 month: must be a whole number from 1 to 12"),
    ("    audiences: [ks2, parents]", "    audiences: [ks2, aliens]", "event #1: unknown audience 'aliens'"),
])
def test_schedule_mistakes_are_reported(copy: CatalogueCopy, old: str, new: str, message: str) -> None:  # noqa: F811
    copy.write("curriculum/schedule.yaml", SCHEDULE.replace(old, new))
    problems = copy.problems()
    assert any(p.path == "curriculum/schedule.yaml" and message in p.message for p in problems), problems


@pytest.mark.parametrize(("month", "term"), [(9, Term.AUTUMN), (12, Term.AUTUMN), (1, Term.SPRING),
                                             (3, Term.SPRING), (4, Term.SUMMER), (8, Term.SUMMER)])
def test_months_fall_in_their_term(month: int, term: Term) -> None:
    assert Term.containing(month) is term


def test_the_shipped_schedule_places_every_module_and_safer_internet_day(real_app) -> None:
    catalogue = real_app.extensions["eduplatform.catalogue"]
    assert set(catalogue.schedule.term_of) == set(catalogue.modules)
    events = {event.id: event for event in catalogue.schedule.events}
    assert events["safer-internet-day"].month == 2
    assert "staff-refresher" in events["staff-annual-refresher"].modules


def test_the_dashboard_groups_modules_by_term_with_the_years_dates(real_app) -> None:
    from eduplatform.db import db, upgrade_database
    from tests.conftest import Auth

    with real_app.app_context():
        upgrade_database(db.engine)
        from eduplatform.demo.seed import seed_demo

        seed_demo(password="demo-password", with_history=False)
        db.session.commit()
    client = real_app.test_client()
    Auth(client).login("pupil.ks2", "demo-password")
    page = client.get("/").get_data(as_text=True)
    assert "Autumn term" in page and "Spring term" in page and "Summer term" in page
    assert "February" in page and "Safer Internet Day" in page
