"""The API is reachable only through CloudFront: the secret origin header, end to end in the template."""

from __future__ import annotations

from studio import routes
from studio.settings import ENV

from .walk import as_list, render, statements, studio_functions


def test_cloudfront_sends_the_origin_secret_to_the_api_as_a_deploy_time_reference(default):
    secret = default.logical_id("OriginSecret", "AWS::SecretsManager::Secret")
    (_, distribution), = default.of_type("AWS::CloudFront::Distribution").items()
    api_origins = [o for o in distribution["Properties"]["DistributionConfig"]["Origins"]
                   if "execute-api" in render(o["DomainName"])]
    (origin,) = api_origins
    (header,) = origin["OriginCustomHeaders"]
    assert header["HeaderName"] == routes.ORIGIN_HEADER
    # A dynamic reference: the value never appears in the template
    assert render(header["HeaderValue"]) == f"{{{{resolve:secretsmanager:${{{secret}}}:SecretString:::}}}}"


def test_every_api_function_and_only_they_read_the_origin_secret(default):
    secret = default.logical_id("OriginSecret", "AWS::SecretsManager::Secret")
    functions = studio_functions(default)
    api = {f.name for f in routes.api_functions()}
    for name, (_, fn) in functions.items():
        env = fn["Properties"]["Environment"]["Variables"]
        assert (ENV["origin_secret_arn"] in env) is (name in api), name
    readers = set()
    for _, roles, statement in statements(default):
        if any(render(r) == f"${{{secret}}}" for r in as_list(statement["Resource"])):
            assert as_list(statement["Action"]) == ["secretsmanager:GetSecretValue"]
            readers.update(r["Ref"] for r in roles)
    role_of = {render(fn["Properties"]["Role"]).split(".")[0].strip("${"): name for name, (_, fn) in functions.items()}
    assert {role_of[r] for r in readers} == api


def test_only_the_gallery_may_invalidate_and_only_this_distribution(default):
    distribution = default.logical_id("WebDistribution", "AWS::CloudFront::Distribution")
    grants = [(roles, statement) for _, roles, statement in statements(default)
              if "cloudfront:CreateInvalidation" in as_list(statement["Action"])]
    grants = [(r, s) for r, s in grants if not any("CDKBucketDeployment" in x["Ref"] for x in r)]  # CDK's own
    ((roles, statement),) = grants
    assert [r["Ref"] for r in roles][0].startswith("GalleryRole") and len(roles) == 1
    assert [render(r) for r in as_list(statement["Resource"])] == [
        f"arn:${{AWS::Partition}}:cloudfront::${{AWS::AccountId}}:distribution/${{{distribution}}}"]
    # The id reaches the function through SSM (a fixed name), so the function does not depend on it
    (_, parameter), = default.of_type("AWS::SSM::Parameter").items()
    assert parameter["Properties"]["Value"] == {"Ref": distribution}
    _, gallery = studio_functions(default)["gallery"]
    env = gallery["Properties"]["Environment"]["Variables"]
    assert env[ENV["distribution_id_parameter"]] == parameter["Properties"]["Name"]
    assert "DependsOn" not in gallery or not any("Invalidation" in d for d in gallery["DependsOn"])


def test_deleted_images_keep_their_old_version_one_day(default):
    bucket = default.logical_id("StorageImages", "AWS::S3::Bucket")
    rules = {r["Id"]: r for r in default.resources[bucket]["Properties"]["LifecycleConfiguration"]["Rules"]}
    rule = rules["expire-deleted-images"]
    assert rule["Prefix"] == "images/" and rule["NoncurrentVersionExpiration"]["NoncurrentDays"] == 1


def test_text_functions_may_only_count_their_calls_in_the_table(default):
    table = default.logical_id("StorageTable", "AWS::DynamoDB::GlobalTable")
    functions = studio_functions(default)
    role_of = {render(fn["Properties"]["Role"]).split(".")[0].strip("${"): name for name, (_, fn) in functions.items()}
    for name in ("translate", "suggest", "describe"):
        actions = set()
        for _, roles, statement in statements(default):
            if any(role_of.get(r["Ref"]) == name for r in roles) and any(
                    table in render(r) for r in as_list(statement["Resource"])):
                actions.update(as_list(statement["Action"]))
        assert actions == {"dynamodb:UpdateItem"}, name
    assert functions["translate"][1]["Properties"]["Environment"]["Variables"][ENV["daily_text_quota"]] == str(
        default.config.daily_text_quota)


def test_snapstart_is_off_by_default_and_on_the_api_and_queues_call_the_published_alias(default, variant):
    for _, fn in studio_functions(default).values():
        assert "SnapStart" not in fn["Properties"]
    assert not default.of_type("AWS::Lambda::Alias")
    functions = studio_functions(variant)
    aliases = variant.of_type("AWS::Lambda::Alias")
    assert len(aliases) == len(functions)
    alias_of = {render(a["Properties"]["FunctionName"]): k for k, a in aliases.items()}
    for name, (logical_id, fn) in functions.items():
        assert fn["Properties"]["SnapStart"] == {"ApplyOn": "PublishedVersions"}, name
        assert f"${{{logical_id}}}" in alias_of, name
    aliases_ids = set(aliases)
    for mapping in variant.of_type("AWS::Lambda::EventSourceMapping").values():
        name = render(mapping["Properties"]["FunctionName"])
        assert any(a in name for a in aliases_ids) and name.endswith(":live"), name
    for method in variant.of_type("AWS::ApiGateway::Method").values():
        uri = render(method["Properties"]["Integration"]["Uri"])
        assert any(a in uri for a in aliases_ids), uri
