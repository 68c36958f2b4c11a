"""Editing a synthesized template's grants, to show that the local world refuses what a narrower
policy would refuse (tests/e2e/test_e2e_iam_grants.py)."""

from __future__ import annotations

import copy
import json

from studio import routes


POLICY_TYPES = ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")


def _as_list(value):
    return value if isinstance(value, list) else [value]


def role_statements(template: dict, function: str) -> list[dict]:
    """The statements of the function's role (its IAM::Policy resources, and the overflow
    IAM::ManagedPolicy CDK adds past the inline size limit), as live dicts to edit."""
    handler = routes.function(function).handler
    resources = template["Resources"]
    role = next(r["Properties"]["Role"]["Fn::GetAtt"][0] for r in resources.values()
                if r["Type"] == "AWS::Lambda::Function" and r["Properties"].get("Handler") == handler)
    return [s for r in resources.values() if r["Type"] in POLICY_TYPES
            and {"Ref": role} in r["Properties"].get("Roles", []) for s in r["Properties"]["PolicyDocument"]["Statement"]]


def _policy_of(template: dict, statement: dict) -> list[dict]:
    for resource in template["Resources"].values():
        if resource["Type"] in POLICY_TYPES:
            statements = resource["Properties"]["PolicyDocument"]["Statement"]
            if any(s is statement for s in statements):
                return statements
    raise LookupError("statement not in any policy")


def narrow(template: dict, function: str, action: str, old: str, new: str) -> dict:
    """A copy whose `function` has `action` only where `old` in its resources reads `new`."""
    edited = copy.deepcopy(template)
    for statement in role_statements(edited, function):
        actions = _as_list(statement["Action"])
        if action not in actions:
            continue
        text = json.dumps(statement["Resource"])
        if old not in text:
            continue
        rest = [a for a in actions if a != action]
        narrowed = {**statement, "Action": action, "Resource": json.loads(text.replace(old, new))}
        policy = _policy_of(edited, statement)
        if rest:
            statement["Action"] = rest
        else:
            policy.remove(statement)
        policy.append(narrowed)
        return edited
    raise LookupError(f"{function} has no {action} on a resource with {old!r}")


def remove(template: dict, function: str, action: str, resource: str = "") -> dict:
    """A copy whose `function` no longer has `action` (on resources whose JSON contains `resource`)."""
    edited = copy.deepcopy(template)
    found = False
    for statement in list(role_statements(edited, function)):
        actions = _as_list(statement["Action"])
        if action not in actions or resource not in json.dumps(statement["Resource"]):
            continue
        found = True
        rest = [a for a in actions if a != action]
        if rest:
            statement["Action"] = rest
        else:
            _policy_of(edited, statement).remove(statement)
    if not found:
        raise LookupError(f"{function} has no {action} on {resource or 'any resource'}")
    return edited
