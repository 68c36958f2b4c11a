"""Push: an AppSync Events API with one channel namespace, `generations`, one channel per user.

Browsers connect and subscribe with their Cognito user-pool token; the namespace's onSubscribe
handler (push_subscribe.js) lets each user subscribe to their own channel only. Only IAM may publish:
the worker, the dead-letter handler and the sweeper, each granted appsync:EventPublish on this
namespace alone (cdk/permissions.py). Cost: per message and per connection-minute, nothing at rest
(docs/deploy.md).
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import aws_appsync as appsync
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from constructs import Construct

from studio import channels

SUBSCRIBE_HANDLER = Path(__file__).with_name("push_subscribe.js")
USER_POOL = appsync.AppSyncAuthorizationType.USER_POOL
IAM = appsync.AppSyncAuthorizationType.IAM


class Push(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, user_pool: cognito.IUserPool, api_name: str) -> None:
        super().__init__(scope, construct_id)
        self.api = appsync.EventApi(
            self, "Events", api_name=api_name,
            authorization_config=appsync.EventApiAuthConfig(
                auth_providers=[
                    appsync.AppSyncAuthProvider(authorization_type=USER_POOL,
                                                cognito_config=appsync.AppSyncCognitoConfig(user_pool=user_pool)),
                    appsync.AppSyncAuthProvider(authorization_type=IAM),
                ],
                connection_auth_mode_types=[USER_POOL],
                default_subscribe_auth_mode_types=[USER_POOL],
                default_publish_auth_mode_types=[IAM],
            ),
        )
        self.namespace = self.api.add_channel_namespace(
            "Generations", channel_namespace_name=channels.NAMESPACE,
            code=appsync.Code.from_inline(SUBSCRIBE_HANDLER.read_text()),
            authorization_config=appsync.NamespaceAuthConfig(publish_auth_mode_types=[IAM],
                                                             subscribe_auth_mode_types=[USER_POOL]),
        )

    @property
    def http_domain(self) -> str:
        return self.api.http_dns

    @property
    def realtime_domain(self) -> str:
        return self.api.realtime_dns

    def grant_publish(self, role: iam.IRole) -> None:
        """appsync:EventPublish on the generations namespace only (not the API, not another namespace)."""
        role.add_to_principal_policy(iam.PolicyStatement(actions=["appsync:EventPublish"],
                                                         resources=[self.namespace.channel_namespace_arn]))
