"""The immutable content catalogue: what the curriculum and content files describe.

Structure (audiences, modules, agreements) is language-neutral and comes from ``curriculum/``;
the words learners read come from ``content/<locale>/`` with a fallback to the default locale.
Every lesson, quiz and agreement text carries a ``version``: a hash of its source file, which the
records store so we always know which text someone read, answered or signed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from markupsafe import Markup

from eduplatform.catalogue.concerns import EMPTY_CONCERNS, ConcernCatalogue
from eduplatform.catalogue.sections import LessonSection
from eduplatform.catalogue.self_review import EMPTY_SELF_REVIEW, SelfReview
from eduplatform.catalogue.statements import EMPTY_STATEMENTS, StatementCatalogue
from eduplatform.catalogue.training import TrainingRule


class Learners(StrEnum):
    PUPILS = "pupils"
    ADULTS = "adults"


class QuestionType(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUE_FALSE = "true_false"
    PICTURE = "picture"


class Requirement(StrEnum):
    """One part of a module's completion rule."""

    #: Every lesson of the module has been read.
    LESSONS = "lessons"
    #: The quiz has been passed at the module's pass mark.
    QUIZ = "quiz"
    #: The module's agreement has been signed (its current version).
    AGREEMENT = "agreement"
    #: Someone else records attendance (a teacher-led session or a workshop).
    ATTENDANCE = "attendance"


class Signing(StrEnum):
    """How an agreement is signed."""

    TICK = "tick"
    TYPED_NAME = "typed_name"


class Term(StrEnum):
    """The three terms of the English school year."""

    AUTUMN = "autumn"
    SPRING = "spring"
    SUMMER = "summer"

    @classmethod
    def containing(cls, month: int) -> Term:
        """The term a month falls in: September-December, January-March, April-August."""
        if month >= 9:
            return cls.AUTUMN
        return cls.SPRING if month <= 3 else cls.SUMMER


@dataclass(frozen=True)
class ProgrammeEvent:
    """A fixed point of the yearly programme (Safer Internet Day, the staff refresher)."""

    id: str
    month: int
    audiences: frozenset[str]
    modules: tuple[str, ...]


@dataclass(frozen=True)
class Schedule:
    """Which term each module is done in, and the year's fixed events."""

    term_of: Mapping[str, Term]
    events: tuple[ProgrammeEvent, ...]

    def events_for(self, audience_ids: frozenset[str]) -> tuple[ProgrammeEvent, ...]:
        """Events of the given audiences, in academic-year order (September first)."""
        found = [event for event in self.events if event.audiences & audience_ids]
        return tuple(sorted(found, key=lambda event: (event.month - 9) % 12))


@dataclass(frozen=True)
class Audience:
    """A group of learners: a pupil key stage by year groups, or an adult group by roles."""

    id: str
    learners: Learners
    #: Pupils: the year groups it covers (-1 Nursery, 0 Reception, 1-13).
    year_groups: frozenset[int]
    #: Adults: the roles it covers.
    roles: frozenset[str]
    #: The age band of the Education for a Connected World framework, e.g. "7-11".
    age_band: str | None
    order: int
    #: Adults: the safeguarding duties whose holders belong too (the DSL's audience: ``dsl``, ``deputy_dsl``).
    duties: frozenset[str] = frozenset()
    #: Percentage needed to pass its modules' quizzes, unless a module sets its own (``audiences.yaml``).
    pass_mark: int | None = None
    #: Quiz attempts allowed per module per day (adults); None means no daily limit.
    attempts_per_day: int | None = None


@dataclass(frozen=True)
class Module:
    """A unit of the programme for one audience (structure only; words are in ModuleContent)."""

    id: str
    audience: str
    strands: tuple[str, ...]
    outcomes: tuple[str, ...]
    lesson_ids: tuple[str, ...]
    has_quiz: bool
    agreement_id: str | None
    completion: frozenset[Requirement]
    #: Percentage needed to pass the quiz: the module's own, else its audience's, else 80.
    pass_mark: int
    #: Quiz attempts allowed per academic year; None means no limit.
    max_attempts: int | None
    #: How long a completion stays valid, in months (12: every year; 24: every two years).
    renewal_months: int
    order: int
    #: Parents' workshops: the year groups of the children it is for (empty: for every parent).
    child_year_groups: frozenset[int] = frozenset()
    #: Lesson id -> the Education for a Connected World statement ids it teaches (``statements.yaml``).
    lesson_statements: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: Questions drawn from the quiz's bank for each attempt; None: every question, every time.
    questions_per_attempt: int | None = None
    #: Quiz attempts allowed per day (from the audience unless the module sets it); None: no daily limit.
    attempts_per_day: int | None = None

    def suits_children_in(self, year_groups: frozenset[int]) -> bool:
        """Whether the module is for a parent whose children are in ``year_groups`` (always, when
        the module names no year groups or none of the children's year groups is known)."""
        return not self.child_year_groups or not year_groups or bool(self.child_year_groups & year_groups)


@dataclass(frozen=True)
class Lesson:
    id: str
    module_id: str
    title: str
    html: Markup
    #: The lesson as plain text (read-aloud, reading-level checks).
    text: str
    version: str
    locale: str
    #: The lesson cut at its headings for the board, each part with the teacher's discussion prompt.
    sections: tuple[LessonSection, ...] = ()
    #: The kinds of help the lesson links to (``[text](help:kind)``): its audience's help box must have each.
    help_kinds: frozenset[HelpKind] = frozenset()


@dataclass(frozen=True)
class Option:
    id: str
    text: str
    #: Picture questions: path of the image under ``static/`` and its alt text.
    image: str | None
    alt: str | None
    correct: bool


@dataclass(frozen=True)
class Question:
    id: str
    type: QuestionType
    strand: str
    prompt: str
    options: tuple[Option, ...]
    #: Shown after the attempt: teaches why the right answer is right.
    explanation: str
    #: The Education for a Connected World statement ids the question tests (``statements.yaml``).
    statements: tuple[str, ...] = ()

    @property
    def correct_option_ids(self) -> frozenset[str]:
        return frozenset(option.id for option in self.options if option.correct)


@dataclass(frozen=True)
class Quiz:
    id: str
    module_id: str
    questions: tuple[Question, ...]
    version: str
    locale: str


@dataclass(frozen=True)
class ModuleContent:
    """The words of a module in one locale."""

    module_id: str
    title: str
    summary: str
    outcomes: Mapping[str, str]
    lessons: tuple[Lesson, ...]
    quiz: Quiz | None
    locale: str
    #: "Talk about it at home": plain-text conversation prompts for parents (pupil modules have three).
    at_home: tuple[str, ...] = ()


@dataclass(frozen=True)
class Promise:
    """One item of an agreement ("I will ..."), with an optional picture."""

    text: str
    image: str | None
    alt: str | None


@dataclass(frozen=True)
class ConsentItem:
    """A separately chosen consent in an agreement (e.g. photos on the school website)."""

    id: str
    text: str


class HelpKind(StrEnum):
    """What a help contact is for. Lessons name a kind, never a number (``[text](help:gambling)``), and
    ``check-content`` fails when a lesson names a kind that no help contact of its audience has."""

    DSL = "dsl"
    EMERGENCY = "emergency"
    #: Childline: any child or young person, about anything.
    CHILDLINE = "childline"
    #: CEOP: reporting online sexual abuse or grooming of a child.
    CEOP = "ceop"
    #: Report Remove: a young person asking for a nude image of themselves to be taken down.
    NUDE_IMAGES = "nude_images"
    #: Reporting sexual images of children found online (the Internet Watch Foundation).
    CHILD_ABUSE_IMAGES = "child_abuse_images"
    #: An adult worried about a child (the NSPCC Helpline).
    WORRIED_ADULT = "worried_adult"
    #: Harmful content a platform has not removed (Report Harmful Content).
    HARMFUL_CONTENT = "harmful_content"
    #: Advice for people who work with children (the Professionals Online Safety Helpline).
    PROFESSIONALS = "professionals"
    GAMBLING = "gambling"
    #: Reporting fraud and scam texts.
    FRAUD = "fraud"
    #: Reporting terrorist content or activity, anonymously.
    TERRORISM = "terrorism"
    #: Someone to talk to at any hour when life feels too much (Samaritans, Shout).
    CRISIS = "crisis"
    #: Confidential help for people worried about their own or someone else's sexual thoughts or behaviour.
    HARMFUL_SEXUAL_BEHAVIOUR = "harmful_sexual_behaviour"


@dataclass(frozen=True)
class HelpContact:
    """Where to get help: shown beside lessons, edited by the school in ``help.yaml``."""

    name: str
    detail: str
    audiences: frozenset[str]
    #: ``dsl`` marks the generic "ask for the DSL" entry that a school's own DSL details replace.
    id: str | None = None
    #: What the contact is for; a school's own local contacts have none.
    kind: HelpKind | None = None


@dataclass(frozen=True)
class Agreement:
    """An acceptable use agreement (structure)."""

    id: str
    audiences: frozenset[str]
    signing: Signing
    #: Months a signature stays valid before it must be signed again.
    renewal_months: int
    order: int
    #: A teacher may record the whole class agreeing together (the youngest, who cannot sign alone).
    class_signing: bool = False
    #: The consent items (ids in the agreement's text) that say whether a child may appear in photos.
    photo_consent_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class AgreementContent:
    """The text of an agreement in one locale."""

    agreement_id: str
    title: str
    summary: str
    html: Markup
    promises: tuple[Promise, ...]
    consents: tuple[ConsentItem, ...]
    #: Plain text (read-aloud, reading level).
    text: str
    version: str
    locale: str


@dataclass(frozen=True)
class Catalogue:
    """Everything the curriculum and content folders describe, loaded once at start-up."""

    strands: tuple[str, ...]
    audiences: Mapping[str, Audience]
    modules: Mapping[str, Module]
    agreements: Mapping[str, Agreement]
    #: ``labels[locale]["strands"|"audiences"][id]``: display names.
    labels: Mapping[str, Mapping[str, Mapping[str, str]]]
    module_contents: Mapping[tuple[str, str], ModuleContent]
    agreement_contents: Mapping[tuple[str, str], AgreementContent]
    #: The yearly programme: terms and events.
    schedule: Schedule
    #: ``help_contacts[locale]``: where to get help.
    help_contacts: Mapping[str, tuple[HelpContact, ...]]
    #: Locales with content; the first is the fallback for the others.
    locales: tuple[str, ...]
    #: The yearly self-review framework (``curriculum/self_review.yaml`` and its words).
    self_review: SelfReview = EMPTY_SELF_REVIEW
    #: What the yearly audit reports on (``curriculum/audit.yaml``): setting -> module/agreement/audience id.
    audit_settings: Mapping[str, str] = field(default_factory=dict)
    #: Who must complete which training and how often (``curriculum/training.yaml``), in file order.
    training_rules: tuple[TrainingRule, ...] = ()
    #: The kinds of worry people can report, and who a pupil may ask to talk to (``curriculum/concerns.yaml``).
    concerns: ConcernCatalogue = EMPTY_CONCERNS
    #: Education for a Connected World statements (``curriculum/statements.yaml``) that lessons and questions name.
    statements: StatementCatalogue = EMPTY_STATEMENTS

    def training_rule(self, rule_id: str) -> TrainingRule | None:
        """The training rule with this id, or None."""
        return next((rule for rule in self.training_rules if rule.id == rule_id), None)

    def training_rules_for_module(self, module_id: str) -> tuple[TrainingRule, ...]:
        """The rules that a completion of ``module_id`` counts towards (its own, and ``also_counts``)."""
        return tuple(rule for rule in self.training_rules if module_id in rule.counted_modules)

    @property
    def fallback_locale(self) -> str:
        return self.locales[0]

    def _pick_locale(self, locale: str, key: str, table: Mapping[tuple[str, str], object]) -> str:
        return locale if (locale, key) in table else self.fallback_locale

    def module_content(self, module_id: str, locale: str) -> ModuleContent:
        """The module's words in ``locale``, or in the fallback locale when not translated."""
        return self.module_contents[(self._pick_locale(locale, module_id, self.module_contents), module_id)]

    def agreement_content(self, agreement_id: str, locale: str) -> AgreementContent:
        """The agreement's text in ``locale``, or in the fallback locale when not translated."""
        chosen = self._pick_locale(locale, agreement_id, self.agreement_contents)
        return self.agreement_contents[(chosen, agreement_id)]

    def label(self, kind: str, item_id: str, locale: str) -> str:
        """Display name of a strand or audience in ``locale`` (falling back, then to the id)."""
        for candidate in (locale, self.fallback_locale):
            found = self.labels.get(candidate, {}).get(kind, {}).get(item_id)
            if found:
                return found
        return item_id

    def help_for(self, audience_ids: tuple[str, ...] | frozenset[str], locale: str) -> tuple[HelpContact, ...]:
        """Help contacts for the given audiences, in ``locale`` or the fallback locale."""
        contacts = self.help_contacts.get(locale) or self.help_contacts.get(self.fallback_locale, ())
        wanted = set(audience_ids)
        return tuple(contact for contact in contacts if contact.audiences & wanted)

    def audiences_for(self, roles: frozenset[str], year_group: int | None,
                      duties: frozenset[str] = frozenset()) -> tuple[Audience, ...]:
        """The audiences a person belongs to, from their roles, duties and (pupils) year group."""
        found = []
        for audience in self.audiences.values():
            if audience.learners is Learners.PUPILS:
                if "pupil" in roles and year_group is not None and year_group in audience.year_groups:
                    found.append(audience)
            elif audience.roles & roles or audience.duties & duties:
                found.append(audience)
        return tuple(sorted(found, key=lambda audience: audience.order))

    def audiences_of(self, person: object) -> tuple[Audience, ...]:
        """The audiences a person belongs to: the one rule, from their ``roles``, ``duties`` and ``year_group``.

        Duties are read only for staff, and only when some audience names duties (they are loaded when
        asked for: one query).
        """
        roles = frozenset(getattr(person, "roles", frozenset()))
        duties: frozenset[str] = frozenset()
        if "staff" in roles and any(audience.duties for audience in self.audiences.values()):
            duties = frozenset(str(duty) for duty in getattr(person, "duties", frozenset()))
        return self.audiences_for(roles, getattr(person, "year_group", None), duties)

    def audience_ids_of(self, person: object) -> frozenset[str]:
        """The ids of :meth:`audiences_of`."""
        return frozenset(audience.id for audience in self.audiences_of(person))

    def pupil_audience_ids(self, year_groups: set[int | None]) -> frozenset[str]:
        """The pupil audiences covering these year groups (a mixed-age class may span two key stages)."""
        return frozenset(audience.id for year_group in year_groups
                         for audience in self.audiences_for(frozenset({"pupil"}), year_group))

    def photo_consent_items(self) -> tuple[tuple[str, str], ...]:
        """``(agreement id, consent id)`` of every consent item about photos, in agreement order."""
        return tuple((agreement.id, consent_id) for agreement in self.agreements.values()
                     for consent_id in agreement.photo_consent_ids)

    def modules_for(self, audience_ids: tuple[str, ...] | frozenset[str]) -> tuple[Module, ...]:
        """Modules of the given audiences, in programme order."""
        wanted = set(audience_ids)
        return tuple(module for module in self.modules.values() if module.audience in wanted)

    def in_term_order(self, modules: tuple[Module, ...]) -> tuple[Module, ...]:
        """``modules`` as pupils meet them on their dashboard: by term (autumn first), then the modules
        no term is given; programme order within each. The class grid uses the same order."""
        terms = list(Term)
        unscheduled = len(terms)

        def term_position(module: Module) -> int:
            term = self.schedule.term_of.get(module.id)
            return terms.index(term) if term is not None else unscheduled

        return tuple(sorted(modules, key=term_position))  # sorted() is stable: programme order within a term

    def agreements_for(self, audience_ids: tuple[str, ...] | frozenset[str]) -> tuple[Agreement, ...]:
        """Agreements that the given audiences sign, in order."""
        wanted = set(audience_ids)
        return tuple(agreement for agreement in self.agreements.values() if agreement.audiences & wanted)

    def module_for_lesson(self, lesson_id: str) -> Module | None:
        for module in self.modules.values():
            if lesson_id in module.lesson_ids:
                return module
        return None
