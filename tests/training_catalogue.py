"""A copy of the fixture catalogue with training rules, for the training compliance tests.

The fixture programme (``tests/fixtures/catalogue``) keeps its modules as they are for every other
test; this copy adds what the rules of ``curriculum/training.yaml`` need (a staff refresher and a DSL
module, when the fixture does not have them) and a ``training.yaml`` with the shipped rules' shapes:
induction once, the refresher every academic year, DSL training every 24 months, governors yearly,
the visitor agreement on each visit.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

from flask import Flask

from eduplatform import create_app
from eduplatform.db import db, upgrade_database
from tests.conftest import CATALOGUE, test_settings

TRAINING_RULES = """\
rules:
  - id: staff-induction
    module: staff-induction
    for: {roles: [staff, coordinator]}
    first_due_school_days: 20
    renew: never
  - id: staff-refresher
    module: staff-refresher
    for: {roles: [staff, coordinator]}
    first_due_school_days: 20
    renew: academic_year
    due_by: "10-31"
    also_counts: [staff-induction]
  - id: dsl-training
    module: staff-dsl
    for: {duties: [dsl, deputy_dsl]}
    first_due_school_days: 20
    renew: months
    renew_after_months: 24
  - id: governor-training
    module: governors-duties
    for: {roles: [governor]}
    first_due_school_days: 20
    renew: months
    renew_after_months: 12
  - id: visitor-agreement
    agreement: visitor-aup
    for: {roles: [visitor]}
    renew: each_visit
"""

_EXTRA_MODULES = {
    "staff-refresher": "Staff refresher",
    "staff-dsl": "DSL training",
}


def copy_training_catalogue(root: Path) -> Path:
    """Copy the fixture catalogue to ``root`` and give it the training rules; returns ``root``."""
    shutil.copytree(CATALOGUE, root)
    modules_file = root / "curriculum" / "modules" / "all.yaml"
    listed = modules_file.read_text(encoding="utf-8")
    for module_id, title in _EXTRA_MODULES.items():
        if f"id: {module_id}\n" in listed:
            continue
        listed += (f"  - id: {module_id}\n    audience: staff\n    strands: [privacy_security]\n"
                   f"    lessons: [{module_id}-one]\n    completion: [lessons]\n")
        folder = root / "content" / "en" / "modules" / module_id
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "module.yaml").write_text(f"title: {title}\nsummary: Fixture module {module_id}.\n",
                                            encoding="utf-8")
        (folder / f"{module_id}-one.md").write_text("---\ntitle: One\n---\nWhat to do.\n", encoding="utf-8")
    modules_file.write_text(listed, encoding="utf-8")
    (root / "curriculum" / "training.yaml").write_text(TRAINING_RULES, encoding="utf-8")
    return root


def training_app(folder: Path, database_url: str) -> Iterator[Flask]:
    """An app on the test database whose programme has the training rules (for a module-scoped fixture)."""
    catalogue = copy_training_catalogue(folder / "catalogue")
    settings = test_settings(folder / "instance", database_url)
    settings.update(CURRICULUM_PATH=str(catalogue / "curriculum"), CONTENT_PATH=str(catalogue / "content"))
    application = create_app(settings)
    with application.app_context():
        upgrade_database(db.engine)
    yield application
    application.extensions["eduplatform.db"].engine.dispose()
