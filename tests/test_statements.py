"""Education for a Connected World statements: loading, the rules on who may name which statement,
coverage, and that every shipped pupil lesson and quiz question names the statements it teaches.

Loader cases edit a copy of ``tests/fixtures/catalogue`` (see tests/test_catalogue.py) with a small
``statements.yaml`` added; the last tests read the real ``curriculum/`` and ``content/``.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from eduplatform.catalogue import Catalogue, ContentError, Problem, load_catalogue
from eduplatform.catalogue.report import programme_problems
from eduplatform.catalogue.statement_coverage import (
    statement_coverage,
    statement_report_lines,
    unmapped_content,
    unmapped_pupil_problems,
)
from tests.test_catalogue import CY_MODULE, FIXTURE, STATIC, CatalogueCopy, build_url, show

REPO = Path(__file__).resolve().parents[1]

STATEMENTS = """\
statements:
  privacy_security:
    "7-11":
      priv-7-11-01: I can make a strong password and keep it private.
      priv-7-11-02: I can explain what personal information is.
    "4-7":
      priv-4-7-01: I can say which things about me are private.
    "14-18":
      priv-14-18-01: I can recognise scams.
  online_bullying:
    "7-11":
      bul-7-11-01: I can tell a trusted adult about online bullying.
"""

KS2_MODULE = "curriculum/modules/modules.yaml"
KS2_QUIZ = "content/en/modules/ks2-passwords/quiz.yaml"


@pytest.fixture
def copy(tmp_path: Path) -> CatalogueCopy:
    root = tmp_path / "catalogue"
    shutil.copytree(FIXTURE, root)
    copy = CatalogueCopy(root)
    copy.write("curriculum/statements.yaml", STATEMENTS)
    return copy


def _module_file(copy: CatalogueCopy) -> str:
    found = [str(path.relative_to(copy.root)) for path in (copy.root / "curriculum/modules").glob("*.yaml")
             if "id: ks2-passwords" in path.read_text()]
    assert len(found) == 1
    return found[0]


def _map_lesson(copy: CatalogueCopy, lesson_id: str, ids: str) -> None:
    copy.replace(_module_file(copy), "    lessons: [ks2-passwords-why, ks2-passwords-strong]\n",
                 f"    lessons: [ks2-passwords-why, ks2-passwords-strong]\n"
                 f"    lesson_statements:\n      {lesson_id}: {ids}\n")


def _map_ks2_lesson(copy: CatalogueCopy, ids: str) -> None:
    _map_lesson(copy, "ks2-passwords-why", ids)


def _map_ks2_question(copy: CatalogueCopy, question: str, strand: str, ids: str) -> None:
    text = copy.read(KS2_QUIZ)
    pattern = re.compile(rf"(  - id: {question}\n    type: \w+\n    strand: {strand}\n)")
    assert len(pattern.findall(text)) == 1, f"{question} with strand {strand} not in the fixture quiz"
    copy.write(KS2_QUIZ, pattern.sub(rf"\g<1>    statements: {ids}\n", text))


def _problems(copy: CatalogueCopy) -> list[Problem]:
    with pytest.raises(ContentError) as caught:
        copy.load()
    return caught.value.problems


def _has(problems: list[Problem], path: str, *fragments: str) -> bool:
    return any(problem.path == path and all(f in problem.message for f in fragments) for problem in problems)


def test_statements_and_mappings_are_loaded(copy: CatalogueCopy) -> None:
    _map_ks2_lesson(copy, "[priv-7-11-01, priv-7-11-02]")
    _map_ks2_question(copy, "q1", "privacy_security", "[priv-7-11-01]")
    _map_ks2_question(copy, "q3", "online_bullying", "[bul-7-11-01]")
    catalogue = copy.load()
    statement = catalogue.statements.by_id["priv-7-11-02"]
    assert (statement.strand, statement.age_band) == ("privacy_security", "7-11")
    assert [s.id for s in catalogue.statements.in_band("7-11")] == ["priv-7-11-01", "priv-7-11-02", "bul-7-11-01"]
    module = catalogue.modules["ks2-passwords"]
    assert module.lesson_statements == {"ks2-passwords-why": ("priv-7-11-01", "priv-7-11-02")}
    questions = {q.id: q for q in catalogue.module_content("ks2-passwords", "en").quiz.questions}
    assert questions["q1"].statements == ("priv-7-11-01",)
    assert questions["q3"].statements == ("bul-7-11-01",)
    assert questions["q2"].statements == ()


@pytest.mark.parametrize(("mistake", "path", "fragments"), [
    (lambda c: _map_ks2_lesson(c, "[priv-7-11-99]"), KS2_MODULE,
     ("ks2-passwords-why", "unknown statement 'priv-7-11-99'")),
    (lambda c: _map_ks2_question(c, "q1", "privacy_security", "[nope-7-11-01]"), KS2_QUIZ,
     ("question 'q1'", "unknown statement 'nope-7-11-01'")),
    # A KS2 question naming a statement for ages 4-7.
    (lambda c: _map_ks2_question(c, "q1", "privacy_security", "[priv-4-7-01]"), KS2_QUIZ,
     ("question 'q1'", "'priv-4-7-01' is for ages 4-7", "7-11")),
    (lambda c: _map_ks2_lesson(c, "[priv-14-18-01]"), KS2_MODULE, ("'priv-14-18-01' is for ages 14-18",)),
    # A bullying question naming a privacy statement: right band, wrong strand.
    (lambda c: _map_ks2_question(c, "q3", "online_bullying", "[priv-7-11-01]"), KS2_QUIZ,
     ("question 'q3'", "'priv-7-11-01' is in strand 'privacy_security'", "online_bullying")),
    (lambda c: _map_ks2_lesson(c, "[priv-7-11-01, priv-7-11-01]"), KS2_MODULE, ("listed twice",)),
    (lambda c: _map_ks2_lesson(c, "priv-7-11-01"), KS2_MODULE, ("must be a list of statement ids",)),
    (lambda c: _map_lesson(c, "ks2-passwords-gone", "[priv-7-11-01]"), KS2_MODULE,
     ("ks2-passwords-gone", "a lesson the module does not have")),
    # Governors oversee: their content names no statements.
    (lambda c: c.replace("content/en/modules/governors-duties/quiz.yaml", "  - id: q1\n    type: true_false\n"
                         "    strand: privacy_security\n", "  - id: q1\n    type: true_false\n"
                         "    strand: privacy_security\n    statements: [priv-7-11-01]\n"),
     "content/en/modules/governors-duties/quiz.yaml", ("'governors' content names no statements",)),
    (lambda c: c.append("curriculum/statements.yaml", "    \"7-12\":\n      bul-7-12-01: Wrong band.\n"),
     "curriculum/statements.yaml", ("'7-12' must be one of",)),
    (lambda c: c.append("curriculum/statements.yaml", "  made_up_strand:\n    \"4-7\":\n      x-4-7-01: Text.\n"),
     "curriculum/statements.yaml", ("unknown strand 'made_up_strand'",)),
    (lambda c: c.append("curriculum/statements.yaml", "    \"4-7\":\n      bul-7-11-02: Band in id is wrong.\n"),
     "curriculum/statements.yaml", ("id must be <prefix>-4-7-<NN>",)),
    (lambda c: c.append("curriculum/statements.yaml", "    \"4-7\":\n      priv-7-11-01: Again.\n".replace(
        "priv-7-11-01", "bul-4-7-01") + "  copyright_ownership:\n    \"7-11\":\n      priv-7-11-01: Duplicate.\n"),
     "curriculum/statements.yaml", ("duplicate statement id 'priv-7-11-01'",)),
])
def test_statement_mistake_is_reported_naming_the_file(copy: CatalogueCopy, mistake, path: str,
                                                       fragments: tuple[str, ...]) -> None:
    mistake(copy)
    if path == KS2_MODULE:
        path = _module_file(copy)
    problems = _problems(copy)
    assert _has(problems, path, *fragments), show(problems)


def test_staff_content_may_name_pupil_statements_of_any_band(copy: CatalogueCopy) -> None:
    copy.replace("content/en/modules/staff-induction/quiz.yaml", "  - id: q1\n    type: true_false\n"
                 "    strand: privacy_security\n", "  - id: q1\n    type: true_false\n"
                 "    strand: privacy_security\n    statements: [priv-4-7-01, priv-14-18-01]\n")
    question = copy.load().module_content("staff-induction", "en").quiz.questions[0]
    assert question.statements == ("priv-4-7-01", "priv-14-18-01")


def test_coverage_and_unmapped_counts(copy: CatalogueCopy) -> None:
    _map_ks2_lesson(copy, "[priv-7-11-02]")
    _map_ks2_question(copy, "q1", "privacy_security", "[priv-7-11-01]")
    catalogue = copy.load()
    ks2 = next(row for row in statement_coverage(catalogue) if row.audience_id == "ks2")
    assert (ks2.total, ks2.by_lessons, ks2.by_questions) == (3, {"priv-7-11-02"}, {"priv-7-11-01"})
    assert ks2.uncovered == ("bul-7-11-01",)
    unmapped = {row.audience_id: row for row in unmapped_content(catalogue)}
    assert unmapped["ks2"].lessons == ("ks2-passwords/ks2-passwords-strong",)
    assert "ks2-passwords/q1" not in unmapped["ks2"].questions and "ks2-passwords/q2" in unmapped["ks2"].questions
    assert "governors" not in unmapped
    problems = unmapped_pupil_problems(catalogue)
    assert "lesson 'ks2-passwords/ks2-passwords-strong' names no statement (curriculum/modules: lesson_statements)" \
        in problems
    assert not any("staff-induction" in problem for problem in problems)
    lines = statement_report_lines(catalogue)
    assert "  ks2  ages 7-11   lessons   1/3   questions   1/3   either   2/3" in lines
    assert "  ks2        lessons   1/2   questions   3/4" in lines
    assert "       uncovered: bul-7-11-01" in lines


# --------------------------------------------------------------------------------------------------
# The shipped programme
# --------------------------------------------------------------------------------------------------

def _shipped_pupil_modules() -> list[dict]:
    audiences = yaml.safe_load((REPO / "curriculum/audiences.yaml").read_text())["audiences"]
    pupils = {a["id"] for a in audiences if a["learners"] == "pupils"}
    return [module for path in sorted((REPO / "curriculum/modules").glob("*.yaml"))
            for module in yaml.safe_load(path.read_text())["modules"] if module["audience"] in pupils]


def test_shipped_statements_file_has_every_strand_and_band() -> None:
    data = yaml.safe_load((REPO / "curriculum/statements.yaml").read_text())["statements"]
    strands = yaml.safe_load((REPO / "curriculum/strands.yaml").read_text())["strands"]
    assert list(data) == strands
    for strand in strands:
        assert set(data[strand]) == {"4-7", "7-11", "11-14", "14-18"}, strand
        assert all(len(items) >= 2 for items in data[strand].values()), strand


def test_every_shipped_pupil_lesson_and_question_names_a_statement() -> None:
    """Read from the files (not the loaded catalogue), so another module's unfinished text cannot hide it."""
    missing = []
    for module in _shipped_pupil_modules():
        mapped = module.get("lesson_statements") or {}
        missing += [f"lesson {lesson}" for lesson in module.get("lessons") or [] if not mapped.get(lesson)]
        quiz = REPO / "content/en/modules" / module["id"] / "quiz.yaml"
        if module.get("quiz") and quiz.exists():
            missing += [f"{module['id']} question {q['id']}" for q in yaml.safe_load(quiz.read_text())["questions"]
                        if not q.get("statements")]
    assert not missing, "\n".join(missing)


def test_shipped_catalogue_statement_report(shipped_catalogue: Catalogue) -> None:
    lines = statement_report_lines(shipped_catalogue)
    bands = [line for line in lines if " ages " in line]
    assert [line.split()[0] for line in bands] == ["ks1", "ks2", "ks3", "ks4"]
    pupil_rows = [row for row in unmapped_content(shipped_catalogue) if row.audience_id.startswith("ks")]
    assert all(not row.lessons and not row.questions for row in pupil_rows)


@pytest.fixture(scope="module")
def shipped_catalogue() -> Catalogue:
    return load_catalogue(REPO / "curriculum", REPO / "content", STATIC, build_url)


def test_translated_question_must_name_the_fallback_statements(copy: CatalogueCopy) -> None:
    _map_ks2_question(copy, "q1", "privacy_security", "[priv-7-11-01]")
    copy.write("content/cy/modules/ks2-passwords/module.yaml", CY_MODULE)
    copy.write("content/cy/modules/ks2-passwords/quiz.yaml", copy.read(KS2_QUIZ))
    assert copy.load().module_content("ks2-passwords", "cy").quiz.questions[0].statements == ("priv-7-11-01",)
    copy.replace("content/cy/modules/ks2-passwords/quiz.yaml", "statements: [priv-7-11-01]",
                 "statements: [priv-7-11-02]")
    problems = _problems(copy)
    assert _has(problems, "content/cy/modules/ks2-passwords/quiz.yaml", "question 'q1'",
                "statements ['priv-7-11-02'] differ from 'en' ['priv-7-11-01']"), show(problems)


def test_check_content_prints_statement_coverage(app) -> None:
    result = app.test_cli_runner().invoke(args=["check-content"])
    assert "Statement coverage (Education for a Connected World" in result.output
    assert "Content naming no statement (lessons / questions):" in result.output
    assert "  ks2        lessons   2/2   questions   4/4" in result.output  # the fixture maps nothing


def test_an_unmapped_pupil_question_is_a_programme_problem(copy: CatalogueCopy) -> None:
    catalogue = copy.load()
    assert "question 'ks2-passwords/q1' names no statement (its quiz.yaml: statements)" in programme_problems(catalogue)
    copy.delete("curriculum/statements.yaml")  # a curriculum without statements asks for none
    assert not any("names no statement" in problem for problem in programme_problems(copy.load()))
