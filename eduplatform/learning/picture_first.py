"""The picture-first home page of the youngest pupils (Nursery to Year 2), built once per request.

A card per module (its first lesson picture, its title, a star when done), the picture agreement as
an "Our promises" card, and the next thing to do as a big Next tile. No percentages, term names or
audience labels: the children cannot read them yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from flask import url_for

from eduplatform.academic_year import AcademicYear
from eduplatform.catalogue.model import Agreement, Catalogue
from eduplatform.i18n import _
from eduplatform.learning.steps import continue_url, first_step_url, module_picture, next_module
from eduplatform.records import queries
from eduplatform.records.queries import AgreementState, ModuleState


class CardKind(StrEnum):
    MODULE = "module"
    AGREEMENT = "agreement"


@dataclass(frozen=True)
class PictureCard:
    """One big tap target on the dashboard."""

    id: str
    kind: CardKind
    title: str
    url: str
    #: The picture's address (every KS1 module has one; None only for content without pictures).
    picture: str | None
    done: bool


@dataclass(frozen=True)
class PictureDashboard:
    #: Modules in programme order, then the agreements.
    cards: tuple[PictureCard, ...]
    #: The next thing to do (pointing where to carry on); None once everything is done.
    next_card: PictureCard | None
    #: Modules completed, and how many modules there are: one star each.
    stars: int
    total: int


def _agreement_picture(catalogue: Catalogue, agreement: Agreement, locale: str) -> str | None:
    content = catalogue.agreement_content(agreement.id, locale)
    image = next((promise.image for promise in content.promises if promise.image), None)
    return url_for("static", filename=image) if image else None


def picture_dashboard(user: Any, catalogue: Catalogue, locale: str, year: AcademicYear) -> PictureDashboard:
    """The person's modules and agreements as picture cards, with their next step. Three queries."""
    audience_ids = catalogue.audience_ids_of(user)
    modules = catalogue.in_term_order(catalogue.modules_for(audience_ids))  # as the class grid shows them
    agreements = catalogue.agreements_for(audience_ids)
    statuses = queries.module_statuses(user, user.id, modules, year)
    signed = queries.agreement_statuses(user, user.id, agreements, catalogue, year)
    cards = []
    for module in modules:
        content = catalogue.module_content(module.id, locale)
        picture = module_picture(content)
        cards.append(PictureCard(module.id, CardKind.MODULE, content.title, first_step_url(module),
                                 picture.src if picture else None,
                                 statuses[module.id].state is ModuleState.COMPLETED))
    for agreement in agreements:
        cards.append(PictureCard(agreement.id, CardKind.AGREEMENT, _("Our promises"),
                                 url_for("agreements.show_agreement", agreement_id=agreement.id),
                                 _agreement_picture(catalogue, agreement, locale),
                                 signed[agreement.id].state is AgreementState.SIGNED))
    next_card = None
    coming = next_module(modules, statuses)
    if coming is not None:
        card = next(card for card in cards if card.kind is CardKind.MODULE and card.id == coming.id)
        next_card = PictureCard(card.id, card.kind, card.title,
                                continue_url(coming, queries.lessons_read(user.id, coming, year)), card.picture, False)
    else:
        next_card = next((card for card in cards if card.kind is CardKind.AGREEMENT and not card.done), None)
    stars = sum(card.done for card in cards if card.kind is CardKind.MODULE)
    return PictureDashboard(tuple(cards), next_card, stars, len(modules))
