"""PDF documents from the same Jinja templates as the screen, rendered by WeasyPrint with print CSS.

WeasyPrint needs the Pango library from the operating system. When it is missing, :func:`render_pdf`
raises :class:`PdfUnavailableError` with a message saying so, and everything else keeps working.
Only files under ``static/`` can be loaded while rendering: nothing is fetched from elsewhere.
Templates may link them as the pages do, ``url_for('static', filename=...)``: the ``/static/`` URL,
fingerprinted or not, is read straight from the file on disk. A document with words marked
``lang="ur"`` also gets ``css/print-ur.css``: the Urdu font shipped in ``static/fonts/``.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from eduplatform.static_files import find_file

STYLESHEET = "css/print.css"
#: Added for documents with words in these languages: the font for their script (``static/fonts/``),
#: loaded only when needed (reading a font costs every PDF time).
SCRIPT_STYLESHEETS = {"ur": "css/print-ur.css"}
_LANG_ATTRIBUTE = re.compile(r"""\blang=["']?([A-Za-z]{2,3})\b""")


class PdfUnavailableError(RuntimeError):
    """PDF rendering cannot work on this machine (WeasyPrint or its system libraries are missing)."""


def _weasyprint() -> Any:
    try:
        import weasyprint
    except (ImportError, OSError) as error:
        raise PdfUnavailableError(
            "PDF files cannot be made on this server: WeasyPrint or its system library Pango is missing "
            f"({error.__class__.__name__}). Install Pango (Debian: apt-get install libpango-1.0-0 "
            "libpangoft2-1.0-0 fonts-dejavu-core); everything else works without it.") from error
    return weasyprint


def pdf_unavailable_reason() -> str | None:
    """None when PDFs can be made, else the reason (shown instead of the download button)."""
    try:
        _weasyprint()
    except PdfUnavailableError as error:
        return str(error)
    return None


def render_pdf(html: str, static_folder: str) -> bytes:
    """A PDF of ``html`` with the print stylesheet; fonts are embedded (subset) by WeasyPrint."""
    return _laid_out(html, static_folder).write_pdf()


@dataclass(frozen=True)
class PdfPart:
    """A stretch of a document written as a PDF file of its own (one certificate of many, say)."""

    #: The id of the element it starts with: the part runs from that element's page to the next part's.
    anchor: str
    #: The file's own title, language and creation date (W3C, ``2026-09-14T10:30:00Z``), not the document's.
    title: str
    lang: str
    created: str


def render_pdf_parts(html: str, static_folder: str, parts: Sequence[PdfPart]) -> list[bytes]:
    """One PDF per part of ``html``, laid out once (many files at the cost of one).

    A part's file is the same, byte for byte, as :func:`render_pdf` makes of a document holding only
    that part with the same title, language and dates: only the pages written decide the bytes.
    """
    document = _laid_out(html, static_folder)
    starts = {}
    for number, page in enumerate(document.pages):
        for anchor in page.anchors:
            starts.setdefault(anchor, number)
    firsts = [starts[part.anchor] for part in parts]  # KeyError: an anchor the document does not have
    files = []
    for position, part in enumerate(parts):
        end = firsts[position + 1] if position + 1 < len(parts) else len(document.pages)
        pages = document.copy(document.pages[firsts[position]:end])
        pages.metadata = copy.copy(document.metadata)
        pages.metadata.title, pages.metadata.lang = part.title, part.lang
        pages.metadata.created = pages.metadata.modified = part.created
        files.append(pages.write_pdf())
    return files


def _laid_out(html: str, static_folder: str) -> Any:
    """WeasyPrint's laid-out document of ``html``, reading nothing but files under ``static_folder``."""
    weasyprint = _weasyprint()
    static = Path(static_folder).resolve()

    class LocalFilesOnly(weasyprint.URLFetcher):  # type: ignore[misc, name-defined]
        def fetch(self, url: str, headers: Any = None) -> Any:
            path = static_file_for(url, static)
            if path is None:
                raise ValueError(f"not loaded while making a PDF: {url}")
            return super().fetch(path.as_uri(), headers)

    fetcher = LocalFilesOnly(allowed_protocols=("file",))
    # @font-face rules (the Urdu font in static/fonts/, css/print-ur.css) count only through a font
    # configuration shared by the stylesheets and the layout: no system font needs to be installed.
    fonts = weasyprint.text.fonts.FontConfiguration()
    document = weasyprint.HTML(string=html, base_url=static.as_uri() + "/", url_fetcher=fetcher)
    languages = {code.lower() for code in _LANG_ATTRIBUTE.findall(html)}
    names = [STYLESHEET, *(sheet for code, sheet in SCRIPT_STYLESHEETS.items() if code in languages)]
    stylesheets = [weasyprint.CSS(filename=str(static / name), url_fetcher=fetcher, font_config=fonts)
                   for name in names]
    return document.render(stylesheets=stylesheets, font_config=fonts)


def static_file_for(url: str, static: Path) -> Path | None:
    """The file under ``static`` that a URL in the document names, or None (nothing else is loaded).

    URLs arrive resolved against the document's base, ``file://<static>/``: a relative ``img/a.svg``
    as ``file://<static>/img/a.svg``, a page-style ``/static/img/a.3f2a1b9c0d.svg`` as
    ``file:///static/img/a.3f2a1b9c0d.svg``. Fingerprints are dropped (:func:`find_file`).
    """
    parts = urlsplit(url)
    if parts.scheme != "file":
        return None
    path = unquote(parts.path)
    for prefix in (static.as_posix() + "/", "/static/"):
        if path.startswith(prefix):
            found = find_file(static, path.removeprefix(prefix))
            if found is not None and found.resolve().is_relative_to(static):
                return found
    return None
