"""Inline SVG charts drawn in Python: no JavaScript library, nothing fetched.

Every text that can come from an input file goes through :func:`esc`.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

from caseweight.report.content import WorkerView

INK, MUTED, GRID = "#1f2933", "#616e7c", "#d9dee4"
BEFORE, OK, OVER_TARGET, OVER_LIMIT = "#b8c2cc", "#2f7d6d", "#d98a00", "#c0392b"
WITH_PA, WITHOUT_PA, BARS = "#2f7d6d", "#d98a00", "#3d5a80"
PALETTE = (
    "#3d5a80",
    "#e07a5f",
    "#2f7d6d",
    "#f2cc8f",
    "#81b29a",
    "#9c6ade",
    "#d98a00",
    "#56b4e9",
    "#c0392b",
    "#8d6e63",
    "#cc79a7",
    "#009e73",
    "#7f8c8d",
    "#f0e442",
    "#264653",
)
FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"'


def esc(value: object) -> str:
    """HTML-escape a value for text or a quoted attribute."""
    return html.escape(str(value), quote=True)


def pct(value: float) -> str:
    return f"{value * 100:.0f}%"


def _svg(width: float, height: float, label: str, body: list[str], cls: str = "chart") -> str:
    return (
        f'<svg class="{cls}" role="img" aria-label="{esc(label)}" viewBox="0 0 {width:.0f} '
        f'{height:.0f}" width="{width:.0f}" height="{height:.0f}" {FONT} font-size="12">'
        f"<title>{esc(label)}</title>{''.join(body)}</svg>"
    )


def _text(x: float, y: float, value: object, anchor: str = "start", extra: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" {extra}>{esc(value)}</text>'


def _rect(x: float, y: float, w: float, h: float, fill: str, extra: str = "") -> str:
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{h:.1f}" '
        f'fill="{fill}" {extra}/>'
    )


def _line(x1: float, y1: float, x2: float, y2: float, stroke: str, extra: str = "") -> str:
    return (
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{stroke}" {extra}/>'
    )


def load_colour(utilisation: float, target: float, hard_limit: float) -> str:
    if utilisation > hard_limit + 1e-9:
        return OVER_LIMIT
    if utilisation > target + 1e-9:
        return OVER_TARGET
    return OK


def worker_tooltip(view: WorkerView, limit: int = 40) -> str:
    """Hover text: the worker's load and the young people they hold after the proposal."""
    lines = [
        view.label,
        f"Load {view.load_before:g} → {view.load_after:g} of {view.capacity:g} points "
        f"({pct(view.utilisation_before)} → {pct(view.utilisation_after)})",
        f"Young people after: {view.cases_after}",
    ]
    lines += [f"  {pid}: {pts:g} pts ({why})" for pid, pts, why in view.cases[:limit]]
    if len(view.cases) > limit:
        lines.append(f"  … and {len(view.cases) - limit} more")
    return "\n".join(lines)


def worker_load_chart(
    views: Sequence[WorkerView], title: str, target: float, hard_limit: float, anchor: str
) -> str:
    """Horizontal bars of utilisation before (thin grey) and after (coloured), grouped by team.

    ``anchor`` prefixes the ids of the expandable worker rows the bars link to.
    """
    label_w, bar_x, bar_w, row_h, top = 230.0, 240.0, 560.0, 22.0, 34.0
    scale_max = (
        max(
            1.3, hard_limit * 1.05, *(max(v.utilisation_before, v.utilisation_after) for v in views)
        )
        if views
        else 1.3
    )
    scale_max = min(scale_max, 2.5)

    def x(u: float) -> float:
        return bar_x + bar_w * min(max(u, 0.0), scale_max) / scale_max

    body, y, team = [], top, None
    for index, v in enumerate(views):
        if v.team != team:
            team = v.team
            body.append(_text(8, y + 15, team, extra=f'font-weight="600" fill="{INK}"'))
            y += row_h
        colour = load_colour(v.utilisation_after, target, hard_limit)
        name = v.label if len(v.label) <= 34 else v.label[:33] + "…"
        body.append(
            f'<g class="worker-bar" tabindex="0" data-target="{esc(anchor)}-{index}">'
            f"<title>{esc(worker_tooltip(v))}</title>"
            + _rect(0, y, bar_x + bar_w + 190, row_h, "transparent")
            + _text(label_w, y + 15, name, "end", f'fill="{MUTED if v.leaving else INK}"')
            + _rect(bar_x, y + 3, x(v.utilisation_before) - bar_x, 5, BEFORE)
            + _rect(bar_x, y + 9, x(v.utilisation_after) - bar_x, 10, colour, 'rx="1.5"')
            + _text(
                bar_x + bar_w + 8,
                y + 17,
                f"{pct(v.utilisation_after)} · {v.cases_after} cases"
                + (" · leaving" if v.leaving else ""),
                extra=f'fill="{MUTED}"',
            )
            + "</g>"
        )
        y += row_h
    body = _load_axes(x, top, y, target, hard_limit, scale_max) + body
    return _svg(bar_x + bar_w + 190, y + 8, title, body, "chart load-chart")


def _load_axes(
    x: Callable[[float], float],
    top: float,
    bottom: float,
    target: float,
    hard: float,
    scale_max: float,
) -> list[str]:
    parts = []
    tick = 0.25
    value = 0.0
    while value <= scale_max + 1e-9:
        parts.append(_line(x(value), top - 4, x(value), bottom, GRID))
        parts.append(_text(x(value), top - 8, pct(value), "middle", f'fill="{MUTED}"'))
        value += tick
    parts.append(_line(x(1.0), top - 4, x(1.0), bottom, INK, 'stroke-width="1.5"'))
    parts.append(
        _line(
            x(target),
            top - 4,
            x(target),
            bottom,
            OVER_TARGET,
            'stroke-dasharray="4 3" stroke-width="1.5"',
        )
    )
    parts.append(
        _line(
            x(hard),
            top - 4,
            x(hard),
            bottom,
            OVER_LIMIT,
            'stroke-dasharray="4 3" stroke-width="1.5"',
        )
    )
    parts.append(_text(8, 12, "Utilisation (load ÷ capacity)", extra=f'fill="{MUTED}"'))
    return parts


def load_legend(target: float, hard_limit: float) -> str:
    """A small legend shared by the load charts."""
    items = [
        (BEFORE, "before"),
        (OK, "after, within target"),
        (OVER_TARGET, "after, over target"),
        (OVER_LIMIT, "after, over hard limit"),
        (f"line:{INK}", "capacity (100%)"),
        (f"line:{OVER_TARGET}", f"target ({pct(target)})"),
        (f"line:{OVER_LIMIT}", f"hard limit ({pct(hard_limit)})"),
    ]
    return legend(items, 980)


def legend(items: Sequence[tuple[str, str]], width: float) -> str:
    body, x, y = [], 4.0, 4.0
    for colour, name in items:
        w = 24 + 6.6 * len(name)
        if x + w > width:
            x, y = 4.0, y + 20
        if colour.startswith("line:"):
            dash = "" if colour.endswith(INK) else 'stroke-dasharray="4 3"'
            body.append(_line(x + 6, y + 1, x + 6, y + 15, colour[5:], f'stroke-width="2" {dash}'))
        else:
            body.append(_rect(x, y + 2, 12, 12, colour, 'rx="2"'))
        body.append(_text(x + 17, y + 12, name, extra=f'fill="{INK}"'))
        x += w + 10
    return _svg(width, y + 22, "Legend", body, "legend")


def column_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[float]]],
    title: str,
    x_title: str,
    label_every: int = 1,
) -> str:
    """Vertical stacked columns: ``series`` is (name, colour, values) stacked bottom-up."""
    width, height, left, bottom, top = 1000.0, 250.0, 44.0, 210.0, 14.0
    totals = [sum(s[2][i] for s in series) for i in range(len(labels))]
    peak = max([*totals, 1.0])
    step = _nice_step(peak)
    peak = step * -(-peak // step)
    slot = (width - left - 8) / max(len(labels), 1)

    def y(v: float) -> float:
        return bottom - (bottom - top) * v / peak

    body = []
    value = 0.0
    while value <= peak + 1e-9:
        body.append(_line(left, y(value), width - 8, y(value), GRID))
        body.append(_text(left - 6, y(value) + 4, f"{value:g}", "end", f'fill="{MUTED}"'))
        value += step
    for i, name in enumerate(labels):
        base = 0.0
        tip = [name] + [f"{s[0]}: {s[2][i]:g}" for s in series]
        parts = []
        for _, colour, values in series:
            parts.append(
                _rect(
                    left + i * slot + slot * 0.12,
                    y(base + values[i]),
                    slot * 0.76,
                    y(base) - y(base + values[i]),
                    colour,
                )
            )
            base += values[i]
        body.append(
            f'<g class="column"><title>{esc(chr(10).join(tip))}</title>'
            f"{_rect(left + i * slot, top, slot, bottom - top, 'transparent')}"
            f"{''.join(parts)}</g>"
        )
        if i % label_every == 0:
            body.append(
                _text(left + (i + 0.5) * slot, bottom + 14, name, "middle", f'fill="{MUTED}"')
            )
    body.append(_line(left, bottom, width - 8, bottom, INK))
    body.append(_text((left + width) / 2, height - 6, x_title, "middle", f'fill="{MUTED}"'))
    return _svg(width, height, title, body)


def _nice_step(peak: float) -> float:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if peak / step <= 6:
            return float(step)
    return float(10 ** len(str(int(peak))))


def stacked_bars(
    rows: Sequence[tuple[str, Sequence[float]]], names: Sequence[str], title: str
) -> str:
    """Horizontal stacked bars, one per row, one segment per name (colours from PALETTE)."""
    label_w, bar_x, bar_w, row_h = 120.0, 128.0, 520.0, 20.0
    peak = max([sum(v) for _, v in rows] + [1.0])
    body, y = [], 6.0
    for label, values in rows:
        x = bar_x
        tip = [f"{label}: {sum(values):g} points"] + [
            f"  {n.replace('_', ' ')} {v:g}" for n, v in zip(names, values, strict=True) if v
        ]
        parts = []
        for k, v in enumerate(values):
            w = bar_w * v / peak
            if w > 0:
                parts.append(_rect(x, y + 3, w, row_h - 6, PALETTE[k % len(PALETTE)]))
            x += w
        body.append(
            f'<g class="stack"><title>{esc(chr(10).join(tip))}</title>'
            + _text(label_w, y + 14, label, "end", f'fill="{INK}"')
            + "".join(parts)
            + _text(x + 6, y + 14, f"{sum(values):g}", extra=f'fill="{MUTED}"')
            + "</g>"
        )
        y += row_h
    return _svg(bar_x + bar_w + 50, y + 6, title, body)


def reason_bars(rows: Sequence[tuple[str, int]], title: str) -> str:
    """Counts by reason as short horizontal bars."""
    if not rows:
        return ""
    label_w, bar_x, bar_w, row_h = 250.0, 258.0, 260.0, 22.0
    peak = max(n for _, n in rows) or 1
    body, y = [], 4.0
    for label, n in rows:
        colour = OVER_LIMIT if label.startswith("Unallocated") else BARS
        body.append(_text(label_w, y + 15, label, "end", f'fill="{INK}"'))
        body.append(_rect(bar_x, y + 4, bar_w * n / peak, row_h - 8, colour, 'rx="2"'))
        body.append(_text(bar_x + bar_w * n / peak + 6, y + 15, n, extra=f'fill="{INK}"'))
        y += row_h
    return _svg(bar_x + bar_w + 50, y + 4, title, body)
