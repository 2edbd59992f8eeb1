"""Charts for the audit as plain SVG: bars per audience or strand, a radar of the self-review levels.

Each chart has a ``<title>`` and a ``<desc>`` that says what it shows, and stands beside the
table of the same data, on screen and in the PDF (WeasyPrint draws inline SVG). Only presentation
attributes are used (no ``style``), so the site's Content Security Policy allows them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

BAR_COLOUR, PREVIOUS_COLOUR, GRID_COLOUR, INK = "#0b5394", "#9fb7cf", "#c9d2dc", "#1b1f24"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    previous: float | None = None


def _text(x: float, y: float, text: str, *, anchor: str = "start", size: int = 12, weight: str = "normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" font-weight="{weight}" text-anchor="{anchor}" '
            f'fill="{INK}" font-family="Liberation Sans, DejaVu Sans, Arial, sans-serif">{escape(text)}</text>')


def _short(label: str, limit: int = 34) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bar_chart(ident: str, title: str, description: str, bars: list[Bar], *, legend: tuple[str, str],
              maximum: float = 100, unit: str = "%") -> Markup:
    """Horizontal bars (0 to ``maximum``), this year's dark above last year's light, with values printed."""
    label_width, chart_width, row = 280, 320, 34
    height = 40 + row * len(bars) + 30
    width = label_width + chart_width + 60
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" aria-labelledby="{ident}-t {ident}-d">',
             f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(description)}</desc>']
    for tick in range(0, 101, 25):
        x = label_width + chart_width * tick / 100
        parts.append(f'<line x1="{x:.1f}" y1="24" x2="{x:.1f}" y2="{height - 34}" stroke="{GRID_COLOUR}"/>')
        parts.append(_text(x, 16, f"{maximum * tick / 100:g}{unit}", anchor="middle", size=10))
    for index, bar in enumerate(bars):
        top = 30 + index * row
        parts.append(_text(label_width - 8, top + 14, _short(bar.label, 38), anchor="end", size=11))
        layers = ((0, bar.value, BAR_COLOUR, 14), (16, bar.previous, PREVIOUS_COLOUR, 8))
        for offset, value, colour, thickness in layers:
            if value is None:
                continue
            length = chart_width * max(0.0, min(value, maximum)) / maximum
            parts.append(f'<rect x="{label_width}" y="{top + offset}" width="{length:.1f}" height="{thickness}" '
                         f'fill="{colour}"/>')
            if offset == 0:
                parts.append(_text(label_width + length + 4, top + 12, f"{value:g}{unit}", size=11, weight="bold"))
    legend_y = height - 12
    parts.append(f'<rect x="{label_width}" y="{legend_y - 9}" width="12" height="10" fill="{BAR_COLOUR}"/>')
    parts.append(_text(label_width + 16, legend_y, legend[0], size=11))
    parts.append(f'<rect x="{label_width + 150}" y="{legend_y - 9}" width="12" height="10" fill="{PREVIOUS_COLOUR}"/>')
    parts.append(_text(label_width + 166, legend_y, legend[1], size=11))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text above is escaped)


def radar_chart(ident: str, title: str, description: str, points: list[tuple[str, int | None]]) -> Markup:
    """Self-review levels on spokes: level 1 (strongest) at the rim, 5 (just starting) near the centre."""
    size, centre, radius = 520, 260, 170
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {size} {size}" '
             f'width="{size}" height="{size}" aria-labelledby="{ident}-t {ident}-d">',
             f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(description)}</desc>']
    count = max(len(points), 3)

    def at(index: int, strength: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * index / count
        return centre + radius * strength / 5 * math.cos(angle), centre + radius * strength / 5 * math.sin(angle)

    for ring in range(1, 6):
        ring_points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (at(i, ring) for i in range(count)))
        parts.append(f'<polygon points="{ring_points}" fill="none" stroke="{GRID_COLOUR}"/>')
    for index, (label, _level) in enumerate(points):
        x, y = at(index, 5)
        parts.append(f'<line x1="{centre}" y1="{centre}" x2="{x:.1f}" y2="{y:.1f}" stroke="{GRID_COLOUR}"/>')
        lx, ly = at(index, 6.1)
        anchor = "middle" if abs(lx - centre) < 20 else ("start" if lx > centre else "end")
        parts.append(_text(lx, ly + 4, _short(label, 22), anchor=anchor, size=10))
    rated = [(index, level) for index, (_label, level) in enumerate(points) if level is not None]
    if rated:
        shape = " ".join(f"{x:.1f},{y:.1f}" for x, y in (at(index, 6 - level) for index, level in rated))
        parts.append(f'<polygon points="{shape}" fill="{BAR_COLOUR}" fill-opacity="0.25" stroke="{BAR_COLOUR}" '
                     f'stroke-width="2"/>')
        for index, level in rated:
            x, y = at(index, 6 - level)
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{BAR_COLOUR}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text above is escaped)
