"""The error summary on long forms: "There is a problem", first on the page, a link to each bad field."""

from __future__ import annotations

import html
import re
from io import BytesIO
from typing import Any

import pytest

from eduplatform.roles import Role
from tests.conftest import PASSWORD, Auth

_SUMMARY = re.compile(r'<div class="error-summary"([^>]*)>(.*?)</div>', re.S)


def summary_links(page: str) -> list[str]:
    """The fields the page's error summary links to, after checking the box is built as it should be."""
    found = _SUMMARY.search(page)
    assert found, "no error summary on the page"
    attributes, body = found.groups()
    assert 'role="alert"' in attributes and 'tabindex="-1"' in attributes and "data-error-summary" in attributes
    assert "There is a problem" in body
    targets = re.findall(r'<a href="#([^"]+)">', body)
    for target in targets:  # every link lands on a real field of the page
        assert re.search(rf'<(input|select|textarea)[^>]*\bid="{re.escape(target)}"', page), target
    return targets


def first_in_content(page: str) -> bool:
    """The summary comes before the page's heading (after the flash messages), so it is met first."""
    return page.index('class="error-summary"') < page.index("<h1")


def test_pages_without_errors_have_no_summary(client, auth: Auth, make_user, school) -> None:
    auth.login(make_user(Role.COORDINATOR, Role.STAFF, school=school))
    for path in (f"/schools/{school.id}/people/new", f"/schools/{school.id}/settings", "/account/password",
                 "/roster/import"):
        assert "data-error-summary" not in client.get(path).get_data(as_text=True), path


def test_the_person_form_links_each_bad_field(client, auth: Auth, make_user, school) -> None:
    auth.login(make_user(Role.COORDINATOR, Role.STAFF, school=school))
    path = f"/schools/{school.id}/people/new"
    page = auth.post(path, {"first_name": "", "last_name": "Rahman", "email": "not-an-email", "roles": ["staff"],
                            "started_on": "next tuesday", "year_group": "", "class_id": ""},
                     token_from=path).get_data(as_text=True)
    assert summary_links(page) == ["first_name", "email", "started_on"]
    assert "First name: Enter a first name." in page
    assert first_in_content(page)


@pytest.mark.parametrize(("changes", "target", "message"), [
    ({"roles": []}, "roles-0", "Choose at least one role."),
    ({"roles": ["pupil"], "email": ""}, "year_group", "Choose the pupil's year group."),
    ({"children": "nobody.here", "roles": ["parent"]}, "children", "No pupil of this school has the username"),
])
def test_refusals_of_the_people_service_link_their_field_too(client, auth: Auth, make_user, school, changes: Any,
                                                             target: str, message: str) -> None:
    auth.login(make_user(Role.COORDINATOR, Role.STAFF, school=school))
    path = f"/schools/{school.id}/people/new"
    data = {"first_name": "Nadia", "last_name": "Rahman", "email": "n.rahman@oak.sch.uk", "roles": ["staff"],
            "username": "", "year_group": "", "class_id": "", "children": ""}
    data.update(changes)
    page = html.unescape(auth.post(path, data, token_from=path).get_data(as_text=True))
    assert summary_links(page) == [target]
    assert message in page
    assert 'class="flash flash-error"' not in page  # shown at the field, not twice


def test_editing_a_person_shows_the_summary(client, auth: Auth, make_user, school) -> None:
    auth.login(make_user(Role.COORDINATOR, Role.STAFF, school=school))
    person = make_user(Role.STAFF, school=school)
    path = f"/people/{person.id}/edit"
    page = auth.post(path, {"first_name": "", "last_name": "X", "email": "bad", "roles": ["staff"]},
                     token_from=path).get_data(as_text=True)
    assert summary_links(page) == ["first_name", "email"]


def test_school_settings_link_the_bad_setting(client, auth: Auth, make_user, school) -> None:
    auth.login(make_user(Role.COORDINATOR, Role.STAFF, school=school))
    path = f"/schools/{school.id}/settings"
    page = auth.post(path, {"default_locale": "en", "time_zone": "Mars/Olympus", "dsl_contact": "",
                            "sso_provider": "", "sso_domain": "", "sso_tenant": ""},
                     token_from=path).get_data(as_text=True)
    assert summary_links(page) == ["time_zone"]
    assert "Mars/Olympus is not a time zone" in page and first_in_content(page)


def test_a_new_school_links_each_bad_field(client, auth: Auth, make_user) -> None:
    auth.login(make_user(Role.ADMIN, username="the.admin"))
    page = auth.post("/admin/schools/new", {"name": "", "slug": "x" * 80, "trust_id": "", "default_locale": "en",
                                            "time_zone": "Europe/London"},
                     token_from="/admin/schools/new").get_data(as_text=True)
    assert summary_links(page) == ["name", "slug"]


def test_change_password_links_each_bad_field(client, auth: Auth, make_user, school) -> None:
    auth.login(make_user(Role.STAFF, school=school))
    page = auth.post("/account/password", {"current_password": "", "new_password": "short",
                                           "confirm_password": "other"},
                     token_from="/account/password").get_data(as_text=True)
    assert summary_links(page) == ["current_password", "new_password", "confirm_password"]
    wrong = auth.post("/account/password", {"current_password": "not-" + PASSWORD, "new_password": "a-new-password",
                                            "confirm_password": "a-new-password"},
                      token_from="/account/password").get_data(as_text=True)
    assert summary_links(wrong) == ["current_password"]


def test_the_roster_upload_links_the_missing_file(client, auth: Auth, make_user, school) -> None:
    auth.login(make_user(Role.COORDINATOR, Role.STAFF, school=school))
    page = auth.post("/roster/import", {"mode": "add"}, token_from="/roster/import").get_data(as_text=True)
    assert summary_links(page) == ["file"]
    bad_mode = auth.post("/roster/import", {"file": (BytesIO(b"a,b\n"), "people.csv"), "mode": "everything"},
                         token_from="/roster/import").get_data(as_text=True)
    assert summary_links(bad_mode) == ["mode-0"]  # a radio group: its first option


def test_the_agreement_form_links_the_name_and_each_unanswered_consent(client, auth: Auth, make_user, school,
                                                                       link) -> None:
    parent = make_user(Role.PARENT, school=school, first_name="Lucy", last_name="Patel")
    child = make_user(Role.PUPIL, school=school, year_group=5, first_name="Leo", last_name="Patel")
    link(parent, child)
    auth.login(parent)
    page = auth.post("/agreements/home-school-agreement/sign", {"typed_name": ""},
                     token_from="/agreements/home-school-agreement").get_data(as_text=True)
    assert summary_links(page) == [f"consent-{child.id}-photos-website-0", "typed_name"]
    assert "Leo P.: Photos on the school website: Choose yes or no.</a>" in page  # which child, which use
    assert ">Type your full name to sign.</a>" in page  # the message names the field already
    # The summary is the first thing in the form.
    form = page[page.index('class="panel sign-form"'):]
    assert form.index("data-error-summary") < form.index("consent-child")
