"""Content Credentials (C2PA): the key that signs every stored image, and the certificate chain for it.

The private key is an ECC_NIST_P256 KMS key (C2PA's ES256): it never leaves KMS, the worker signs
through KMS Sign. The chain is a setting an organisation fills in (its ACM Private CA or any CA:
docs/credentials.md); until it does, the secret holds UNSET and the worker signs with the day-one
chain the stack issues at deploy: a custom resource (functions/credentials/issuer.py) issues a
certificate for the key and stores it in an SSM parameter of its own (why a separate store, not the
secret: studio/adapters/day_one_chain.py). Validators show that signer as untrusted.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, CustomResource, RemovalPolicy, SecretValue, Stack, Validations
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from cdk import constants as c
from cdk.config import StudioConfig

# What the chain secret holds until an organisation puts its chain there (studio.adapters.signing).
UNSET = "unset"


class Credentials(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: StudioConfig) -> None:
        super().__init__(scope, construct_id)
        self.retain = config.retain_data
        removal = RemovalPolicy.RETAIN if config.retain_data else RemovalPolicy.DESTROY
        self.key = kms.Key(
            self, "SigningKey", description="Signs the Content Credentials (C2PA manifests) of every stored image",
            key_spec=kms.KeySpec.ECC_NIST_P256, key_usage=kms.KeyUsage.SIGN_VERIFY,
            # Images signed with it stay verifiable whatever happens to the key (the certificate is in
            # each file); keeping it lets the same signer identity continue after a redeploy.
            removal_policy=removal)
        self.chain_secret = secretsmanager.Secret(
            self, "CertificateChain", removal_policy=removal,
            description="PEM certificate chain (signing certificate first) for the Content Credentials key; "
                        f"'{UNSET}' until set: the worker then signs with the untrusted day-one certificate the "
                        "stack issues at deploy",
            secret_string_value=SecretValue.unsafe_plain_text(UNSET))
        Validations.of(self.chain_secret).acknowledge(Acknowledgment(
            id="AwsSolutions::AwsSolutions-SMG4",
            reason="It holds a public certificate chain, not a credential; an organisation replaces it when its CA "
                   "renews the certificate (docs/credentials.md)."))
        # Written by the issuer only (it has no right on the chain secret): see issue_at_deploy.
        self.day_one_parameter_name = c.DAY_ONE_CHAIN_PARAMETER.format(stack=config.stack_name)
        self.day_one_parameter_arn = Stack.of(self).format_arn(
            service="ssm", resource="parameter", resource_name=self.day_one_parameter_name.lstrip("/"))

    def issue_at_deploy(self, issuer: Construct, service_token: str, code_version: str) -> CustomResource:
        """The custom resource that runs the issuer (functions/credentials/issuer.py) at each deployment
        that creates it or changes its properties: a new key ARN (it re-issues), or new function code
        (`code_version`, the code asset's key: a deploy that ships code re-checks the certificate's end and
        renews it when it is near). Delete removes the parameter unless the stack retains its data (Retain),
        as it keeps the key. `issuer`: the function's construct (role and policy included), which must
        exist before the resource is created."""
        resource = CustomResource(
            self, "DayOneCertificate", service_token=service_token, resource_type="Custom::DayOneCertificate",
            properties={"KeyArn": self.key.key_arn, "ParameterName": self.day_one_parameter_name,
                        "Retain": "true" if self.retain else "false", "CodeVersion": code_version})
        resource.node.add_dependency(issuer)  # its role's policy too: the first call needs kms:GetPublicKey
        return resource
