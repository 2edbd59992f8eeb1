"""Certificates as documents: what a certificate shows, read from its record, and its HTML and PDF.

A certificate is a row (:class:`~eduplatform.records.models.Certificate`), never a stored file.
:func:`load_certificates` reads rows with their holder, school and replacement in one query into
:class:`CertificateView` objects; :func:`certificates_pdf` and :func:`certificates_zip` turn them
into files. The same record always gives the same PDF bytes: every date in it comes from the
record (the PDF's creation date is the certificate's issue time), nothing from the clock.
Each certificate is printed in the language it was completed in (``Certificate.locale``).
Callers: :mod:`eduplatform.compliance.certificate_views` and ``bench/certificates.py``.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from markupsafe import Markup
from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import aliased

from eduplatform.academic_year import local_date
from eduplatform.accounts.models import User
from eduplatform.catalogue.model import Catalogue
from eduplatform.db import db
from eduplatform.i18n import _
from eduplatform.pdf import PdfPart, render_pdf, render_pdf_parts
from eduplatform.qr import qr_code_svg
from eduplatform.records.certificates import display_code
from eduplatform.records.models import Certificate
from eduplatform.schools.models import School


class CertificateState(StrEnum):
    """What the public verification page says about a genuine certificate."""

    CURRENT = "current"
    EXPIRED = "expired"
    #: The holder completed the module again: a newer certificate replaces this one.
    SUPERSEDED = "superseded"


@dataclass(frozen=True)
class CertificateView:
    """Everything a certificate shows, read from its record (one row of :func:`load_certificates`)."""

    id: int
    code: str
    user_id: int
    school_id: int
    first_name: str
    last_name: str
    school_name: str
    #: The school's time zone: its calendar day decides whether the certificate has expired.
    time_zone: str
    module_id: str
    module_version: str
    locale: str
    completed_on: date
    method: str
    score_percent: int | None
    expires_on: date | None
    issued_at: datetime
    #: The day the newer certificate that replaced this one was completed; None while not replaced.
    superseded_on: date | None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def display_code(self) -> str:
        return display_code(self.code)

    def state(self, today: date | None = None) -> CertificateState:
        """Replaced, expired (its last valid day is past, in the school's calendar) or current."""
        if self.superseded_on is not None:
            return CertificateState.SUPERSEDED
        today = today or local_date(datetime.now(UTC), self.time_zone)
        if self.expires_on is not None and self.expires_on < today:
            return CertificateState.EXPIRED
        return CertificateState.CURRENT


_REPLACEMENT = aliased(Certificate)


def certificates_query() -> Select:
    """Certificates with their holder's name, school and replacement's date: one row per certificate."""
    return (select(Certificate, User.first_name, User.last_name, School.name, School.time_zone,
                   _REPLACEMENT.completed_on)
            .join(User, User.id == Certificate.user_id)
            .join(School, School.id == Certificate.school_id)
            .outerjoin(_REPLACEMENT, _REPLACEMENT.id == Certificate.superseded_by_id))


def load_certificates(*conditions: ColumnElement[bool], order_by: Sequence[ColumnElement] = (),
                      limit: int | None = None, offset: int = 0) -> list[CertificateView]:
    """The certificates meeting ``conditions`` (on :class:`Certificate`, :class:`User`, :class:`School`)."""
    query = certificates_query().where(*conditions).order_by(*order_by, Certificate.id)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return [_view(*row) for row in db.session.execute(query)]


def certificate_by_id(certificate_id: int) -> CertificateView | None:
    found = load_certificates(Certificate.id == certificate_id)
    return found[0] if found else None


def certificate_by_code(code: str) -> CertificateView | None:
    """The certificate with this stored code (already normalised), or None."""
    found = load_certificates(Certificate.code == code)
    return found[0] if found else None


def _view(certificate: Certificate, first_name: str, last_name: str, school_name: str, time_zone: str | None,
          superseded_on: date | None) -> CertificateView:
    return CertificateView(
        id=certificate.id, code=certificate.code, user_id=certificate.user_id, school_id=certificate.school_id,
        first_name=first_name, last_name=last_name, school_name=school_name, time_zone=time_zone or "Europe/London",
        module_id=certificate.module_id, module_version=certificate.module_version, locale=certificate.locale,
        completed_on=certificate.completed_on, method=certificate.method, score_percent=certificate.score_percent,
        expires_on=certificate.expires_on, issued_at=certificate.issued_at,
        # A replaced certificate whose replacement was erased still counts as replaced.
        superseded_on=superseded_on or (certificate.completed_on if certificate.superseded_by_id else None))


# --- Words ------------------------------------------------------------------------------------------


def module_title(catalogue: Catalogue, module_id: str, locale: str) -> str:
    """The module's title in ``locale`` (the fallback language if not translated); its id if since removed."""
    if module_id not in catalogue.modules:
        return module_id
    return catalogue.module_content(module_id, locale).title


def method_label(method: str) -> str:
    """How the module was completed, as the certificate says it (in the current locale)."""
    labels = {
        "self": _("Completed online"),
        "attended": _("Attended the workshop"),
        "teacher_led": _("Completed in a teacher-led session"),
        "imported": _("Recorded from the school's earlier records"),
        "external": _("Training done elsewhere"),
    }
    return labels.get(method, method)


def state_label(state: CertificateState) -> str:
    return {CertificateState.CURRENT: _("Current"), CertificateState.EXPIRED: _("Expired"),
            CertificateState.SUPERSEDED: _("Replaced by a newer certificate")}[state]


def verification_url(certificate: CertificateView) -> str:
    """The public page that checks this certificate (printed, and in its QR code): the address the site
    was reached at, with https when the site is served over HTTPS (behind a proxy that ends TLS too)."""
    scheme = "https" if current_app.config.get("HTTPS") else None
    return url_for("certificates.verify", code=certificate.code, _external=True, _scheme=scheme)


# --- Files ------------------------------------------------------------------------------------------


def _w3c(moment: datetime) -> str:
    return moment.replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def certificate_section(certificate: CertificateView, catalogue: Catalogue) -> Markup:
    """One certificate as a page of the print document, in the certificate's own language."""
    with force_locale(certificate.locale):
        url = verification_url(certificate)
        return Markup(render_template(  # noqa: S704 (a rendered, auto-escaped template)
            "compliance/_certificate_page.html", certificate=certificate,
            title=module_title(catalogue, certificate.module_id, certificate.locale),
            method=method_label(certificate.method), verify_url=url,
            qr=qr_code_svg(url, _("QR code of the page that checks this certificate"))))


def certificates_document(certificates: Sequence[CertificateView], catalogue: Catalogue) -> str:
    """The print document of one or more certificates, one per A4 landscape page.

    Its language and title are the first certificate's; its creation date the newest issue time,
    so the same records always make the same document.
    """
    first = certificates[0]
    if len(certificates) == 1:
        title = _file_title(first, catalogue)
    else:
        with force_locale(first.locale):
            title = _("Certificates")
    issued = max(certificate.issued_at for certificate in certificates)
    return render_template("compliance/certificate_document.html", lang=first.locale, title=title,
                           created=_w3c(issued),
                           sections=[certificate_section(certificate, catalogue) for certificate in certificates])


def _file_title(certificate: CertificateView, catalogue: Catalogue) -> str:
    with force_locale(certificate.locale):
        return _("Certificate: %(name)s, %(module)s", name=certificate.full_name,
                 module=module_title(catalogue, certificate.module_id, certificate.locale))


def certificates_pdf(certificates: Sequence[CertificateView], catalogue: Catalogue) -> bytes:
    """One PDF, one certificate per page (raises PdfUnavailableError without WeasyPrint's libraries)."""
    return render_pdf(certificates_document(certificates, catalogue), current_app.static_folder or "")


def certificates_zip(certificates: Sequence[CertificateView], catalogue: Catalogue) -> bytes:
    """A ZIP of one PDF per certificate, each the same bytes as that certificate's own download.

    The certificates are laid out once, as for the bulk PDF, and written a file each
    (:func:`eduplatform.pdf.render_pdf_parts`): about twice as fast as rendering each alone.
    """
    parts = [PdfPart(anchor=f"certificate-{certificate.id}", title=_file_title(certificate, catalogue),
                     lang=certificate.locale, created=_w3c(certificate.issued_at)) for certificate in certificates]
    files = render_pdf_parts(certificates_document(certificates, catalogue), current_app.static_folder or "", parts)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for certificate, body in zip(certificates, files, strict=True):
            archive.writestr(zipfile.ZipInfo(file_name(certificate), date_time=certificate.issued_at.timetuple()[:6]),
                             body)
    return buffer.getvalue()


def file_slug(text: str) -> str:
    """``text`` for a file name: lower-case ASCII letters and digits, dashes between words."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:40].strip("-")


def file_name(certificate: CertificateView) -> str:
    """``<surname>-<first name>-<module>-<code>.pdf``, in letters, digits and dashes only."""
    parts = [file_slug(certificate.last_name), file_slug(certificate.first_name), file_slug(certificate.module_id),
             certificate.display_code]
    return "-".join(part for part in parts if part) + ".pdf"
