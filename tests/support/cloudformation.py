"""CloudFormation custom-resource events, as CloudFormation sends them to a Lambda-backed resource."""

from __future__ import annotations

from tests.support.aws import DAY_ONE_PARAMETER

KEY_PROPERTY = "KeyArn"


def day_one_properties(key_arn: str = "", retain: bool = True) -> dict:
    """The Custom::DayOneCertificate properties the stack sets (cdk/credentials.py issue_at_deploy)."""
    return {"ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:issuer", KEY_PROPERTY: key_arn,
            "ParameterName": DAY_ONE_PARAMETER, "Retain": "true" if retain else "false"}


def event(request: str, properties: dict | None = None, old: dict | None = None, response_url: str = "",
          physical_id: str = "") -> dict:
    body = {"RequestType": request, "RequestId": f"req-{request}", "StackId": "arn:aws:cloudformation:stack/test",
            "LogicalResourceId": "CredentialsDayOneCertificate", "ResourceType": "Custom::DayOneCertificate",
            "ResourceProperties": properties or day_one_properties()}
    if old is not None:
        body["OldResourceProperties"] = old
    if physical_id:
        body["PhysicalResourceId"] = physical_id
    if response_url:
        body["ResponseURL"] = response_url
    return body


def create_event(**kwargs) -> dict:
    return event("Create", **kwargs)


def run_issuer(request_event: dict) -> dict:
    """The deploy-time issuer's answer to `request_event` (functions/credentials/issuer.py)."""
    from credentials import issuer
    from tests.support.events import LambdaContext

    return issuer.handler(request_event, LambdaContext(function_name="studio-credentials-issuer"))
