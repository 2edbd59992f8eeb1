"""The self-review framework and the audit settings in curriculum/: read, checked, every problem named."""

from __future__ import annotations

from pathlib import Path

from eduplatform.catalogue.files import Problems
from eduplatform.catalogue.self_review import KNOWN_DRAFTERS, read_audit_settings, read_self_review
from eduplatform.reports.evidence import DRAFTERS

ROOT = Path(__file__).parent.parent
LEVELS = "{1: a, 2: b, 3: c, 4: d, 5: e}"


def test_the_shipped_framework_loads_with_about_twenty_aspects_in_four_groups() -> None:
    problems = Problems(root=ROOT)
    review = read_self_review(ROOT / "curriculum", {"en": ROOT / "content" / "en"}, "en", problems)
    assert problems.found == []
    assert review.groups == ("policy_leadership", "infrastructure", "education", "standards_inspection")
    assert 18 <= len(review.aspects) <= 22
    for aspect in review.aspects:
        words = review.words_for(aspect.id, "en", "en")
        assert words.title and words.question and sorted(words.levels) == [1, 2, 3, 4, 5]


def test_every_drafter_the_curriculum_may_name_is_implemented() -> None:
    assert set(DRAFTERS) == KNOWN_DRAFTERS


def _write(folder: Path, structure: str, words: str) -> tuple[Path, dict[str, Path]]:
    (folder / "curriculum").mkdir()
    (folder / "content" / "en").mkdir(parents=True)
    (folder / "curriculum" / "self_review.yaml").write_text(structure)
    (folder / "content" / "en" / "self_review.yaml").write_text(words)
    return folder / "curriculum", {"en": folder / "content" / "en"}


def test_problems_are_reported_against_their_file(tmp_path: Path) -> None:
    curriculum, locales = _write(tmp_path, """
groups:
  - id: policy
    aspects:
      - id: one
        evidence: horoscopes
      - id: one
      - id: two
""", f"""
groups: {{policy: Policy}}
aspects:
  one: {{title: One, question: Q?, levels: {{1: a, 2: b}}}}
  three: {{title: Three, question: Q?, levels: {LEVELS}}}
""")
    problems = Problems(root=tmp_path)
    read_self_review(curriculum, locales, "en", problems)
    messages = [str(problem) for problem in problems.found]
    assert any("unknown evidence drafter 'horoscopes'" in m for m in messages)
    assert any("duplicate aspect id 'one'" in m for m in messages)
    assert any("levels must be exactly 1, 2, 3, 4 and 5" in m for m in messages)
    assert any("aspect 'three' is not in curriculum/self_review.yaml" in m for m in messages)
    assert any("aspect 'two': missing its title" in m for m in messages)


def test_audit_settings_must_name_what_exists(tmp_path: Path) -> None:
    (tmp_path / "audit.yaml").write_text("staff_refresher: no-such-module\nparent_audience: parents\nfoo: bar\n")
    problems = Problems(root=tmp_path)
    settings = read_audit_settings(tmp_path, {"module": {"staff-refresher"}, "agreement": set(),
                                              "audience": {"parents"}}, problems)
    messages = [str(problem) for problem in problems.found]
    assert dict(settings) == {"parent_audience": "parents"}
    assert any("no module 'no-such-module'" in m for m in messages)
    assert any("unknown key 'foo'" in m for m in messages)
