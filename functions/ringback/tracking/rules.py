"""Which tracking number a visit sees: the rules engine.

A site's routes are its static numbers and its pools, each with a rule. A rule is a set of
conditions; all must hold (AND), and a condition holds when the visit matches any of its
values (OR). An empty rule matches every visit.

Precedence, when several routes match:
0. the site's rule order, when it set one (ringback.tracking.rule_order): the first route
   of the order that matches wins; routes the order does not name come after it, as below;
1. the lower `priority` wins (default 100), so a customer can always force an order;
2. then the more specific rule: the one with more conditions;
3. then a static number before a pool (a static number is an exact channel);
4. then the route id, so the choice is deterministic.
No matching route: the visitor sees the site's own number, untracked.
"""
from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ringback.errors import InvalidInput
from ringback.tracking.visits import Visit

DEFAULT_PRIORITY = 100
CONDITIONS = (
    "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content",
    "referrer_domain", "landing_page", "region", "click_id",
)


@dataclass(frozen=True)
class Route:
    kind: str  # static | pool
    target: str  # the static number (E.164) or the pool id
    rule: dict[str, Any] = field(default_factory=dict)

    @property
    def priority(self) -> int:
        return int(self.rule.get("priority", DEFAULT_PRIORITY))

    @property
    def conditions(self) -> dict[str, list[str]]:
        return {k: v for k, v in self.rule.items() if k != "priority"}

    def sort_key(self) -> tuple[int, int, int, str]:
        return (self.priority, -len(self.conditions), 0 if self.kind == "static" else 1, self.target)


def validate_rule(rule: Any) -> dict[str, Any]:
    """A rule as stored: known conditions, each a non-empty list of short strings."""
    if not isinstance(rule, dict):
        raise InvalidInput("a rule is an object of conditions", code="invalid_rule")
    clean: dict[str, Any] = {}
    for key, values in rule.items():
        if key == "priority":
            if not isinstance(values, int) or not 0 <= values <= 1000:
                raise InvalidInput("priority is an integer from 0 to 1000", code="invalid_rule")
            clean[key] = values
            continue
        if key not in CONDITIONS:
            raise InvalidInput(f"unknown condition {key!r}; known: {', '.join(CONDITIONS)}", code="invalid_rule")
        if isinstance(values, str):
            values = [values]
        if not values or not all(isinstance(v, str) and 0 < len(v) <= 256 for v in values):
            raise InvalidInput(f"{key} needs one or more values", code="invalid_rule")
        clean[key] = [v.strip().lower() for v in values]
    return clean


def _domain_matches(domain: str | None, wanted: str) -> bool:
    if wanted == "direct":
        return domain is None
    return domain is not None and (domain == wanted or domain.endswith("." + wanted))


def _condition_holds(key: str, values: list[str], visit: Visit) -> bool:
    values = [v.lower() for v in values]
    if key.startswith("utm_"):
        return (visit.utm.get(key[4:]) or "").lower() in values
    if key == "referrer_domain":
        return any(_domain_matches(visit.referrer_domain, v) for v in values)
    if key == "landing_page":
        path = urlsplit(visit.landing_page or "").path or "/"
        return any(fnmatch.fnmatchcase(path.lower(), pattern) for pattern in values)
    if key == "region":
        country = (visit.region.get("country") or "").lower()
        region = f"{country}-{(visit.region.get('region') or '').lower()}"
        return any(v in (country, region) for v in values)
    if key == "click_id":
        present = {"gclid": visit.gclid, "yclid": visit.yclid}
        return any(present.get(v) for v in values)
    return False


def matches(route: Route, visit: Visit) -> bool:
    return all(_condition_holds(key, values, visit) for key, values in route.conditions.items())


def ranked(routes: list[Route], order: Sequence[str] = ()) -> list[Route]:
    """The routes in the order they are tried: the site's order first, then precedence."""
    position = {target: i for i, target in enumerate(order)}
    return sorted(routes, key=lambda r: (position.get(r.target, len(position)), *r.sort_key()))


def choose(routes: list[Route], visit: Visit, order: Sequence[str] = ()) -> Route | None:
    for route in ranked(routes, order):
        if matches(route, visit):
            return route
    return None
