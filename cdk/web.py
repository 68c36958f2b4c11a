"""Web: the site bucket, the one CloudFront distribution (site, /images/*, /api/*), the security
headers, the web/ files with a generated config.json, and the images bucket's CORS for uploads."""

from __future__ import annotations

import hashlib

from aws_cdk import Acknowledgment, Annotations, Aws, Duration, RemovalPolicy, Stack, Token, Validations
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from aws_cdk import aws_ssm as ssm
from aws_cdk import custom_resources as cr
from constructs import Construct

from cdk import constants as c
from cdk import headers
from cdk.config import StudioConfig
from cdk.edge_logs import StandardLogsV2
from studio import routes, storage_layout

# Viewer request on the default behavior: a path without a file extension is a client-side route
# of the single-page app, so it gets /index.html (403/404 error pages would also rewrite the API's).
SPA_REWRITE_CODE = """
function handler(event) {
  var request = event.request;
  var last = request.uri.split('/').pop();
  if (last.indexOf('.') === -1) {
    request.uri = '/index.html';
  }
  return request;
}
""".strip()

# Viewer request on /api/*: the handlers build absolute image URLs from the host the viewer used,
# and the origin request policy forwards every viewer header except Host. The viewer's address is
# set here too (overwriting anything the client sent), for the WAF rate limit: X-Forwarded-For
# keeps whatever the client put first, so it cannot key a limit.
VIEWER_IP_HEADER = "x-viewer-ip"
FORWARD_HOST_CODE = """
function handler(event) {
  var request = event.request;
  if (request.headers.host) {
    request.headers['x-forwarded-host'] = { value: request.headers.host.value };
  }
  request.headers['%s'] = { value: event.viewer.ip };
  return request;
}
""".strip() % VIEWER_IP_HEADER


def content_security_policy(*, region: str, cognito_host: str, upload_hosts: list[str],
                            push_hosts: list[str] = ()) -> str:
    """connect-src: Cognito, the upload endpoints and the push service's WebSocket (AppSync Events)."""
    return headers.content_security_policy([f"https://cognito-idp.{region}.amazonaws.com", f"https://{cognito_host}",
                                            *(f"https://{host}" for host in upload_hosts),
                                            *(f"wss://{host}" for host in push_hosts)])


def edge_name(scope: Construct, suffix: str, max_length: int = 64) -> str:
    """A name for an account-global CloudFront resource (response headers policy, origin access
    control, cache policy, function): unique per stack name and region, so a second stack of the
    same name in another region of the account never collides. Fits max_length (a region is at
    most 14 characters); a long stack name is shortened with a hash of it."""
    stack = Stack.of(scope)
    base = stack.stack_name
    room = max_length - len(suffix) - 16
    if len(base) > room:
        base = base[:room - 9] + "-" + hashlib.sha256(base.encode()).hexdigest()[:8]
    return f"{base}-{stack.region}-{suffix}"


def upload_host(bucket: s3.IBucket) -> str:
    """Where presigned POSTs go: the bucket's regional virtual-hosted endpoint, exactly as the
    functions presign it (functions/studio/adapters/clients.py), never the global endpoint."""
    stack = Stack.of(bucket)
    return f"{bucket.bucket_name}.s3.{stack.region}.{stack.url_suffix}"


def _nag(stack: Stack, value: str, pseudo: str) -> str:
    """How cdk-nag prints a pseudo parameter: the literal when the stack's env fixes it, else <AWS::X>."""
    resolved = stack.resolve(value)
    return resolved if isinstance(resolved, str) else f"<AWS::{pseudo}>"


class Web(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: StudioConfig, images_bucket: s3.Bucket,
                 log_bucket: s3.IBucket, rest_api: apigw.RestApi, cognito_host: str, origin_secret: str,
                 push_host: str | None = None) -> None:
        super().__init__(scope, construct_id)
        self._config = config
        retain = config.retain_data
        self.site_bucket = s3.Bucket(
            self, "Site",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=log_bucket,
            server_access_logs_prefix="s3/site/",
            # The site is rebuilt from web/ on every deploy: nothing in it needs keeping.
            removal_policy=RemovalPolicy.DESTROY,
            auto_delete_objects=True,
        )

        headers_policy = cloudfront.ResponseHeadersPolicy(
            self, "SecurityHeaders",
            response_headers_policy_name=edge_name(self, "security-headers", 128),
            comment="Image Prompt Studio security headers",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=content_security_policy(
                        region=Aws.REGION, cognito_host=cognito_host,
                        upload_hosts=[upload_host(images_bucket)], push_hosts=[push_host] if push_host else []),
                    override=True),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.seconds(headers.HSTS_SECONDS), include_subdomains=True, override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override=True),
            ),
        )
        spa_rewrite = cloudfront.Function(
            self, "SpaRewrite", function_name=edge_name(self, "spa-rewrite"), comment="Client-side routes get /index.html",
            code=cloudfront.FunctionCode.from_inline(SPA_REWRITE_CODE), runtime=cloudfront.FunctionRuntime.JS_2_0)
        forward_host = cloudfront.Function(
            self, "ForwardHost", function_name=edge_name(self, "forward-host"), comment="Pass the viewer's Host to the API as x-forwarded-host",
            code=cloudfront.FunctionCode.from_inline(FORWARD_HOST_CODE), runtime=cloudfront.FunctionRuntime.JS_2_0)

        images_cache = cloudfront.CachePolicy(
            self, "ImagesCache",
            cache_policy_name=edge_name(self, "images-cache", 128),
            comment="Rendered images: keys never change, so cache for a year",
            default_ttl=Duration.days(c.IMAGE_CACHE_DAYS), min_ttl=Duration.days(1),
            max_ttl=Duration.days(c.IMAGE_CACHE_DAYS),
            enable_accept_encoding_gzip=False, enable_accept_encoding_brotli=False,
        )
        # The images origin sees the bucket through an imported reference, so CloudFront's automatic
        # bucket policy (GetObject on every key, uploads/ included) is not added; the statement
        # below grants the distribution images/* only.
        images_ref = s3.Bucket.from_bucket_attributes(
            self, "ImagesRef", bucket_arn=images_bucket.bucket_arn,
            bucket_regional_domain_name=images_bucket.bucket_regional_domain_name)
        images_origin = origins.S3BucketOrigin.with_origin_access_control(
            images_ref, origin_access_control=cloudfront.S3OriginAccessControl(
                self, "ImagesOac", origin_access_control_name=edge_name(self, "images-oac")))

        certificate = (acm.Certificate.from_certificate_arn(self, "Certificate", config.certificate_arn)
                       if config.certificate_arn else None)
        api_behavior = cloudfront.BehaviorOptions(
            # The secret header the API functions require (studio/http.py): the execute-api endpoint
            # answers 403 to anyone calling it directly, around this distribution.
            origin=origins.RestApiOrigin(rest_api, custom_headers={routes.ORIGIN_HEADER: origin_secret}),
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
            allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
            cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
            origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
            response_headers_policy=headers_policy,
            function_associations=[cloudfront.FunctionAssociation(
                function=forward_host, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST)],
        )
        region = Stack.of(self).region
        legacy_logs_impossible = not Token.is_unresolved(region) and region in c.OPT_IN_REGIONS
        self.distribution = cloudfront.Distribution(
            self, "Distribution",
            comment=f"{config.stack_name}: site, images and API",
            default_root_object="index.html",
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 if certificate else None,
            domain_names=[config.custom_domain] if config.custom_domain else None,
            certificate=certificate,
            # Legacy access logs, except in opt-in regions, where CloudFront cannot deliver them to
            # this region's bucket: standard logging v2 there (below).
            enable_logging=not legacy_logs_impossible,
            log_bucket=None if legacy_logs_impossible else log_bucket,
            log_file_prefix=None if legacy_logs_impossible else c.CLOUDFRONT_LOG_PREFIX,
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(
                    self.site_bucket, origin_access_control=cloudfront.S3OriginAccessControl(
                        self, "SiteOac", origin_access_control_name=edge_name(self, "site-oac"))),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=headers_policy,
                compress=True,
                function_associations=[cloudfront.FunctionAssociation(
                    function=spa_rewrite, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST)],
            ),
            additional_behaviors={
                f"/{storage_layout.IMAGES_PREFIX}*": cloudfront.BehaviorOptions(
                    origin=images_origin,
                    viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                    cache_policy=images_cache,
                    response_headers_policy=headers_policy,
                    compress=False,  # PNG and WebP are compressed already
                ),
                f"{routes.API_PREFIX}/*": api_behavior,
            },
        )
        Annotations.of(self.distribution).acknowledge_warning(
            "@aws-cdk/aws-cloudfront-origins:updateImportedBucketPolicyOac",
            "The images bucket policy is written below, limited to images/*.")
        images_bucket.add_to_resource_policy(iam.PolicyStatement(
            sid="CloudFrontReadsRenderedImages",
            principals=[iam.ServicePrincipal("cloudfront.amazonaws.com")],
            actions=["s3:GetObject"],
            resources=[images_bucket.arn_for_objects(f"{storage_layout.IMAGES_PREFIX}*")],
            conditions={"StringEquals": {"AWS:SourceArn": self.distribution_arn}},
        ))
        acknowledgments = [
            Acknowledgment(id="AwsSolutions::AwsSolutions-CFR1",
                           reason="The studio serves a global audience; no country is excluded."),
            Acknowledgment(id="AwsSolutions::AwsSolutions-CFR2",
                           reason="A CLOUDFRONT-scope web ACL can only live in us-east-1 and this stack deploys "
                                  "to any region; with -c waf=true a REGIONAL web ACL guards the API stage, the "
                                  "only dynamic origin (the others are static S3 objects)."),
        ]
        if not config.custom_domain:
            acknowledgments.append(Acknowledgment(
                id="AwsSolutions::AwsSolutions-CFR4",
                reason="Without a custom domain the distribution uses the *.cloudfront.net certificate, whose "
                       "TLS policy CloudFront fixes; with customDomain the policy is TLSv1.2_2021."))
        Validations.of(self.distribution).acknowledge(*acknowledgments)

        if legacy_logs_impossible:
            StandardLogsV2(self, "AccessLogsV2", distribution_arn=self.distribution_arn, log_bucket=log_bucket,
                           name=edge_name(self, "access-logs", 60))
            Validations.of(self.distribution).acknowledge(Acknowledgment(
                id="AwsSolutions::AwsSolutions-CFR3",
                reason=f"In the opt-in region {region} CloudFront cannot deliver legacy access logs to a bucket "
                       "here; standard logging v2 (AccessLogsV2) delivers them to the same log bucket."))

        self.site_url = (f"https://{config.custom_domain}" if config.custom_domain
                         else f"https://{self.distribution.distribution_domain_name}")
        self._images_bucket = images_bucket

    @property
    def distribution_arn(self) -> str:
        return (f"arn:{Aws.PARTITION}:cloudfront::{Aws.ACCOUNT_ID}:"
                f"distribution/{self.distribution.distribution_id}")

    def allow_invalidation(self, role: iam.IRole) -> None:
        """The gallery invalidates deleted and unshared images (functions/studio/adapters/cdn.py).

        The function's environment cannot reference the distribution (it is an origin of it, through
        the API: a cycle), so the id goes to an SSM parameter of a name fixed in advance, and the grant
        is a separate policy the function does not depend on."""
        stack = Stack.of(self)
        name = c.DISTRIBUTION_ID_PARAMETER.format(stack=self._config.stack_name)
        ssm.StringParameter(self, "DistributionId", parameter_name=name,
                            string_value=self.distribution.distribution_id,
                            description="The CloudFront distribution the gallery invalidates")
        iam.Policy(self, "InvalidationPolicy", roles=[role], statements=[
            iam.PolicyStatement(actions=["cloudfront:CreateInvalidation"], resources=[self.distribution_arn]),
            iam.PolicyStatement(actions=["ssm:GetParameter"], resources=[
                stack.format_arn(service="ssm", resource="parameter", resource_name=name.lstrip("/"))]),
        ])

    def allow_uploads_from_site(self) -> None:
        """CORS on the images bucket: the browser POSTs reference images straight to S3 (presigned).

        The allowed origin is the site URL, which depends on the distribution, which depends on the
        bucket: set after both exist, with PutBucketCors, to avoid a dependency cycle.
        """
        origins_allowed = [self.site_url]
        if self._config.allow_localhost_callback:
            origins_allowed.append(c.LOCALHOST_URL.rstrip("/"))
        bucket = self._images_bucket
        cors = {
            "Bucket": bucket.bucket_name,
            "CORSConfiguration": {"CORSRules": [{
                "AllowedMethods": ["POST"],
                "AllowedOrigins": origins_allowed,
                "AllowedHeaders": ["*"],
                "ExposeHeaders": ["ETag", "Location"],
                "MaxAgeSeconds": 3000,
            }]},
        }
        call = cr.AwsSdkCall(service="S3", action="putBucketCors", parameters=cors,
                             physical_resource_id=cr.PhysicalResourceId.of(f"{Stack.of(self).stack_name}-upload-cors"))
        self.upload_cors = cr.AwsCustomResource(
            self, "UploadCors",
            on_create=call, on_update=call,
            policy=cr.AwsCustomResourcePolicy.from_statements([iam.PolicyStatement(
                actions=["s3:PutBucketCORS"], resources=[bucket.bucket_arn])]),
            install_latest_aws_sdk=False,
        )
        provider = Stack.of(self).node.try_find_child(
            "AWS" + cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace("-", ""))
        Validations.of(provider or self.upload_cors).acknowledge(Acknowledgment(
            id="AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
               "AWSLambdaBasicExecutionRole]",
            reason="CDK's AwsCustomResource handler runs only during deployments (PutBucketCors); its role "
                   "has the basic execution policy for its own logs and s3:PutBucketCORS on this bucket.",
        ))

    def deploy_site(self, site_config: dict[str, object], source_dir=c.WEB_DIR) -> s3deploy.BucketDeployment:
        """web/ (when it has files) plus config.json, then invalidate the distribution."""
        sources = []
        if source_dir.is_dir() and any(p.is_file() for p in source_dir.rglob("*")):
            sources.append(s3deploy.Source.asset(str(source_dir), exclude=["config.json", ".*"]))
        sources.append(s3deploy.Source.json_data("config.json", site_config))
        self.deployment = s3deploy.BucketDeployment(
            self, "Deploy",
            sources=sources,
            destination_bucket=self.site_bucket,
            distribution=self.distribution,
            distribution_paths=["/*"],
            cache_control=[s3deploy.CacheControl.no_cache()],
            memory_limit=512,
            prune=True,
        )
        self._acknowledge_deployment_handler()
        return self.deployment

    def _acknowledge_deployment_handler(self) -> None:
        """BucketDeployment's singleton handler (CDK-managed code, role and policy)."""
        stack = Stack.of(self)
        site = stack.resolve(stack.get_logical_id(self.site_bucket.node.default_child))
        for child in stack.node.children:
            if not child.node.id.startswith("Custom::CDKBucketDeployment"):
                continue
            actions = ("s3:GetBucket*", "s3:GetObject*", "s3:List*", "s3:Abort*", "s3:DeleteObject*")
            Validations.of(child).acknowledge(
                Acknowledgment(
                    id="AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                       "AWSLambdaBasicExecutionRole]",
                    reason="CDK's BucketDeployment handler runs only during deployments; its role is built by "
                           "CDK with the basic execution policy for its own logs."),
                *(Acknowledgment(
                    id=f"AwsSolutions::AwsSolutions-IAM5[Action::{action}]",
                    reason="BucketDeployment copies the web assets from the CDK asset bucket into the site "
                           "bucket and prunes old files; CDK grants it these object actions.")
                  for action in actions),
                Acknowledgment(
                    id=f"AwsSolutions::AwsSolutions-IAM5[Resource::arn:{_nag(stack, stack.partition, 'Partition')}:s3:::"
                       f"cdk-hnb659fds-assets-{_nag(stack, stack.account, 'AccountId')}-"
                       f"{_nag(stack, stack.region, 'Region')}/*]",
                    reason="Reads the zipped web assets from the CDK bootstrap asset bucket."),
                Acknowledgment(
                    id=f"AwsSolutions::AwsSolutions-IAM5[Resource::<{site}.Arn>/*]",
                    reason="Writes and prunes every file of the site bucket (the whole bucket is the web app)."),
                Acknowledgment(
                    id="AwsSolutions::AwsSolutions-IAM5[Resource::*]",
                    reason="cloudfront:CreateInvalidation/GetInvalidation after the upload; CDK's handler "
                           "policy does not scope them to the distribution."),
                Acknowledgment(
                    id="AwsSolutions::AwsSolutions-L1",
                    reason="The BucketDeployment handler's runtime is chosen by aws-cdk-lib, not by this app."),
            )
