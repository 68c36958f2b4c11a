"""Auth: the Cognito user pool, its managed-login domain, the API's resource server and scopes, the
web client (authorization code + PKCE) and the machine client (client credentials)."""

from __future__ import annotations

import base64

import textwrap

from aws_cdk import Acknowledgment, Aws, Duration, RemovalPolicy, Validations
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from cdk import constants as c
from cdk.config import StudioConfig
from cdk.functions import ARCHITECTURE, RUNTIME, acknowledge_runtime, retention_days
from studio import routes

# Pre-sign-up trigger: only addresses in the allowed domains may sign themselves up (an
# administrator's admin-create-user is not restricted). Small enough to live inline.
PRE_SIGN_UP_CODE = textwrap.dedent('''
    import os

    ALLOWED = {d.strip().lower() for d in os.environ["ALLOWED_EMAIL_DOMAINS"].split(",") if d.strip()}


    def handler(event, context):
        if event.get("triggerSource") == "PreSignUp_AdminCreateUser":
            return event
        email = (event.get("request", {}).get("userAttributes", {}).get("email") or "").strip().lower()
        domain = email.rpartition("@")[2]
        if not email or domain not in ALLOWED:
            raise Exception("Sign-up is limited to these e-mail domains: " + ", ".join(sorted(ALLOWED)))
        return event
''').strip()


class Auth(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: StudioConfig) -> None:
        super().__init__(scope, construct_id)
        self._config = config
        triggers = None
        if config.allowed_email_domains:
            triggers = cognito.UserPoolTriggers(pre_sign_up=self._pre_sign_up(config))

        self.user_pool = cognito.UserPool(
            self, "Users",
            self_sign_up_enabled=config.self_sign_up,
            sign_in_aliases=cognito.SignInAliases(email=True),
            sign_in_case_sensitive=False,
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            keep_original=cognito.KeepOriginalAttrs(email=True),
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True)),
            password_policy=cognito.PasswordPolicy(
                min_length=12, require_lowercase=True, require_uppercase=True, require_digits=True,
                require_symbols=True, temp_password_validity=Duration.days(3)),
            mfa=cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            feature_plan=cognito.FeaturePlan.PLUS if config.threat_protection else cognito.FeaturePlan.ESSENTIALS,
            standard_threat_protection_mode=(cognito.StandardThreatProtectionMode.FULL_FUNCTION
                                             if config.threat_protection else None),
            lambda_triggers=triggers,
            deletion_protection=config.retain_data,
            removal_policy=RemovalPolicy.RETAIN if config.retain_data else RemovalPolicy.DESTROY,
        )
        Validations.of(self.user_pool).acknowledge(Acknowledgment(
            id="AwsSolutions::AwsSolutions-COG2",
            reason="MFA is optional (TOTP) so people can sign in before they enrol an authenticator; "
                   "threat protection (Plus plan) adds adaptive authentication on risky sign-ins.",
        ))
        if not config.threat_protection:
            Validations.of(self.user_pool).acknowledge(Acknowledgment(
                id="AwsSolutions::AwsSolutions-COG8",
                reason='Threat protection was turned off with context "threatProtection": false '
                       "(Essentials plan, no Plus per-user charge).",
            ))

        self.resource_server = self.user_pool.add_resource_server(
            "Api",
            identifier=routes.RESOURCE_SERVER,
            user_pool_resource_server_name=f"{config.stack_name} API",
            scopes=[cognito.ResourceServerScope(scope_name=name, scope_description=text)
                    for name, text in routes.MACHINE_SCOPES.items()],
        )
        self.api_scopes = [cognito.OAuthScope.resource_server(self.resource_server, scope)
                           for scope in self._resource_scopes()]

        prefix = config.cognito_domain_prefix or f"{config.stack_name.lower()}-{Aws.ACCOUNT_ID}"
        # Managed login (version 2), not the classic hosted UI: its pages are styled per app client by a
        # branding resource (the web client's, in add_web_client).
        self.domain = self.user_pool.add_domain(
            "Domain", cognito_domain=cognito.CognitoDomainOptions(domain_prefix=prefix),
            managed_login_version=cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN)
        self.domain_url = self.domain.base_url()
        self.domain_host = f"{self.domain.domain_name}.auth.{Aws.REGION}.amazoncognito.com"
        self.token_url = f"{self.domain_url}/oauth2/token"

        self.machine_client = self.user_pool.add_client(
            "MachineClient",
            user_pool_client_name="machine",
            generate_secret=True,
            o_auth=cognito.OAuthSettings(flows=cognito.OAuthFlows(client_credentials=True), scopes=self.api_scopes),
            access_token_validity=Duration.minutes(c.ACCESS_TOKEN_MINUTES),
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
            supported_identity_providers=[cognito.UserPoolClientIdentityProvider.COGNITO],
        )
        self.machine_client.node.add_dependency(self.resource_server)
        self.web_client: cognito.UserPoolClient | None = None

    @staticmethod
    def _resource_scopes() -> list[cognito.ResourceServerScope]:
        return [cognito.ResourceServerScope(scope_name=name, scope_description=text)
                for name, text in routes.MACHINE_SCOPES.items()]

    @property
    def web_scopes(self) -> list[str]:
        """The scopes the web app asks for (config.json), in the order Cognito documents them."""
        return ["openid", "email", "profile", routes.USER_SCOPE, routes.SCOPE_READ, routes.SCOPE_GENERATE]

    def add_web_client(self, site_url: str) -> cognito.UserPoolClient:
        """The browser's client: authorization code with PKCE, no secret, redirects to the site only."""
        urls = [f"{site_url}/"]
        if self._config.allow_localhost_callback:
            urls.append(c.LOCALHOST_URL)
        self.web_client = self.user_pool.add_client(
            "WebClient",
            user_pool_client_name="web",
            generate_secret=False,
            auth_flows=cognito.AuthFlow(user_srp=True),
            o_auth=cognito.OAuthSettings(
                flows=cognito.OAuthFlows(authorization_code_grant=True),
                scopes=[cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE,
                        cognito.OAuthScope.COGNITO_ADMIN, *self.api_scopes],
                callback_urls=urls,
                logout_urls=urls,
            ),
            access_token_validity=Duration.minutes(c.ACCESS_TOKEN_MINUTES),
            id_token_validity=Duration.minutes(c.ID_TOKEN_MINUTES),
            refresh_token_validity=Duration.days(c.REFRESH_TOKEN_DAYS),
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
            supported_identity_providers=[cognito.UserPoolClientIdentityProvider.COGNITO],
            read_attributes=cognito.ClientAttributes().with_standard_attributes(
                email=True, email_verified=True, preferred_username=True, fullname=True, locale=True),
        )
        self.web_client.node.add_dependency(self.resource_server)
        self.branding = managed_login_branding(self, self.user_pool, self.web_client)
        return self.web_client

    def _pre_sign_up(self, config: StudioConfig) -> lambda_.Function:
        log_group = logs.LogGroup(self, "PreSignUpLogs", retention=retention_days(config.log_retention_days),
                                  removal_policy=RemovalPolicy.DESTROY)
        role = iam.Role(self, "PreSignUpRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                        description="Cognito pre-sign-up trigger: allowed e-mail domains")
        role.add_to_policy(iam.PolicyStatement(actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                                               resources=[log_group.log_group_arn]))
        function = lambda_.Function(
            self, "PreSignUp",
            description="Refuse self sign-up outside the allowed e-mail domains",
            runtime=RUNTIME, architecture=ARCHITECTURE, handler="index.handler",
            code=lambda_.Code.from_inline(PRE_SIGN_UP_CODE),
            role=role, log_group=log_group, memory_size=128, timeout=Duration.seconds(5),
            tracing=lambda_.Tracing.ACTIVE,
            logging_format=lambda_.LoggingFormat.JSON,
            environment={"ALLOWED_EMAIL_DOMAINS": ",".join(config.allowed_email_domains)},
        )
        Validations.of(role).acknowledge(Acknowledgment(
            id="AwsSolutions::AwsSolutions-IAM5[Resource::*]",
            reason="Active X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords "
                   "support no resource-level permissions.",
        ))
        acknowledge_runtime(function)
        return function


def _rgba(hex_color: str) -> str:
    """#2f3a8f -> 2f3a8fff: managed login's colours are RRGGBBAA without '#'."""
    return f"{hex_color.lstrip('#').lower()}ff"


def managed_login_branding(scope: Construct, user_pool: cognito.IUserPool,
                           client: cognito.IUserPoolClient) -> cognito.CfnManagedLoginBranding:
    """The sign-in pages in the product's colours (web/css/app.css) with its logo (web/icon.svg)."""
    logo = base64.b64encode((c.WEB_DIR / "icon.svg").read_bytes()).decode("ascii")
    accent, hover, ink, page = (_rgba(v) for v in (c.BRAND_ACCENT, c.BRAND_ACCENT_HOVER, c.BRAND_ACCENT_INK, c.BRAND_PAGE))
    settings = {
        "categories": {"global": {"colorSchemeMode": "LIGHT"}},
        "components": {
            "primaryButton": {"lightMode": {"defaults": {"backgroundColor": accent, "textColor": ink},
                                            "hover": {"backgroundColor": hover, "textColor": ink},
                                            "active": {"backgroundColor": hover, "textColor": ink}}},
            "pageBackground": {"lightMode": {"color": page}},
            "link": {"lightMode": {"defaults": {"textColor": accent}, "hover": {"textColor": hover}}},
        },
    }
    return cognito.CfnManagedLoginBranding(
        scope, "ManagedLoginBranding", user_pool_id=user_pool.user_pool_id, client_id=client.user_pool_client_id,
        settings=settings, use_cognito_provided_values=False,
        assets=[cognito.CfnManagedLoginBranding.AssetTypeProperty(category=category, color_mode="LIGHT",
                                                                  extension="SVG", bytes=logo)
                for category in ("FORM_LOGO", "FAVICON_SVG")])
