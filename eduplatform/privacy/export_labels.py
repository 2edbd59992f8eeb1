"""The words of a person's data export: a title for every table of the personal data map, a heading
for every column, and which columns are never copied out.

Safeguarding records (tables marked ``restricted``) are counted in an export, never laid out, so
they need no title or headings here.

Tests fail when a marked table has no title, a column of one has no heading, or a column whose name
says it holds a secret (hash, secret, token, lookup) is not in :data:`SECRET_COLUMNS`.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

#: Columns that are held but never exported: passwords, picture and code hashes, MFA secret, card
#: secret, session and form tokens, code lookups, a workshop's live join code.
SECRET_COLUMNS = frozenset({
    "password_hash", "picture_secret_hash", "mfa_secret", "mfa_last_step", "card_secret", "session_token",
    "code_hash", "lookup", "submission_token", "join_code",
})

#: Whole documents of the school stored beside a mention of someone (the programme of a year, the
#: frozen yearly audit): they are not about the person, so the export says so instead of copying them.
SCHOOL_DOCUMENT_COLUMNS = frozenset({"content", "frozen"})

TABLE_TITLES = {
    "user_account": _l("Your account"),
    "user_role": _l("Roles"),
    "user_duty": _l("Safeguarding duties"),
    "recovery_code": _l("Multi-factor sign-in recovery codes"),
    "setup_code": _l("Invitation codes to set up an account"),
    "parent_link": _l("Parents and children linked"),
    "class_member": _l("Classes as a pupil"),
    "class_teacher": _l("Classes taught"),
    "picture_sign_in_attempt": _l("Picture sign-in tries"),
    "lesson_read": _l("Lessons read"),
    "quiz_attempt": _l("Quiz attempts"),
    "quiz_answer": _l("Quiz answers"),
    "module_completion": _l("Modules started and completed"),
    "certificate": _l("Certificates"),
    "external_training": _l("Training done elsewhere"),
    "reminder_sent": _l("Training reminders sent"),
    "agreement_signature": _l("Agreements signed"),
    "consent_decision": _l("Consent decisions"),
    "attendance": _l("Sessions and workshops held"),
    "attendee": _l("Sessions and workshops attended"),
    "workshop": _l("Workshops"),
    "workshop_registration": _l("Workshop places"),
    "workshop_feedback": _l("Workshop feedback"),
    "roster_import": _l("Roster imports"),
    "roster_change": _l("Changes made by roster imports"),
    "programme_snapshot": _l("The school's programme for a year"),
    "audit_review": _l("Yearly audits signed"),
    "audit_aspect_rating": _l("Yearly audit ratings"),
    "audit_event": _l("The audit log"),
    "filtering_record": _l("Filtering and monitoring records"),
}

#: Fields of a record stored inside a row (a roster change keeps the person as they were) that are
#: not columns of a table, or mean something else there.
STORED_KEY_HEADINGS = {
    "roles": _l("Roles"), "duties": _l("Safeguarding duties"), "year": _l("Academic year"),
    "classes": _l("Classes as a pupil"), "teaching": _l("Classes taught"), "children": _l("Children"),
}

COLUMN_HEADINGS = {
    "academic_year": _l("Academic year"), "action": _l("Action"), "actor_id": _l("Done by"),
    "address": _l("Network address"), "agreement_id": _l("Agreement"), "agreement_version": _l("Agreement version"),
    "aspect_id": _l("Aspect"), "at": _l("When"), "attempt_count": _l("Attempts"), "attempt_id": _l("Attempt"),
    "attempted_at": _l("Tried at"), "attendance_id": _l("Session"), "attendance_method": _l("How attendance was taken"),
    "attended_at": _l("Attended at"), "avatar": _l("Picture"), "before": _l("Before the change"),
    "best_percent": _l("Best score (%)"), "cancelled_at": _l("Cancelled at"), "capacity": _l("Places"),
    "card_secret": _l("Login card secret"), "chair_name": _l("Chair of governors"),
    "chair_signed_on": _l("Chair signed on"), "change": _l("What would you change"), "child_id": _l("Child"),
    "class_id": _l("Class"), "code": _l("Code"), "code_hash": _l("Code (hashed)"), "commentary": _l("Commentary"),
    "completed_at": _l("Completed at"), "completed_on": _l("Completed on"), "consent_id": _l("Consent item"),
    "content": _l("Programme"), "coordinator_id": _l("Coordinator"), "coordinator_name": _l("Coordinator's name"),
    "coordinator_signed_on": _l("Coordinator signed on"), "created": _l("People added"),
    "created_at": _l("Created at"), "created_by_id": _l("Created by"), "decided_at": _l("Decided at"),
    "details": _l("Details"), "disabled_at": _l("Disabled at"), "duty": _l("Duty"), "email": _l("Email"),
    "ends_at": _l("Ends at"), "erased_at": _l("Erased at"), "evidence": _l("Evidence"),
    "expires_at": _l("Expires at"), "expires_on": _l("Expires on"), "external_id": _l("School system id"),
    "failed_sign_ins": _l("Failed sign-ins in a row"), "filename": _l("File name"),
    "first_name": _l("First name"), "first_percent": _l("First attempt score (%)"),
    "first_password_issued_at": _l("First password issued at"),
    "frozen": _l("Signed audit"), "given": _l("Given"), "given_at": _l("Given at"), "held_at": _l("Held at"),
    "host_id": _l("Host"), "id": _l("Number"), "import_id": _l("Import"), "imported_at": _l("Imported at"),
    "imported_by_id": _l("Imported by"), "invited_at": _l("Invitations sent at"),
    "invited_count": _l("Invitations sent"), "is_correct": _l("Correct"), "issued_at": _l("Issued at"),
    "issued_by_id": _l("Issued by"), "join_code": _l("Join code"), "kind": _l("Kind"), "last_name": _l("Last name"),
    "led_by_id": _l("Led by"), "left": _l("People who left"), "left_at": _l("Left at"), "lesson_id": _l("Lesson"),
    "lesson_version": _l("Lesson version"), "level": _l("Level"), "locale": _l("Language"),
    "lookup": _l("Code lookup"), "max_score": _l("Out of"), "meeting_url": _l("Meeting link"),
    "method": _l("How"), "mfa_last_step": _l("Last multi-factor code"), "mfa_secret": _l("Multi-factor secret"),
    "mode": _l("Mode"), "module_id": _l("Module"), "module_version": _l("Module version"),
    "must_change_password": _l("Must change password"), "note": _l("Note"), "parent_id": _l("Parent or carer"),
    "passed": _l("Passed"), "password_hash": _l("Password (hashed)"), "percent": _l("Score (%)"),
    "picture_secret_hash": _l("Sign-in pictures (hashed)"), "position": _l("Question number"),
    "provider": _l("Provider"), "question_id": _l("Question"), "quiz_id": _l("Quiz"),
    "quiz_version": _l("Quiz version"), "read_at": _l("Read at"), "reason": _l("Reason"),
    "recorded_at": _l("Recorded at"), "recorded_by_id": _l("Recorded by"), "registered_at": _l("Registered at"),
    "reminded_at": _l("Reminded at"), "review_id": _l("Audit"), "role": _l("Role"), "room": _l("Room"),
    "rows": _l("Rows"), "rule_id": _l("Training rule"), "school_id": _l("School"), "score": _l("Score"),
    "score_percent": _l("Score (%)"), "selected": _l("Answers chosen"), "sent_at": _l("Sent at"),
    "sent_by": _l("Sent by"), "sent_on": _l("Sent on"), "session_token": _l("Session token"),
    "shown_options": _l("Answers shown, in order"),
    "sign_in_blocked_until": _l("Sign-in paused until"), "signed_at": _l("Signed at"),
    "started_at": _l("Started at"), "started_on": _l("Started on"), "starts_at": _l("Starts at"),
    "status": _l("Status"), "strand": _l("Strand"), "subject_user_id": _l("About"),
    "submission_token": _l("Submission token"), "submitted_at": _l("Submitted at"), "succeeded": _l("Succeeded"),
    "superseded_by_id": _l("Replaced by certificate"), "taken_at": _l("Taken at"), "taken_by_id": _l("Taken by"),
    "trust_id": _l("Trust"), "typed_name": _l("Name typed"), "unchanged": _l("People unchanged"),
    "undone_at": _l("Undone at"), "undone_by_id": _l("Undone by"), "updated": _l("People updated"),
    "updated_at": _l("Updated at"), "updated_by_id": _l("Updated by"), "used_at": _l("Used at"),
    "usefulness": _l("How useful (1-5)"), "user_id": _l("Person"), "username": _l("Username"),
    "witness_id": _l("Witness"), "workshop_id": _l("Workshop"), "year_group": _l("Year group"),
    # The filtering and monitoring logs.
    "done_on": _l("Done on"), "what": _l("What"), "result": _l("Result"), "requested_by": _l("Asked for by"),
    "approved_by": _l("Approved by"), "with_whom": _l("With whom"), "follow_up": _l("Follow-up"),
    "reviewed_on": _l("Reviewed on"),
}
