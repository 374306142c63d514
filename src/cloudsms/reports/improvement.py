"""The improvement register's ranking, for people and programs (S12).

- `ranking_data`: JSON-ready data with a fixed shape: the policy (criteria, weights,
  thresholds), each ranked improvement with its exact and displayed score, its
  contributions and its explanation, and the improvements not yet assessed;
- `ranking_rows`: one row of text cells per ranked improvement, for CSV, its
  columns `RANKING_COLUMNS` followed by one column per criterion of the register's
  policy (the score given, 0 to 5): `ranking_columns` names them all;
- `ranking_table`: the ranking as a plain-text table, every cell escaped.

Serves S12 (prioritised improvements, each score explained) and ISO/IEC
20000-1:2011 4.5.5 (maintain and improve the SMS).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cloudsms._kit.checks import instance_problems, raise_problems
from cloudsms.errors import ValidationError, describe
from cloudsms.improvement import ImprovementRegister
from cloudsms.improvement.policy import plain
from cloudsms.reports._table import escape_text, format_table

if TYPE_CHECKING:
    from collections.abc import Sequence
    from decimal import Decimal

    from cloudsms.improvement import Improvement, RankedImprovement

__all__ = [
    "RANKING_COLUMNS",
    "ranking_columns",
    "ranking_data",
    "ranking_rows",
    "ranking_table",
]

RANKING_COLUMNS: Sequence[str] = (
    "rank",
    "improvement",
    "title",
    "state",
    "source",
    "area",
    "owner",
    "score",
    "link",
    "impact",
    "closed",
)
"""The fixed columns of `ranking_rows`, in order; one column per criterion follows."""

_SUBJECT = "Improvement ranking"
_TITLE_WIDTH = 30


def _checked(register: object, include_closed: object) -> ImprovementRegister:
    problems = instance_problems(register, ImprovementRegister, "$.register")
    raise_problems(problems, _SUBJECT)
    if not isinstance(include_closed, bool):
        raise ValidationError.single(
            "$.include_closed", "true or false", describe(include_closed), subject=_SUBJECT
        )
    return register  # type: ignore[return-value]


def _weight(value: Decimal) -> str:
    """Every digit of a weight or of points, whatever the caller's decimal context."""
    return plain(value)


def _link(improvement: Improvement) -> str:
    """``change:ID``, ``design:ID`` or ``-``: what carries the improvement out."""
    if improvement.change_id is not None:
        return f"change:{improvement.change_id}"
    if improvement.design_id is not None:
        return f"design:{improvement.design_id}"
    return "-"


def _impact(ranked: RankedImprovement) -> str:
    """``major`` or ``minor`` as recorded, with today's verdict where the policy changed since."""
    recorded = "major" if ranked.impact.major else "minor"
    if not ranked.verdict_differs:
        return recorded
    return f"{recorded} (policy now: {'major' if ranked.policy_major else 'minor'})"


def _differing(ranked: RankedImprovement) -> str:
    """``imp-2 (recorded minor, now major)``."""
    recorded, now = ("major", "minor") if ranked.impact.major else ("minor", "major")
    return f"{ranked.improvement.id} (recorded {recorded}, now {now})"


def ranking_columns(register: ImprovementRegister) -> tuple[str, ...]:
    """Every column of `ranking_rows` for ``register``: `RANKING_COLUMNS`, then the criteria.

    Raises:
        ValidationError: ``register`` is not an `ImprovementRegister`.
    """
    checked = _checked(register, include_closed=False)
    return (*RANKING_COLUMNS, *checked.policy.keys)


def ranking_data(register: ImprovementRegister, *, include_closed: bool = False) -> dict[str, Any]:
    """The ranking as JSON-ready data (strings, numbers, booleans, lists, objects).

    Keys: ``register``, ``policy`` (``criteria``: key, title, weight as a string;
    ``major_impact_services``, ``major_impact_customers``), ``ranked`` (one object
    per ranked improvement: rank, id, title, state, source, area, owner, ``score``
    rounded to two places as a string, ``score_exact`` as a fraction
    ``"numerator/denominator"``, ``contributions`` (key, score, weight, points,
    share as a fraction), ``link``, ``impact`` (the services, customers and
    verdict its assessment recorded), ``policy_major`` (today's policy's verdict
    on them), ``verdict_differs``, ``judged_by`` (the thresholds the assessment
    recorded: ``services``, ``customers``; ``null`` where none were recorded),
    ``thresholds_differ`` (they are not the policy's today), ``closed``,
    ``explanation``) and
    ``unassessed`` (the ids of the open improvements never scored).

    Raises:
        ValidationError: ``register`` is not an `ImprovementRegister`, or
            ``include_closed`` is not a bool.

    Examples:
        >>> data = ranking_data(ImprovementRegister(id="imp-register"))
        >>> data["ranked"], [c["weight"] for c in data["policy"]["criteria"]]
        ([], ['3', '2', '2', '1'])
    """
    checked = _checked(register, include_closed)
    policy = checked.policy
    return {
        "register": checked.id,
        "policy": {
            "criteria": [
                {"key": c.key, "title": c.title, "weight": _weight(c.weight)}
                for c in policy.criteria
            ],
            "major_impact_services": policy.major_impact_services,
            "major_impact_customers": policy.major_impact_customers,
        },
        "ranked": [_ranked_data(r) for r in checked.ranked(include_closed=include_closed)],
        "unassessed": [i.id for i in checked.unassessed()],
    }


def _ranked_data(ranked: RankedImprovement) -> dict[str, Any]:
    found = ranked.improvement
    return {
        "rank": ranked.rank,
        "id": found.id,
        "title": found.title,
        "state": found.state,
        "source": found.source.value,
        "area": found.area.value,
        "owner": found.owner,
        "score": str(ranked.display_score),
        "score_exact": f"{ranked.score.numerator}/{ranked.score.denominator}",
        "contributions": [
            {
                "key": c.key,
                "score": c.score,
                "weight": _weight(c.weight),
                "points": _weight(c.points),
                "share": f"{c.share.numerator}/{c.share.denominator}",
            }
            for c in ranked.contributions
        ],
        "link": _link(found),
        "impact": ranked.impact.to_data(),
        "policy_major": ranked.policy_major,
        "verdict_differs": ranked.verdict_differs,
        "judged_by": _judged_by(ranked),
        "thresholds_differ": ranked.thresholds_differ,
        "closed": ranked.closed,
        "explanation": ranked.explanation,
    }


def _judged_by(ranked: RankedImprovement) -> dict[str, int] | None:
    if ranked.judged_by is None:
        return None
    services, customers = ranked.judged_by
    return {"services": services, "customers": customers}


def ranking_rows(
    register: ImprovementRegister, *, include_closed: bool = False
) -> list[dict[str, str]]:
    """One row of text cells per ranked improvement, best first (see `ranking_columns`).

    ``score`` is rounded to two places; ``link`` is ``change:ID``, ``design:ID`` or
    ``-``; ``impact`` is the verdict its assessment recorded, ``major`` or
    ``minor``, followed by ``(policy now: ...)`` where today's policy would judge
    the same counts otherwise (the recorded verdict stands); ``closed`` is ``yes``
    or ``no``; each criterion's column holds its score.

    Raises:
        ValidationError: as `ranking_data`.
    """
    checked = _checked(register, include_closed)
    rows: list[dict[str, str]] = []
    for ranked in checked.ranked(include_closed=include_closed):
        found = ranked.improvement
        row = {
            "rank": str(ranked.rank),
            "improvement": found.id,
            "title": found.title,
            "state": found.state,
            "source": found.source.value,
            "area": found.area.value,
            "owner": found.owner,
            "score": str(ranked.display_score),
            "link": _link(found),
            "impact": _impact(ranked),
            "closed": "yes" if ranked.closed else "no",
        }
        row.update({c.key: str(c.score) for c in ranked.contributions})
        rows.append(row)
    return rows


def _short(title: str) -> str:
    return title if len(title) <= _TITLE_WIDTH else title[: _TITLE_WIDTH - 3] + "..."


def ranking_table(register: ImprovementRegister, *, include_closed: bool = False) -> str:
    """The ranking as a plain-text table, with the criteria above and the unassessed below.

    A first line names the register and how many improvements are ranked; a second
    gives each criterion with its weight. One row per ranked improvement follows
    (rank, id, score, state, link, and the title shortened to 30 characters, so a
    row fits 80 columns for short ids). A line then names the improvements
    assessed under other thresholds than the policy's today that give the same
    verdict, if any; another those whose recorded impact today's policy would judge
    otherwise (the recorded verdict stands), if any; and a last line those not yet
    assessed, if any. Every cell
    is escaped.

    Raises:
        ValidationError: as `ranking_data`.

    Examples:
        >>> print(ranking_table(ImprovementRegister(id="imp-register")))
        Improvement register imp-register: 0 ranked
        Criteria (weight): business_objectives 3, provider_capability 2, ..., impact_on_others 1
        rank  improvement  score  state  link  title
        ----  -----------  -----  -----  ----  -----
    """
    checked = _checked(register, include_closed)
    ranked = checked.ranked(include_closed=include_closed)
    criteria = ", ".join(f"{c.key} {_weight(c.weight)}" for c in checked.policy.criteria)
    lines = [
        f"Improvement register {escape_text(checked.id)}: {len(ranked)} ranked",
        f"Criteria (weight): {criteria}",
    ]
    rows = [
        {
            "rank": str(r.rank),
            "improvement": r.improvement.id,
            "score": str(r.display_score),
            "state": r.improvement.state,
            "link": _link(r.improvement),
            "title": _short(r.improvement.title),
        }
        for r in ranked
    ]
    columns = ("rank", "improvement", "score", "state", "link", "title")
    lines.append(format_table(columns, rows))
    other = [r.id for r in ranked if r.thresholds_differ and not r.verdict_differs]
    if other:
        lines.append(
            "Assessed under other thresholds than the current policy's (same verdict): "
            + ", ".join(other)
        )
    differing = [_differing(r) for r in ranked if r.verdict_differs]
    if differing:
        lines.append(
            "Impact judged otherwise by the current policy (the recorded verdict stands): "
            + ", ".join(differing)
        )
    waiting = checked.unassessed()
    if waiting:
        lines.append("Not yet assessed: " + ", ".join(i.id for i in waiting))
    return "\n".join(lines)
