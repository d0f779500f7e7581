"""The self-contained HTML page: inline CSS, inline SVG, a little inline script.

A Content-Security-Policy forbids every network fetch and allows only the one
script whose hash we computed, so even a value that slipped past escaping could
not run or phone home.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from caseweight.report import charts
from caseweight.report.assets import CSS, SCRIPT
from caseweight.report.build import ReportData
from caseweight.report.charts import esc, pct
from caseweight.report.content import ROLES, ReportTable, number, reason_label, role_label, text
from caseweight.report.html_table import filter_controls, format_value, render_table

SECTIONS = (
    ("headline", "Headline"),
    ("load", "Load per worker"),
    ("moves", "Changes"),
    ("transition", "Care leavers and transition"),
    ("scores", "Scores"),
    ("config", "Weights and config"),
)


def render_html(data: ReportData) -> str:
    """The whole page as one string."""
    summary = data.proposal.summary
    script_hash = base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
    csp = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        f"script-src 'sha256-{script_hash}'; base-uri 'none'; form-action 'none'"
    )
    nav = "".join(f'<a href="#{key}">{esc(title)}</a>' for key, title in SECTIONS)
    body = "".join(
        (
            _headline(data),
            _load(data),
            _moves(data),
            _transition(data),
            _scores(data),
            _config(data),
        )
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en-GB"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(csp)}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Caseload allocation proposal, {esc(summary.get('as_of', ''))}</title>"
        f"<style>{CSS}</style></head><body>"
        '<header class="page"><h1>Caseload allocation proposal</h1>'
        f"<p>As of {esc(summary.get('as_of', '?'))} · weights "
        f"{esc(summary.get('config_version', 'not recorded'))} · "
        f"generated {esc(data.generated_at)}</p></header>"
        f'<nav class="toc" aria-label="Sections">{nav}</nav>'
        f"<main>{body}</main>"
        "<footer>caseweight proposal report. Pseudonymised references only; a proposal "
        "for a manager to review, not a decision.</footer>"
        f"<script>{SCRIPT}</script></body></html>\n"
    )


def _card(label: str, value: str, sub: str = "", tone: str = "") -> str:
    sub_html = f'<div class="sub">{esc(sub)}</div>' if sub else ""
    return (
        f'<div class="card {tone}"><div class="label">{esc(label)}</div>'
        f'<div class="value">{esc(value)}</div>{sub_html}</div>'
    )


def _headline_cards(data: ReportData) -> str:
    """The six headline figures a manager reads first."""
    s = data.proposal.summary
    figures = {r[0]: r[1] for r in data.headline.rows}
    changes, allocations = figures.get("Changes of worker proposed"), figures.get("Allocations")
    unallocated = figures.get("Unallocated") or 0
    over_before = figures.get("Workers over target before")
    over_after = figures.get("Workers over target after")
    peak = figures.get("Highest utilisation after")
    gap = figures.get("Optimality gap")
    by_role = s.get("by_role")
    by_role = by_role if isinstance(by_role, dict) else {}
    role_changes = " · ".join(
        f"{role_label(str(r)).lower()} {format_value(f.get('changes'), 'int')}"
        for r, f in by_role.items()
        if isinstance(f, dict)
    )
    cards = [
        _card(
            "Changes of worker proposed",
            format_value(changes, "int"),
            f"of {format_value(allocations, 'int')} allocations"
            + (f" ({role_changes})" if role_changes else "")
            + _new_allocations(s),
        ),
        _card(
            "Unallocated",
            format_value(unallocated, "int"),
            "young people left without a worker they need" if unallocated else "everyone allocated",
            "bad" if unallocated else "good",
        ),
        _card(
            "Workers over target",
            f"{format_value(over_before, 'int')} → {format_value(over_after, 'int')}",
            f"target {pct(data.target)} of capacity",
            "good" if number(over_after) <= number(over_before) else "warn",
        ),
        _card(
            "Highest utilisation after",
            format_value(peak, "pct"),
            f"hard limit {pct(data.hard_limit)}",
            "bad" if number(peak) > data.hard_limit + 1e-9 else "",
        ),
        _card(
            "Solve quality",
            *_solve_quality(str(s.get("status", "")), gap, figures.get("Solve seconds")),
        ),
        _card(
            "Young people · workers",
            f"{format_value(figures.get('Young people'), 'int')} · "
            f"{format_value(figures.get('Workers'), 'int')}",
        ),
    ]
    return "".join(cards)


def _headline(data: ReportData) -> str:
    s = data.proposal.summary
    warnings = (
        [str(w) for w in s.get("warnings", []) or []]
        if isinstance(s.get("warnings", []), list)
        else []
    )
    warn_html = (
        '<ul class="warnings">' + "".join(f"<li>{esc(w)}</li>" for w in warnings) + "</ul>"
        if warnings
        else ""
    )
    reasons = [(reason_label(r[0]), int(r[2])) for r in data.reasons.rows]
    chart = charts.reason_bars(reasons, "Changes and unallocated by reason")
    return (
        '<section id="headline"><h2>Headline</h2>'
        f'<div class="cards">{_headline_cards(data)}</div>{warn_html}'
        "<h3>Changes, new allocations and unallocated, by reason</h3>"
        + (
            f'<div class="chart-wrap">{chart}</div>'
            if chart
            else '<p class="note">No changes proposed.</p>'
        )
        + "</section>"
    )


def _new_allocations(summary: dict[str, Any]) -> str:
    new = summary.get("new_allocations")
    if isinstance(new, (int, float)) and not isinstance(new, bool) and new:
        return f"; plus {int(new):,} new allocations"
    return ""


def _solve_quality(status: str, gap: Any, seconds: Any) -> tuple[str, str, str]:
    """Value, note and tone of the solve-quality card; a gap means nothing without a solution."""
    took = f"in {format_value(seconds, 'num')} s"
    word = status.strip().lower()
    if word not in {"optimal", "feasible"}:
        shown = status.replace("_", " ").capitalize() or "Unknown"
        return shown, f"solver status {took}: check the warnings", "bad"
    if gap is None:
        return word.capitalize(), took, "good" if word == "optimal" else "warn"
    tone = "good" if word == "optimal" or number(gap) <= 0.05 else "warn"
    return f"{number(gap) * 100:.1f}% gap", f"{word} {took}", tone


def _load(data: ReportData) -> str:
    parts = [
        '<section id="load"><h2>Load per worker, before and after</h2>',
        '<p class="note">Bars show load as a share of each worker\'s capacity. Hover over a '
        "bar to see the young people they would hold; click it to open the list.</p>",
        charts.load_legend(data.target, data.hard_limit),
    ]
    roles = list(dict.fromkeys(v.role for v in data.views))
    for number_of_role, role in enumerate(roles):
        views = [v for v in data.views if v.role == role]
        anchor = f"w{number_of_role}"
        title = f"{role_label(role)}s ({len(views)})"
        parts.append(f"<h3>{esc(title)}</h3>")
        parts.append(
            '<div class="chart-wrap">'
            + charts.worker_load_chart(
                views,
                f"Utilisation of {role_label(role).lower()}s",
                data.target,
                data.hard_limit,
                anchor,
            )
            + "</div>"
        )
        rows = [r for r in data.workers.rows if r[1] == role_label(role)]
        cells = [[_cases_html(v, f"{anchor}-{i}")] for i, v in enumerate(views)]
        parts.append(
            render_table(
                data.workers,
                f"workers-{number_of_role}",
                rows=rows,
                extra_headers=("Young people after",),
                extra_cells=cells,
                skip=("role",),
            )
        )
    return "".join(parts) + "</section>"


def _cases_html(view: charts.WorkerView, anchor: str) -> str:
    items = "".join(
        f"<li>{esc(pid)} · {pts:g} pts · {esc(why.replace('_', ' '))}</li>"
        for pid, pts, why in view.cases
    )
    return (
        f'<details id="{esc(anchor)}"><summary>{len(view.cases)} young people</summary>'
        f"<ul>{items}</ul></details>"
    )


def _moves(data: ReportData) -> str:
    rows = [(*r[:4], reason_label(str(r[4])), *r[5:]) for r in data.moves.rows]
    reasons = sorted({str(r[4]) for r in rows})
    roles = [ROLES[r] for r in ROLES if any(row[1] == ROLES[r] for row in rows)]
    un_rows = [(*r[:4], reason_label(str(r[4])), *r[5:]) for r in data.unallocated.rows]
    return (
        '<section id="moves"><h2>Proposed changes of worker</h2>'
        + filter_controls("moves-table", "Filter", [(1, "Role", roles), (4, "Reason", reasons)])
        + render_table(data.moves, "moves-table", rows=rows, empty="No changes proposed.")
        + f"<h3>Left unallocated ({len(un_rows)})</h3>"
        + render_table(
            data.unallocated,
            "unallocated-table",
            rows=un_rows,
            skip=("to",),
            empty="Every young person has the workers they need.",
        )
        + "</section>"
    )


def _transition(data: ReportData) -> str:
    t = data.transition
    parts = [
        '<section id="transition"><h2>Care leavers and transition</h2>',
        '<p class="note">Each eligible child in care aged 16–17 should have a personal adviser '
        "(Children Act 1989 sch. 2 para 19C); allocating one early gives continuity through "
        "the 18th birthday.</p>",
    ]
    parts.append(f'<p class="note">{esc(t.note)}</p>' if t.note else _transition_overview(t))
    parts.append(f"<h3>{esc(data.turning_18.title)} ({len(data.turning_18.rows)})</h3>")
    parts.append(
        render_table(
            data.turning_18,
            "turning-18-table",
            empty=data.turning_18.note or "Nobody turns 18 in this period.",
        )
    )
    parts.append("<h3>Personal adviser caseloads</h3>")
    parts.append(render_table(data.pa_caseloads, "pa-table", empty="No personal advisers."))
    return "".join(parts) + "</section>"


def _transition_overview(t: ReportTable) -> str:
    """Cards and the by-month chart of in-care 16–17 year olds with and without a PA."""
    in_care = sum(r[2] for r in t.rows)
    now, proposed = sum(r[3] for r in t.rows), sum(r[4] for r in t.rows)
    cards = (
        _card("In care aged 16–17", f"{in_care}")
        + _card("With a personal adviser now", f"{now}", pct(now / in_care) if in_care else "")
        + _card(
            "With a personal adviser proposed",
            f"{proposed}",
            pct(proposed / in_care) if in_care else "",
            "good" if proposed == in_care else "warn",
        )
    )
    chart = charts.column_chart(
        [f"{r[0] // 12}y{r[0] % 12}m" for r in t.rows],
        [
            ("With a PA (proposed)", charts.WITH_PA, [r[4] for r in t.rows]),
            ("Without a PA (proposed)", charts.WITHOUT_PA, [r[5] for r in t.rows]),
        ],
        "In care aged 16–17 with and without a personal adviser",
        "Age in years and months",
        label_every=3,
    )
    legend = charts.legend(
        [
            (charts.WITH_PA, "with a personal adviser (proposed)"),
            (charts.WITHOUT_PA, "without a personal adviser"),
        ],
        600,
    )
    return (
        f'<div class="cards">{cards}</div><h3>In care aged 16–17 by age in months</h3>'
        f'<div class="chart-wrap">{chart}{legend}</div>'
    )


def _scores(data: ReportData) -> str:
    bins = data.score_distribution.rows
    histogram = charts.column_chart(
        [str(r[0]) for r in bins],
        [("Young people", charts.BARS, [r[3] for r in bins])],
        "Distribution of young people's scores",
        "Score (points)",
        label_every=max(1, len(bins) // 10),
    )
    factors = data.proposal.factors
    heavy = data.heaviest
    stacks = [(str(r[0]), [number(v) for v in r[3:]]) for r in heavy.rows]
    used = [k for k, f in enumerate(factors) if any(s[1][k] for s in stacks)]
    legend = charts.legend(
        [(charts.PALETTE[k % len(charts.PALETTE)], factors[k].replace("_", " ")) for k in used], 700
    )
    return (
        '<section id="scores"><h2>Scores</h2>'
        f'<p class="note">Scores of {len(text(data.proposal.scores, "person_id"))} young people.'
        "</p>"
        f'<div class="chart-wrap">{histogram}</div>'
        f"<h3>{esc(heavy.title)}: what drives their score</h3>"
        + (
            f'<div class="chart-wrap">{charts.stacked_bars(stacks, factors, heavy.title)}'
            f"{legend}</div>"
            if stacks
            else ""
        )
        + render_table(heavy, "heaviest-table", skip=factors)
        + "</section>"
    )


def _config(data: ReportData) -> str:
    rows = "".join(
        f'<tr><th scope="row">{esc(k)}</th><td>'
        + (f'<code class="digest">{esc(v)}</code>' if "SHA" in k else esc(v))
        + "</td></tr>"
        for k, v in data.config.rows
    )
    return (
        '<section id="config"><h2>Weights and configuration</h2>'
        '<p class="note">The digest identifies the exact weights file this proposal was made '
        "with; compare it with <code>caseweight</code>'s config to trace any score.</p>"
        f'<div class="table-wrap"><table><tbody>{rows}</tbody></table></div></section>'
    )
