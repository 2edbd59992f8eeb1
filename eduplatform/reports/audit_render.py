"""Rendering the audit object: its charts (SVG) and its CSV. Pure functions of an :class:`Audit`."""

from __future__ import annotations

import csv
import io

from markupsafe import Markup

from eduplatform.i18n import _
from eduplatform.reports.audit import Audit
from eduplatform.reports.charts import Bar, bar_chart, radar_chart
from eduplatform.reports.exports import neutralise

CSV_COLUMNS = ["school", "section", "measure", "audience", "item", "strand", "term", "unit", "value", "count",
               "total", "previous_value", "previous_count", "previous_total", "text"]


def charts_for(audit: Audit) -> dict[str, Markup]:
    """The report's charts: completion per audience, agreements per audience, scores per strand, the radar."""
    legend = (audit.year_label, audit.previous_label)
    charts: dict[str, Markup] = {}
    completion = [Bar(audit.label("audiences", f.audience), f.value, f.previous)
                  for f in audit.figures_of("programme", "audience_completed")]
    if completion:
        described = "; ".join(f"{bar.label}: {bar.value if bar.value is not None else '-'}%" for bar in completion)
        charts["completion"] = bar_chart("chart-completion", _("Modules completed, per audience"),
                                         _("Share of required modules completed. %(values)s", values=described),
                                         completion, legend=legend)
    signed: dict[str, Bar] = {}
    for figure in audit.figures_of("agreements", "signed"):
        signed.setdefault(figure.audience or "", Bar(audit.label("audiences", figure.audience), figure.value,
                                                     figure.previous))
    if signed:
        described = "; ".join(f"{bar.label}: {bar.value if bar.value is not None else '-'}%" for bar in signed.values())
        charts["agreements"] = bar_chart("chart-agreements", _("This year's agreement signed, per audience"),
                                         _("Share who signed this year's text. %(values)s", values=described),
                                         list(signed.values()), legend=legend)
    if audit.pupil_audiences:
        by_strand = []
        for strand, label in audit.labels.get("strands", {}).items():
            found = [f for f in audit.figures_of("outcomes", "mean_score") if f.strand == strand]
            right, answers = sum(f.count or 0 for f in found), sum(f.total or 0 for f in found)
            before_right = sum(f.previous_count or 0 for f in found)
            before_answers = sum(f.previous_total or 0 for f in found)
            by_strand.append(Bar(label, round(100 * right / answers, 1) if answers else None,
                                 round(100 * before_right / before_answers, 1) if before_answers else None))
        if any(bar.value is not None or bar.previous is not None for bar in by_strand):
            described = "; ".join(f"{bar.label}: {bar.value if bar.value is not None else '-'}%" for bar in by_strand)
            charts["strands"] = bar_chart("chart-strands", _("Mean quiz score per strand, all pupils"),
                                          _("Share of answers right, per strand. %(values)s", values=described),
                                          by_strand, legend=legend)
    if audit.review:
        points = [(item.title, item.level) for item in audit.review]
        described = "; ".join(f"{title}: {level if level else '-'}" for title, level in points)
        charts["review"] = radar_chart("chart-review", _("Self-review levels"),
                                       _("Level per aspect, 1 strongest at the rim to 5 near the centre. %(values)s",
                                         values=described), points)
    return charts


def audit_csv(audit: Audit) -> str:
    """One row per figure (section, measure, audience, strand, value, previous value...), then the class
    signings, each school's last filtering check and interval, the self-review and the action plan.
    Every cell is formula-safe."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    school = audit.subject["slug"]

    def row(*cells: object) -> None:
        writer.writerow([neutralise("" if cell is None else cell) for cell in cells])

    for f in audit.figures:
        row(f.school or school, f.section, f.measure, f.audience, f.item, f.strand, f.term, f.unit, f.value, f.count,
            f.total, f.previous, f.previous_count, f.previous_total, "")
    for signing in audit.class_signings:
        row(signing.school, "agreements", "class_signing", None, signing.class_name, None, None, "count",
            signing.pupils, signing.pupils, None, None, None, None, f"{signing.held_on} {signing.witness}")
    for slug, facts in audit.filtering.items():
        row(slug, "filtering", "last_check", None, None, None, None, "date", None, None, None, None, None, None,
            facts.get("last_check") or "")
        row(slug, "filtering", "check_days", None, None, None, None, "count", facts.get("check_days"), None, None,
            None, None, None, "")
    for item in audit.review:
        row(school, "self_review", item.aspect, None, item.group, None, None, "level", item.level, None, None, None,
            None, None, item.evidence)
    for action in audit.actions:
        row(school, "action_plan", "done" if action.done else "to_do", None, action.owner, None, action.due_on, None,
            None, None, None, None, None, None, action.action)
    return buffer.getvalue()


def page_numbers_css() -> Markup:
    """The print stylesheet's "Page 3 of 21", in the reader's language (CSS strings escaped)."""
    def css_string(text: str) -> str:
        return '"' + "".join(ch if ch.isalnum() or ch == " " else f"\\{ord(ch):x} " for ch in text) + '"'

    return Markup("@page { @bottom-right { content: %s counter(page) %s counter(pages); } }") % (
        Markup(css_string(_("Page") + " ")), Markup(css_string(" " + _("of") + " ")))  # noqa: S704


def render_audit_document(audit: Audit) -> str:
    """The audit as a standalone HTML document (the PDF's source): the page's sections, print layout."""
    from flask import render_template

    from eduplatform.catalogue.self_review import LEVELS
    from eduplatform.reports.audit_labels import MEASURE_LABELS, SECTION_TITLES

    return render_template("reports/audit_document.html", audit=audit, charts=charts_for(audit),
                           measure_labels=MEASURE_LABELS, section_titles=SECTION_TITLES, levels=LEVELS,
                           page_css=page_numbers_css())


def audit_file(audit: Audit, fmt: str) -> str | bytes:
    """The audit as a file: "json", "csv", "html" or "pdf" (raises PdfUnavailableError without Pango)."""
    import json

    from flask import current_app

    from eduplatform.pdf import render_pdf

    if fmt == "json":
        return json.dumps(audit.to_json(), ensure_ascii=False, indent=2)
    if fmt == "csv":
        return audit_csv(audit)
    html = render_audit_document(audit)
    return html if fmt == "html" else render_pdf(html, current_app.static_folder or "")
