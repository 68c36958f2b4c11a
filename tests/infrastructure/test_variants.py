"""The optional features, switched on through context (one synth with all of them)."""

from __future__ import annotations

import json

from studio import routes
from studio.settings import ENV
from .walk import behaviors, check_bedrock_statements, check_nag, clients, render, studio_functions


def test_waf_guards_the_api_stage_with_managed_rules_and_a_rate_limit(variant):
    _, acl = variant.one("AWS::WAFv2::WebACL")
    props = acl["Properties"]
    assert props["Scope"] == "REGIONAL"
    names = {r["Name"] for r in props["Rules"]}
    assert {"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"} <= names
    (rate,) = [r for r in props["Rules"] if "RateBasedStatement" in r["Statement"]]
    assert rate["Action"] == {"Block": {}}
    assert rate["Statement"]["RateBasedStatement"]["Limit"] == variant.config.waf_rate_limit
    # keyed on the header CloudFront's function sets from the viewer address, not on X-Forwarded-For
    header = rate["Statement"]["RateBasedStatement"]["ForwardedIPConfig"]["HeaderName"]
    functions = [f["Properties"]["FunctionCode"] for f in variant.of_type("AWS::CloudFront::Function").values()]
    assert any(f"request.headers['{header}'] = {{ value: event.viewer.ip }}" in code for code in functions)
    _, association = variant.one("AWS::WAFv2::WebACLAssociation")
    arn = render(association["Properties"]["ResourceArn"])
    assert arn.startswith("arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${Api")
    assert arn.endswith("/stages/prod")


def test_custom_domain_gets_the_certificate_a_modern_tls_policy_and_absolute_urls(variant):
    config, _, _ = behaviors(variant)
    assert config["Aliases"] == ["studio.example.com"]
    assert config["ViewerCertificate"]["AcmCertificateArn"] == variant.config.certificate_arn
    assert config["ViewerCertificate"]["MinimumProtocolVersion"] == "TLSv1.2_2021"
    web = clients(variant)["web"]
    assert web["CallbackURLs"] == ["https://studio.example.com/", "http://localhost:8080/"]
    for name in ("generate", "gallery"):
        env = studio_functions(variant)[name][1]["Properties"]["Environment"]["Variables"]
        assert env[ENV["public_base_url"]] == "https://studio.example.com"
    site = variant.site_config()
    assert site["redirectUri"] == "https://studio.example.com/"


def test_uploads_cors_includes_localhost_only_when_allowed(variant):
    _, cors = variant.one("Custom::AWS")
    call = render(cors["Properties"]["Create"])
    assert '"AllowedOrigins":["https://studio.example.com","http://localhost:8080"]' in call


def test_allowed_email_domains_install_a_pre_sign_up_trigger(variant):
    _, pool = variant.one("AWS::Cognito::UserPool")
    props = pool["Properties"]
    assert props["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is False  # selfSignUp true
    trigger = props["LambdaConfig"]["PreSignUp"]
    function = variant.resources[trigger["Fn::GetAtt"][0]]["Properties"]
    assert function["Environment"]["Variables"]["ALLOWED_EMAIL_DOMAINS"] == "example.com,example.org"
    assert "PreSignUp_AdminCreateUser" in function["Code"]["ZipFile"]


def test_pre_sign_up_code_refuses_other_domains_and_lets_admins_create_anyone(variant, monkeypatch):
    from cdk.auth import PRE_SIGN_UP_CODE

    monkeypatch.setenv("ALLOWED_EMAIL_DOMAINS", "example.com, Example.org")
    namespace: dict = {}
    exec(compile(PRE_SIGN_UP_CODE, "pre_sign_up", "exec"), namespace)  # noqa: S102 - our own inline code
    handler = namespace["handler"]

    def event(email: str, source: str = "PreSignUp_SignUp") -> dict:
        return {"triggerSource": source, "request": {"userAttributes": {"email": email}}}

    assert handler(event("ana@example.org"), None)["request"]["userAttributes"]["email"] == "ana@example.org"
    assert handler(event("Bob@EXAMPLE.com"), None)
    for bad in ("eve@evil.com", "eve@example.com.evil.com", "no-at-sign", ""):
        try:
            handler(event(bad), None)
        except Exception as err:  # noqa: BLE001 - Cognito shows the message to the user
            assert "example.com" in str(err)
        else:
            raise AssertionError(f"{bad!r} was accepted")
    assert handler(event("anyone@elsewhere.net", "PreSignUp_AdminCreateUser"), None)


def test_destroy_removal_policy_lets_the_stack_delete_its_data(variant):
    _, table = variant.one("AWS::DynamoDB::GlobalTable")
    assert table["DeletionPolicy"] == "Delete"
    assert table["Properties"]["Replicas"][0]["DeletionProtectionEnabled"] is False
    assert table["Properties"]["Replicas"][0]["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"]
    for bucket in variant.of_type("AWS::S3::Bucket").values():
        assert bucket["DeletionPolicy"] == "Delete"
    assert variant.of_type("Custom::S3AutoDeleteObjects")


def test_cross_region_and_global_profiles_stay_inside_the_configured_models(variant):
    check_bedrock_statements(variant)
    worker = studio_functions(variant)["generate-worker"][1]["Properties"]["Environment"]["Variables"]
    assert worker[ENV["bedrock_region"]] == "us-west-2"
    generate = studio_functions(variant)["generate"][1]["Properties"]["Environment"]["Variables"]
    assert json.loads(generate[ENV["image_prices"]])["stability.sd3-5-large-v1:0"] == {"standard": 0.08}


def test_no_bedrock_alarm_in_a_region_that_cannot_see_the_metric(variant):
    metrics = {a["Properties"].get("MetricName") for a in variant.of_type("AWS::CloudWatch::Alarm").values()}
    assert "InvocationThrottles" not in metrics  # stack in eu-west-1, Bedrock in us-west-2
    _, subscription = variant.one("AWS::SNS::Subscription")
    assert subscription["Properties"]["Protocol"] == "email"
    assert subscription["Properties"]["Endpoint"] == "ops@example.com"


def test_concurrency_and_log_retention_follow_the_context(variant):
    mappings = [m["Properties"] for m in variant.of_type("AWS::Lambda::EventSourceMapping").values()
                if m["Properties"].get("BatchSize") == 1]
    assert mappings[0]["ScalingConfig"] == {"MaximumConcurrency": 4}
    for name, (_, fn) in studio_functions(variant).items():
        log_group = variant.resources[fn["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]]
        assert log_group["Properties"]["RetentionInDays"] == 90, name


def test_essentials_plan_without_threat_protection_when_switched_off(variant):
    _, pool = variant.one("AWS::Cognito::UserPool")
    assert pool["Properties"]["UserPoolTier"] == "ESSENTIALS"
    assert "UserPoolAddOns" not in pool["Properties"]


def test_variant_passes_cdk_nag_with_only_acknowledgments_it_needs(variant):
    check_nag(variant)
    assert len(routes.ROUTES) == len(variant.of_type("AWS::ApiGateway::Method"))
