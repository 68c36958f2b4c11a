"""Content Credentials (C2PA): the key that signs every stored image, and the certificate chain for it.

The private key is an ECC_NIST_P256 KMS key (C2PA's ES256): it never leaves KMS, the worker signs
through KMS Sign. The chain is a setting an organisation fills in (its ACM Private CA or any CA:
docs/credentials.md); until it does, the secret holds UNSET and the worker issues a day-one
certificate for the key, which validators show as untrusted.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, RemovalPolicy, SecretValue, Validations
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from cdk.config import StudioConfig

# What the chain secret holds until an organisation puts its chain there (studio.adapters.signing).
UNSET = "unset"


class Credentials(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: StudioConfig) -> None:
        super().__init__(scope, construct_id)
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
                        f"'{UNSET}' until set: the worker then issues an untrusted day-one certificate",
            secret_string_value=SecretValue.unsafe_plain_text(UNSET))
        Validations.of(self.chain_secret).acknowledge(Acknowledgment(
            id="AwsSolutions::AwsSolutions-SMG4",
            reason="It holds a public certificate chain, not a credential; an organisation replaces it when its CA "
                   "renews the certificate (docs/credentials.md)."))
