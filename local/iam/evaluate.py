"""An IAM policy evaluator: does this principal's policy allow this action on this resource?

It follows AWS's evaluation logic for one account (docs: "Policy evaluation logic", "IAM JSON policy
elements"): an explicit Deny in any applicable statement wins; else an Allow in the identity policy
or in the resource's policy (for a principal that policy names) allows; else the request is
implicitly denied. Statements match by Action/NotAction (case-insensitive, * and ? wildcards),
Resource/NotResource (ARNs matched part by part, as ArnLike does) and Condition.

Conditions: the operators the stack uses and their usual family (String*, Arn*, Bool, Null, Numeric*),
each with ...IfExists, and the ForAnyValue:/ForAllValues: set prefixes. Keys are case-insensitive.
An operator this evaluator does not know raises UnsupportedCondition: a policy it cannot read is
never taken as allowing anything.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable

ARN_PARTS = 6  # arn:partition:service:region:account:resource (the resource part may hold colons)


class UnsupportedCondition(ValueError):
    """A condition operator this evaluator does not implement."""


@dataclass(frozen=True)
class Principal:
    """Who calls: a role (its ARN, for resource policies that name it) or an AWS service."""

    arn: str = ""
    service: str = ""
    account: str = ""


@dataclass
class Decision:
    allowed: bool
    reason: str  # "allowed", "explicit deny" or "no statement allows"
    statement: dict | None = None


@dataclass
class Request:
    action: str  # e.g. "s3:GetObject"
    resource: str  # one ARN
    context: dict[str, Any] = field(default_factory=dict)  # condition keys, e.g. {"aws:SecureTransport": "true"}


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


@lru_cache(maxsize=4096)
def _pattern(glob: str, ignore_case: bool) -> re.Pattern:
    return re.compile(fnmatch.translate(glob), re.IGNORECASE if ignore_case else 0)


def _glob(pattern: str, value: str, ignore_case: bool = False) -> bool:
    # fnmatch would also read [..] as a set; IAM has only * and ?.
    escaped = pattern.replace("[", "[[]")
    return bool(_pattern(escaped, ignore_case).fullmatch(value))


def action_matches(pattern: str, action: str) -> bool:
    return _glob(pattern, action, ignore_case=True)


def arn_matches(pattern: str, arn: str) -> bool:
    """ArnLike: each of the first five colon-separated parts matched on its own, the resource part whole."""
    if pattern == "*":
        return True
    want, have = pattern.split(":", ARN_PARTS - 1), arn.split(":", ARN_PARTS - 1)
    if len(want) != ARN_PARTS or len(have) != ARN_PARTS:
        return _glob(pattern, arn)
    return all(_glob(w, h) for w, h in zip(want, have))


def _context_value(context: dict[str, Any], key: str) -> list[str] | None:
    for name, value in context.items():
        if name.lower() == key.lower():
            return [str(v).lower() if isinstance(v, bool) else str(v) for v in _as_list(value)]
    return None


def _compare(operator: str, wanted: str, have: str) -> bool:
    if operator in ("StringEquals", "ArnEquals"):
        return have == wanted if operator == "StringEquals" else arn_matches(wanted, have)
    if operator == "StringEqualsIgnoreCase":
        return have.lower() == wanted.lower()
    if operator == "StringLike":
        return _glob(wanted, have)
    if operator == "ArnLike":
        return arn_matches(wanted, have)
    if operator == "Bool":
        return have.lower() == str(wanted).lower()
    if operator.startswith("Numeric"):
        a, b = float(have), float(wanted)
        return {"NumericEquals": a == b, "NumericLessThan": a < b, "NumericLessThanEquals": a <= b,
                "NumericGreaterThan": a > b, "NumericGreaterThanEquals": a >= b}[operator]
    raise UnsupportedCondition(operator)


NEGATED = {"StringNotEquals": "StringEquals", "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
           "StringNotLike": "StringLike", "ArnNotEquals": "ArnEquals", "ArnNotLike": "ArnLike",
           "NumericNotEquals": "NumericEquals"}
POSITIVE = {"StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike", "Bool", "NumericEquals",
            "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals"}


def _condition_holds(operator: str, key: str, wanted: Any, context: dict[str, Any]) -> bool:
    qualifier = ""
    if ":" in operator and operator.split(":", 1)[0] in ("ForAnyValue", "ForAllValues"):
        qualifier, operator = operator.split(":", 1)
    if_exists = operator.endswith("IfExists")
    operator = operator.removesuffix("IfExists")
    have = _context_value(context, key)
    wanted_values = [str(v).lower() if isinstance(v, bool) else str(v) for v in _as_list(wanted)]
    if operator == "Null":  # "true": the key must be absent
        return (have is None) == (wanted_values[0].lower() == "true")
    if have is None:
        # Missing key: positive operators fail, negated ones hold (AWS's documented behaviour); IfExists
        # and ForAllValues hold.
        return if_exists or qualifier == "ForAllValues" or operator in NEGATED
    negated = operator in NEGATED
    base = NEGATED.get(operator, operator)
    if base not in POSITIVE:
        raise UnsupportedCondition(operator)

    def one(value: str) -> bool:
        return any(_compare(base, w, value) for w in wanted_values)

    if qualifier == "ForAllValues":
        result = all(one(v) for v in have)
    else:  # a single-valued key, or ForAnyValue
        result = any(one(v) for v in have)
    return not result if negated else result


def conditions_hold(condition: dict | None, context: dict[str, Any]) -> bool:
    return all(_condition_holds(operator, key, wanted, context)
               for operator, keys in (condition or {}).items() for key, wanted in keys.items())


def statement_applies(statement: dict, request: Request) -> bool:
    if "Action" in statement:
        if not any(action_matches(p, request.action) for p in _as_list(statement["Action"])):
            return False
    elif "NotAction" in statement:
        if any(action_matches(p, request.action) for p in _as_list(statement["NotAction"])):
            return False
    else:
        return False
    if "Resource" in statement:
        if not any(arn_matches(p, request.resource) for p in _as_list(statement["Resource"])):
            return False
    elif "NotResource" in statement:
        if any(arn_matches(p, request.resource) for p in _as_list(statement["NotResource"])):
            return False
    return conditions_hold(statement.get("Condition"), request.context)


def principal_named(statement: dict, principal: Principal) -> bool:
    """Whether a resource policy's statement names this principal (Principal "*" names everyone)."""
    named = statement.get("Principal")
    if named == "*":
        return True
    if not isinstance(named, dict):
        return False
    for kind, values in named.items():
        for value in _as_list(values):
            if value == "*" and kind == "AWS":
                return True
            if kind == "Service" and principal.service and value == principal.service:
                return True
            if kind == "AWS" and principal.arn and (value == principal.arn or
                                                    value == f"arn:aws:iam::{principal.account}:root"):
                return True
    return False


def evaluate(request: Request, identity: Iterable[dict], resource_policy: Iterable[dict] = (),
             principal: Principal = Principal()) -> Decision:
    """AWS's decision for one request: explicit deny > allow (identity or resource policy) > implicit deny."""
    applicable = [s for s in identity]
    applicable += [s for s in resource_policy if principal_named(s, principal)]
    allow = None
    for statement in applicable:
        if not statement_applies(statement, request):
            continue
        if statement.get("Effect") == "Deny":
            return Decision(False, "explicit deny", statement)
        if statement.get("Effect") == "Allow" and allow is None:
            allow = statement
    if allow is not None:
        return Decision(True, "allowed", allow)
    return Decision(False, "no statement allows")
