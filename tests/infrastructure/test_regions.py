"""The stack deploys in any region, next to itself: names, upload endpoint, alarms, access logs.

Given the stack synthesized region-agnostic (cdk.json), in eu-west-1 (the variant) and in the
opt-in region ap-east-1 (launched after March 2019), each test compares the templates.
"""

from __future__ import annotations

from cdk import constants as c

from .walk import check_nag, render

# CloudFront resources whose names are account-wide (CloudFront is global).
NAMED = {
    "AWS::CloudFront::ResponseHeadersPolicy": ("ResponseHeadersPolicyConfig", "Name"),
    "AWS::CloudFront::OriginAccessControl": ("OriginAccessControlConfig", "Name"),
    "AWS::CloudFront::CachePolicy": ("CachePolicyConfig", "Name"),
    "AWS::CloudFront::OriginRequestPolicy": ("OriginRequestPolicyConfig", "Name"),
    "AWS::CloudFront::Function": ("Name",),
    "AWS::CloudFront::KeyValueStore": ("Name",),
}


def cloudfront_names(synth) -> dict[str, str]:
    names = {}
    for logical_id, resource in synth.resources.items():
        if resource["Type"].startswith("AWS::CloudFront::") and resource["Type"] != "AWS::CloudFront::Distribution":
            assert resource["Type"] in NAMED, f"{resource['Type']}: add it to NAMED (is its name account-wide?)"
            value = resource["Properties"]
            for key in NAMED[resource["Type"]]:
                value = value[key]
            names[logical_id] = render(value)
    return names


def csp(synth) -> str:
    (policy,) = synth.of_type("AWS::CloudFront::ResponseHeadersPolicy").values()
    config = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    return render(config["ContentSecurityPolicy"]["ContentSecurityPolicy"])


def test_cloudfront_names_never_collide_between_two_regions_of_one_account(variant, opt_in):
    # Given the same stack name in eu-west-1 and ap-east-1
    assert variant.config.stack_name == opt_in.config.stack_name
    west, east = cloudfront_names(variant), cloudfront_names(opt_in)
    # Then every account-wide CloudFront name differs, and each carries its region
    assert west and set(west) == set(east)
    assert not set(west.values()) & set(east.values())
    assert all("eu-west-1" in n for n in west.values()) and all("ap-east-1" in n for n in east.values())


def test_region_agnostic_names_carry_the_deploy_region(default):
    assert all("${AWS::Region}" in name for name in cloudfront_names(default).values())


def test_uploads_go_to_the_buckets_regional_endpoint_in_the_csp(default, variant, opt_in):
    for synth, region in ((default, "${AWS::Region}"), (variant, "eu-west-1"), (opt_in, "ap-east-1")):
        bucket = synth.logical_id("StorageImages", "AWS::S3::Bucket")
        policy = csp(synth)
        assert f"https://${{{bucket}}}.s3.{region}.${{AWS::URLSuffix}}" in policy
        assert "DomainName" not in policy.split("connect-src", 1)[1].split(";", 1)[0]  # no global endpoint


def alarms(synth) -> dict[str, dict]:
    return {k: v for k, v in synth.of_type("AWS::CloudWatch::Alarm").items()
            if v["Properties"].get("Namespace") == "AWS/Bedrock"}


def test_bedrock_alarm_only_where_it_can_see_the_metric(default, variant, opt_in):
    # Region unknown at synth: created only when deployed in bedrockRegion (a CloudFormation condition)
    ((_, alarm),) = alarms(default).items()
    condition = default.template["Conditions"][alarm["Condition"]]
    assert condition == {"Fn::Equals": [{"Ref": "AWS::Region"}, default.config.bedrock_region]}
    # Another region than bedrockRegion: no alarm, and a synth warning that says why
    for synth in (variant, opt_in):
        assert alarms(synth) == {}
        assert any("No Bedrock throttling alarm" in message for _, message in synth.warnings)
    assert not any("No Bedrock throttling alarm" in message for _, message in default.warnings)


def test_opt_in_region_logs_through_standard_logging_v2_not_the_legacy_bucket(default, opt_in):
    # Given the legacy logs everywhere else
    (_, distribution), = default.of_type("AWS::CloudFront::Distribution").items()
    assert distribution["Properties"]["DistributionConfig"]["Logging"]["Prefix"] == c.CLOUDFRONT_LOG_PREFIX
    # In ap-east-1: no legacy logging (CloudFront cannot deliver there), a v2 delivery made in us-east-1
    (_, distribution), = opt_in.of_type("AWS::CloudFront::Distribution").items()
    assert "Logging" not in distribution["Properties"]["DistributionConfig"]
    calls = [render(r["Properties"]["Create"]) for r in opt_in.of_type("Custom::AWS").values()]
    for action in ("putDeliverySource", "putDeliveryDestination", "createDelivery"):
        (call,) = [x for x in calls if f'"action":"{action}"' in x]
        assert f'"region":"{c.CLOUDFRONT_REGION}"' in call
    assert '"logType":"ACCESS_LOGS"' in next(x for x in calls if "putDeliverySource" in x)
    statements = [s for _, p in opt_in.of_type("AWS::S3::BucketPolicy").items()
                  for s in p["Properties"]["PolicyDocument"]["Statement"]]
    assert any(s.get("Principal") == {"Service": "delivery.logs.amazonaws.com"} for s in statements)


def test_the_opt_in_stack_passes_cdk_nag_with_only_acknowledgments_it_needs(opt_in):
    check_nag(opt_in)
