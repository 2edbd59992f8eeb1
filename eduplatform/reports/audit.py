"""The yearly e-safety programme audit as one plain data object, built once and rendered many ways.

:class:`Audit` holds every figure (with the previous year's beside it), the lists (class signings,
most-missed questions, weakest strands), the self-review, the action plan and the sign-off. The
page, the PDF, the CSV and the JSON all render this object; the templates never query. Its JSON
form (:meth:`Audit.to_json`, schema ``docs/audit.schema.json``) is also what is frozen at sign-off,
so a signed audit reads back exactly as it was signed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

SCHEMA = "eduplatform.audit/1"
#: The sections of the report, in order (the self-review and sign-off follow them).
SECTIONS = ("summary", "programme", "agreements", "outcomes", "staff", "parents", "concerns", "filtering")


@dataclass(frozen=True)
class Figure:
    """One measured figure, for the whole report (``school`` None) or one school of a trust."""

    section: str
    measure: str
    audience: str | None = None
    #: The module, agreement or question the figure is about, when it is about one.
    item: str | None = None
    strand: str | None = None
    term: str | None = None
    school: str | None = None
    #: "percent" (0-100), "count", "score" (mean percentage of right answers) or "rating" (mean of
    #: answers from 1 to 5, one decimal: ``count`` is their sum and ``total`` how many answered).
    unit: str = "percent"
    value: float | None = None
    count: int | None = None
    total: int | None = None
    previous: float | None = None
    previous_count: int | None = None
    previous_total: int | None = None

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return round(self.value - self.previous, 1)


@dataclass(frozen=True)
class MissedQuestion:
    audience: str
    module: str
    question: str
    prompt: str
    #: Wrong answers to it this year, of all answers to it.
    wrong: int
    answered: int


@dataclass(frozen=True)
class Signing:
    school: str
    class_name: str
    agreement: str
    held_on: str
    witness: str
    pupils: int


@dataclass
class AspectReview:
    """One aspect of the self-review: the coordinator's level and words, and the drafted evidence."""

    aspect: str
    group: str
    title: str
    question: str
    levels: dict[str, str]
    level: int | None = None
    commentary: str = ""
    #: What the platform drafted from the records (empty when it holds none for this aspect).
    evidence_draft: str = ""
    #: The coordinator's edited evidence; None keeps the draft.
    evidence_edited: str | None = None

    @property
    def evidence(self) -> str:
        return self.evidence_edited if self.evidence_edited is not None else self.evidence_draft


@dataclass
class ActionItem:
    id: int | None
    action: str
    owner: str
    due_on: str | None
    done: bool


@dataclass
class SignOff:
    coordinator_name: str
    coordinator_signed_on: str
    chair_name: str
    chair_signed_on: str
    signed_at: str


@dataclass
class Audit:
    """Everything the yearly audit reports, for one school or a trust (with each school)."""

    year: int
    year_label: str
    previous_label: str
    #: ``{"slug", "name"}`` of the school, or of the trust for a roll-up.
    subject: dict[str, str]
    is_trust: bool
    #: The schools covered: ``[{"slug", "name"}]``.
    schools: list[dict[str, str]]
    generated_at: str
    #: Whether the year's programme came from its stored snapshot (else today's catalogue).
    programme_stored: bool
    figures: list[Figure]
    class_signings: list[Signing] = field(default_factory=list)
    missed_questions: list[MissedQuestion] = field(default_factory=list)
    #: Pupil audience -> its three weakest strands, weakest first.
    weakest_strands: dict[str, list[str]] = field(default_factory=dict)
    review: list[AspectReview] = field(default_factory=list)
    #: Group id -> group title, in order.
    review_groups: dict[str, str] = field(default_factory=dict)
    actions: list[ActionItem] = field(default_factory=list)
    sign_off: SignOff | None = None
    #: Display names used by the report: "audiences", "modules", "agreements", "strands", "terms", and
    #: "statements" (the words of each statement an outcome figure drills to, from curriculum/statements.yaml).
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    #: The order of audiences and of modules in the programme.
    audience_order: list[str] = field(default_factory=list)
    pupil_audiences: list[str] = field(default_factory=list)
    #: ``curriculum/audit.yaml`` as it was: which audience is staff, governors, parents...
    settings: dict[str, str] = field(default_factory=dict)
    #: Per school (by slug): its last filtering check on or before the audit's day (ISO date, or None)
    #: and its interval between checks in days (``check_days``); the counts are figures.
    filtering: dict[str, dict[str, Any]] = field(default_factory=dict)
    schema: str = SCHEMA

    @property
    def signed(self) -> bool:
        return self.sign_off is not None

    def figure(self, section: str, measure: str, audience: str | None = None, item: str | None = None,
               strand: str | None = None, school: str | None = None) -> Figure | None:
        """The figure with exactly these keys, or None when the audit has none."""
        return self._index().get((section, measure, audience, item, strand, school))

    def figures_of(self, section: str, measure: str | None = None, school: str | None = None) -> list[Figure]:
        return [f for f in self.figures if f.section == section and (measure is None or f.measure == measure)
                and f.school == school]

    def _index(self) -> dict[tuple[Any, ...], Figure]:
        cached = self.__dict__.get("_figure_index")
        if cached is None:
            cached = {(f.section, f.measure, f.audience, f.item, f.strand, f.school): f for f in self.figures}
            self.__dict__["_figure_index"] = cached
        return cached

    def label(self, kind: str, key: str | None) -> str:
        return self.labels.get(kind, {}).get(key or "", key or "")

    # --- JSON: the published form and the frozen form --------------------------------------------

    def to_json(self) -> dict[str, Any]:
        """Every figure and list as plain JSON data (schema ``docs/audit.schema.json``)."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["figures"] = [asdict(figure) for figure in self.figures]
        data["class_signings"] = [asdict(item) for item in self.class_signings]
        data["missed_questions"] = [asdict(item) for item in self.missed_questions]
        data["review"] = [asdict(item) for item in self.review]
        data["actions"] = [asdict(item) for item in self.actions]
        data["sign_off"] = asdict(self.sign_off) if self.sign_off else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Audit:
        if data.get("schema") != SCHEMA:
            raise ValueError(f"not an audit of schema {SCHEMA}: {data.get('schema')!r}")
        values = dict(data)
        values["figures"] = [Figure(**item) for item in data["figures"]]
        values["class_signings"] = [Signing(**item) for item in data["class_signings"]]
        values["missed_questions"] = [MissedQuestion(**item) for item in data["missed_questions"]]
        values["review"] = [AspectReview(**item) for item in data["review"]]
        values["actions"] = [ActionItem(**item) for item in data["actions"]]
        values["sign_off"] = SignOff(**data["sign_off"]) if data.get("sign_off") else None
        return cls(**values)


def percent(count: int | None, total: int | None) -> float | None:
    """``count`` of ``total`` as a percentage with one decimal, or None when there is nothing to count."""
    if not total or count is None:
        return None
    return round(100 * count / total, 1)
