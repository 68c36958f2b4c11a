"""Models where they run, models that leave, and the sign-in pages: what the stack synthesizes for them."""

from __future__ import annotations

import base64
import re

from cdk import constants as c
from studio import routes

from .walk import as_list, render, statements, studio_functions

MODEL_LIFECYCLE = "model-lifecycle"


def role_statements(synth, function: str) -> list[dict]:
    _, fn = studio_functions(synth)[function]
    role = fn["Properties"]["Role"]["Fn::GetAtt"][0]
    return [s for _, roles, s in statements(synth) if {"Ref": role} in roles]


def test_the_embedding_model_is_granted_and_called_in_embedding_region_not_bedrock_region(default):
    # Given bedrockRegion us-west-2 and embeddingRegion us-east-1 (cdk.json)
    assert (default.config.bedrock_region, default.config.embedding_region) == ("us-west-2", "us-east-1")
    embed = "amazon.nova-2-multimodal-embeddings-v1:0"
    for function in ("gallery", "index"):
        resources = {render(r) for s in role_statements(default, function) if "bedrock:InvokeModel" in as_list(s["Action"])
                     for r in as_list(s["Resource"])}
        assert f"arn:${{AWS::Partition}}:bedrock:us-east-1::foundation-model/{embed}" in resources
        assert not any(embed in r and "us-west-2" in r for r in resources)
        env = studio_functions(default)[function][1]["Properties"]["Environment"]["Variables"]
        assert env["EMBEDDING_REGION"] == "us-east-1"
    assert "BEDROCK_REGION" not in studio_functions(default)["gallery"][1]["Properties"]["Environment"]["Variables"]


def test_the_lifecycle_check_runs_daily_with_only_what_it_needs(default):
    spec = routes.function(MODEL_LIFECYCLE)
    assert spec.trigger == "schedule" and spec.schedule_minutes == 24 * 60
    rules = [r for r in default.of_type("AWS::Events::Rule").values() if r["Properties"]["ScheduleExpression"] == "rate(1 day)"]
    assert len(rules) == 1
    granted = role_statements(default, MODEL_LIFECYCLE)
    actions = sorted({a for s in granted for a in as_list(s["Action"])})
    assert actions == ["bedrock:GetFoundationModel", "dynamodb:UpdateItem", "logs:CreateLogStream", "logs:PutLogEvents",
                       "xray:PutTelemetryRecords", "xray:PutTraceSegments"]
    models = {render(r) for s in granted if s["Action"] == "bedrock:GetFoundationModel" for r in as_list(s["Resource"])}
    # Then exactly the models the stack calls, each in the region it calls it in
    assert models == {f"arn:${{AWS::Partition}}:bedrock:{call.region}::foundation-model/{call.base_model}"
                      for call in default.config.model_calls()}
    assert "arn:${AWS::Partition}:bedrock:us-east-1::foundation-model/amazon.nova-2-multimodal-embeddings-v1:0" in models


def test_a_model_leaving_raises_an_alarm_to_the_alarm_topic(default):
    alarms = [a["Properties"] for a in default.of_type("AWS::CloudWatch::Alarm").values()
              if a["Properties"].get("MetricName") == c.MODEL_LIFECYCLE_METRIC]
    assert len(alarms) == 1
    alarm = alarms[0]
    assert alarm["Namespace"] == c.POWERTOOLS_NAMESPACE and alarm["Period"] == 86400
    assert alarm["Dimensions"] == [{"Name": "service", "Value": MODEL_LIFECYCLE}]
    assert alarm["Threshold"] == c.MODEL_LIFECYCLE_ALARM_THRESHOLD == 1
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    topic = default.logical_id("MonitoringAlarms", "AWS::SNS::Topic")
    assert alarm["AlarmActions"] == [{"Ref": topic}]


def test_sign_in_is_managed_login_version_2_branded_in_the_products_colours_and_logo(default):
    _, domain = default.one("AWS::Cognito::UserPoolDomain")
    assert domain["Properties"]["ManagedLoginVersion"] == 2
    _, branding = default.one("AWS::Cognito::ManagedLoginBranding")
    props = branding["Properties"]
    web_client = next(k for k, v in default.of_type("AWS::Cognito::UserPoolClient").items()
                      if v["Properties"]["ClientName"] == "web")
    assert props["ClientId"] == {"Ref": web_client}
    # The colours are the web UI's own (web/css/app.css), not copies that could drift
    css = (c.WEB_DIR / "css" / "app.css").read_text()
    for variable, value in (("--accent", c.BRAND_ACCENT), ("--accent-hover", c.BRAND_ACCENT_HOVER),
                            ("--accent-ink", c.BRAND_ACCENT_INK), ("--bg", c.BRAND_PAGE)):
        assert re.search(rf"{variable}:\s*{value};", css), variable
    button = props["Settings"]["components"]["primaryButton"]["lightMode"]["defaults"]
    assert button == {"backgroundColor": "2f3a8fff", "textColor": "ffffffff"}
    logo = base64.b64encode((c.WEB_DIR / "icon.svg").read_bytes()).decode("ascii")
    assert {(a["Category"], a["Extension"], a["Bytes"]) for a in props["Assets"]} == {
        ("FORM_LOGO", "SVG", logo), ("FAVICON_SVG", "SVG", logo)}


def test_the_docs_table_of_which_model_runs_where_is_the_catalogs():
    from studio import model_regions

    text = (c.ROOT / "docs" / "deploy.md").read_text()
    table = text.split("<!-- model-regions:start -->\n", 1)[1].split("\n<!-- model-regions:end -->", 1)[0]
    assert table == model_regions.markdown_table(), "regenerate the table from studio/model_regions.markdown_table()"
    # Every model the app can call has a row
    from studio import catalog

    for model_id in (*catalog.IMAGE_MODELS_BY_ID, *catalog.EDIT_MODEL_IDS, catalog.DEFAULT_EMBEDDING_MODEL_ID,
                     model_regions.split_profile_id(catalog.DEFAULT_TEXT_MODEL_ID)[1]):
        assert f"`{model_id}`" in table
