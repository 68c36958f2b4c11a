"""Push in the stack (issue 23): an AppSync Events API whose connections and subscriptions need a
Cognito user-pool token and whose publishes need IAM; one namespace whose onSubscribe handler is
cdk/push_subscribe.js; only the worker, the dead-letter handler and the sweeper may publish, on that
namespace alone; the browser is told where to subscribe and the CSP lets it."""

from __future__ import annotations

from cdk.push import SUBSCRIBE_HANDLER
from studio import channels
from studio.settings import ENV
from tests.infrastructure.walk import as_list, render, statements, studio_functions

PUBLISHERS = {"generate-worker", "generate-dead-letters", "generate-sweeper"}


def test_connect_and_subscribe_need_a_user_pool_token_and_publish_needs_iam(default):
    _, api = default.one("AWS::AppSync::Api")
    events = api["Properties"]["EventConfig"]
    pool = default.logical_id("AuthUsers", "AWS::Cognito::UserPool")
    assert {p["AuthType"] for p in events["AuthProviders"]} == {"AMAZON_COGNITO_USER_POOLS", "AWS_IAM"}
    cognito = next(p for p in events["AuthProviders"] if p["AuthType"] == "AMAZON_COGNITO_USER_POOLS")
    assert cognito["CognitoConfig"]["UserPoolId"] == {"Ref": pool}
    assert events["ConnectionAuthModes"] == [{"AuthType": "AMAZON_COGNITO_USER_POOLS"}]
    assert events["DefaultSubscribeAuthModes"] == [{"AuthType": "AMAZON_COGNITO_USER_POOLS"}]
    assert events["DefaultPublishAuthModes"] == [{"AuthType": "AWS_IAM"}]  # no API key anywhere
    _, namespace = default.one("AWS::AppSync::ChannelNamespace")
    props = namespace["Properties"]
    assert props["Name"] == channels.NAMESPACE
    assert props["PublishAuthModes"] == [{"AuthType": "AWS_IAM"}]
    assert props["SubscribeAuthModes"] == [{"AuthType": "AMAZON_COGNITO_USER_POOLS"}]
    assert props["CodeHandlers"] == SUBSCRIBE_HANDLER.read_text()  # the handler tests/unit runs under Node


def test_only_who_ends_jobs_may_publish_and_only_on_the_namespace(default):
    namespace = default.logical_id("PushEventsGenerations", "AWS::AppSync::ChannelNamespace")
    functions = studio_functions(default)
    role_of = {render(fn["Properties"]["Role"]).split(".")[0].strip("${"): name for name, (_, fn) in functions.items()}
    publishers = set()
    for _, roles, statement in statements(default):
        actions = as_list(statement["Action"])
        if any(a.startswith("appsync:") for a in actions):
            assert actions == ["appsync:EventPublish"]
            assert as_list(statement["Resource"]) == [{"Fn::GetAtt": [namespace, "ChannelNamespaceArn"]}]
            publishers.update(role_of[r["Ref"]] for r in roles)
    assert publishers == PUBLISHERS
    api = default.logical_id("PushEvents", "AWS::AppSync::Api")
    for name, (_, fn) in functions.items():
        env = fn["Properties"]["Environment"]["Variables"]
        assert (ENV["events_http_domain"] in env) is (name in PUBLISHERS), name
        if name in PUBLISHERS:
            assert env[ENV["events_http_domain"]] == {"Fn::GetAtt": [api, "Dns.Http"]}
        assert ENV["events_endpoint_url"] not in env  # local only


def test_the_site_knows_where_to_subscribe_and_its_csp_allows_the_socket(default):
    api = default.logical_id("PushEvents", "AWS::AppSync::Api")
    events = default.site_config()["events"]
    assert events["namespace"] == channels.NAMESPACE
    assert render(events["realtimeUrl"]) == f"wss://${{{api}.Dns.Realtime}}/event/realtime"
    _, headers = default.one("AWS::CloudFront::ResponseHeadersPolicy")
    csp = render(headers["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
                 ["ContentSecurityPolicy"]["ContentSecurityPolicy"])
    assert f"wss://${{{api}.Dns.Realtime}}" in csp.split("connect-src", 1)[1].split(";", 1)[0]
