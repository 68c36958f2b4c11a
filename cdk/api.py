"""API: the regional REST API, one method per studio.routes.ROUTES entry under /api, Cognito on all
but the OpenAPI document, stage throttling, JSON access logs, tracing, and an optional WAF web ACL."""

from __future__ import annotations

import json

from aws_cdk import Acknowledgment, Aws, RemovalPolicy, Validations
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_logs as logs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from cdk import constants as c
from cdk.config import StudioConfig
from cdk.functions import StudioFunction, retention_days
from cdk.web import VIEWER_IP_HEADER
from studio import gateway_errors, routes

# API Gateway's own errors in the application's error shape, {"error": {"code", "message", "details"}}:
# the ones a client meets (401, 403, 413, 429, 5xx) with fixed messages from studio.gateway_errors, any
# other 4xx with API Gateway's own message.
ERROR_TEMPLATE = json.dumps({
    "error": {"code": "$context.error.responseType", "message": "$context.error.messageString", "details": {}},
}).replace('"$context.error.messageString"', "$context.error.messageString")


class Api(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: StudioConfig,
                 user_pool: cognito.IUserPool, functions: dict[str, StudioFunction]) -> None:
        super().__init__(scope, construct_id)
        access_logs = logs.LogGroup(self, "AccessLogs", retention=retention_days(config.log_retention_days),
                                    removal_policy=RemovalPolicy.DESTROY)
        self.rest_api = apigw.RestApi(
            self, "Api",
            rest_api_name=config.stack_name,
            description="Image Prompt Studio API (served under /api through CloudFront)",
            endpoint_configuration=apigw.EndpointConfiguration(types=[apigw.EndpointType.REGIONAL]),
            cloud_watch_role=True,  # the account-level role API Gateway needs to write execution logs
            cloud_watch_role_removal_policy=RemovalPolicy.RETAIN,
            deploy_options=apigw.StageOptions(
                stage_name=c.API_STAGE,
                tracing_enabled=True,
                metrics_enabled=True,
                logging_level=apigw.MethodLoggingLevel.ERROR,
                data_trace_enabled=False,  # never log request bodies (prompts, tokens)
                throttling_rate_limit=c.API_THROTTLE_RATE,
                throttling_burst_limit=c.API_THROTTLE_BURST,
                access_log_destination=apigw.LogGroupLogDestination(access_logs),
                access_log_format=apigw.AccessLogFormat.json_with_standard_fields(
                    caller=False, http_method=True, ip=True, protocol=True, request_time=True,
                    resource_path=True, response_length=True, status=True, user=True),
            ),
        )
        Validations.of(self.rest_api).acknowledge(
            Acknowledgment(
                id="AwsSolutions::AwsSolutions-APIG2",
                reason="Each handler validates its request body and parameters with pydantic and answers "
                       "400 with the field errors; an API Gateway model would duplicate that schema.",
            ),
            Acknowledgment(
                id="AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                   "AmazonAPIGatewayPushToCloudWatchLogs]",
                reason="The account-level role API Gateway assumes to write execution logs; AWS maintains "
                       "this policy for exactly that purpose.",
            ),
        )
        self.rest_api.add_gateway_response(
            "GatewayDEFAULT_4XX", type=apigw.ResponseType.DEFAULT_4_XX, templates={"application/json": ERROR_TEMPLATE})
        for error in (*gateway_errors.FIXED, gateway_errors.SERVER_ERROR):
            self.rest_api.add_gateway_response(
                f"Gateway{error.response_type}",
                type=apigw.ResponseType.of(error.response_type),
                # DEFAULT_5XX covers 500, 502, 503 and 504: it keeps the status API Gateway chose.
                status_code=None if error is gateway_errors.SERVER_ERROR else str(error.status),
                response_headers={name: f"'{value}'" for name, value in error.headers.items()} or None,
                templates={"application/json": error.template()},
            )

        self.authorizer = apigw.CognitoUserPoolsAuthorizer(
            self, "Authorizer", cognito_user_pools=[user_pool], authorizer_name="cognito")

        integrations: dict[str, apigw.LambdaIntegration] = {}
        self.methods: dict[tuple[str, str], apigw.Method] = {}
        for route in routes.ROUTES:
            integration = integrations.setdefault(
                route.function,
                apigw.LambdaIntegration(functions[route.function].target, proxy=True, allow_test_invoke=False))
            resource = self.rest_api.root.resource_for_path(routes.API_PREFIX + route.path)
            if route.scope is None:
                method = resource.add_method(route.method, integration,
                                             authorization_type=apigw.AuthorizationType.NONE)
                Validations.of(method).acknowledge(
                    Acknowledgment(id="AwsSolutions::AwsSolutions-APIG4",
                                   reason=f"{route.method} {routes.API_PREFIX}{route.path} is the public OpenAPI "
                                          "document: it describes the API and returns no user data."),
                    Acknowledgment(id="AwsSolutions::AwsSolutions-COG4",
                                   reason=f"{route.method} {routes.API_PREFIX}{route.path} is the public OpenAPI "
                                          "document: no token is needed to read it."),
                )
            else:
                method = resource.add_method(
                    route.method, integration,
                    authorizer=self.authorizer,
                    authorization_type=apigw.AuthorizationType.COGNITO,
                    authorization_scopes=list(route.scopes),
                )
            self.methods[(route.method, route.path)] = method

        self.stage_arn = (f"arn:{Aws.PARTITION}:apigateway:{Aws.REGION}::/restapis/"
                          f"{self.rest_api.rest_api_id}/stages/{c.API_STAGE}")
        if config.waf:
            self.web_acl = self._web_acl(config)
        else:
            self.web_acl = None
            Validations.of(self.rest_api).acknowledge(Acknowledgment(
                id="AwsSolutions::AwsSolutions-APIG3",
                reason='WAF is off by configuration (context "waf": false, to save its monthly charge); '
                       "deploy with -c waf=true to attach the regional web ACL to the stage.",
            ))

    def _web_acl(self, config: StudioConfig) -> wafv2.CfnWebACL:
        def visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
            return wafv2.CfnWebACL.VisibilityConfigProperty(
                cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True)

        managed = ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet",
                   "AWSManagedRulesAmazonIpReputationList")
        rules = [
            wafv2.CfnWebACL.RuleProperty(
                name=name, priority=priority,
                statement=wafv2.CfnWebACL.StatementProperty(
                    managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                        vendor_name="AWS", name=name)),
                override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
                visibility_config=visibility(name),
            )
            for priority, name in enumerate(managed)
        ]
        rules.append(wafv2.CfnWebACL.RuleProperty(
            name="RatePerIp", priority=len(managed),
            statement=wafv2.CfnWebACL.StatementProperty(
                rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    limit=config.waf_rate_limit, aggregate_key_type="FORWARDED_IP",
                    # Set by the CloudFront function from the viewer's address (cdk/web.py).
                    forwarded_ip_config=wafv2.CfnWebACL.ForwardedIPConfigurationProperty(
                        header_name=VIEWER_IP_HEADER, fallback_behavior="MATCH"))),
            action=wafv2.CfnWebACL.RuleActionProperty(block={}),
            visibility_config=visibility("RatePerIp"),
        ))
        acl = wafv2.CfnWebACL(
            self, "WebAcl",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=visibility(f"{config.stack_name}Api"),
            rules=rules,
        )
        association = wafv2.CfnWebACLAssociation(self, "WebAclAssociation", resource_arn=self.stage_arn,
                                                 web_acl_arn=acl.attr_arn)
        association.node.add_dependency(self.rest_api.deployment_stage)
        return acl
