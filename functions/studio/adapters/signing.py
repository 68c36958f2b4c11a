"""KMS and Secrets Manager for Content Credentials: the signature and the certificate chain.

The private key never leaves KMS: the c2pa library hands the bytes to sign to `sign` (its callback
signer), which calls KMS Sign with ECDSA_SHA_256 on the stack's ECC_NIST_P256 key. KMS answers with
a DER-encoded ECDSA signature; COSE's ES256 (RFC 9053), which C2PA uses, wants the fixed-size
r || s form (IEEE P1363), so it is converted here.

The chain comes from a Secrets Manager secret (an organisation's CA: ACM Private CA or any other,
docs/credentials.md). While that secret holds no chain, the day-one chain the stack issued at
deploy is used (an SSM parameter, studio.adapters.day_one_chain; functions/credentials/issuer.py):
signing works, and validators call the signer untrusted. A container never invents a chain of its
own: with neither, the signature fails with a clear error, stored on the generation.
"""

from __future__ import annotations

import hashlib

from botocore.exceptions import BotoCoreError, ClientError

from studio import caches
from studio.adapters import clients
from studio.errors import StorageError
from studio.observability import logger
from studio.settings import settings

ALGORITHM = "ECDSA_SHA_256"
# KMS signs a RAW message of at most 4096 bytes; a longer one is hashed here and sent as DIGEST.
RAW_MESSAGE_LIMIT = 4096
P256_BYTES = 32
# What a chain secret holds before an organisation sets one (the stack's placeholder).
UNSET_CHAIN = ("", "unset", "{}")
SIGNING_FAILED = "Could not sign the image's Content Credentials (the signing key did not answer). Try again."
NO_CHAIN = ("No Content Credentials certificate: the chain secret is unset and the day-one certificate the stack "
            "issues at deploy is missing. Deploy the stack again, or set an organisation's chain "
            "(docs/credentials.md).")


def der_to_p1363(der: bytes, size: int = P256_BYTES) -> bytes:
    """An ASN.1 DER ECDSA signature (SEQUENCE { INTEGER r, INTEGER s }) as r || s, each `size` bytes."""
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    r, s = decode_dss_signature(der)
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def sign(data: bytes) -> bytes:
    """The ES256 signature of `data` by the KMS key (the c2pa callback signer)."""
    key_id = settings().require("credentials_key_id")
    if len(data) <= RAW_MESSAGE_LIMIT:
        message, kind = data, "RAW"
    else:  # KMS would refuse it as RAW; ECDSA_SHA_256 over a SHA-256 digest is the same signature
        message, kind = hashlib.sha256(data).digest(), "DIGEST"
    try:
        answer = clients.get("kms").sign(KeyId=key_id, Message=message, MessageType=kind, SigningAlgorithm=ALGORITHM)
    except (ClientError, BotoCoreError) as error:
        logger.exception("KMS Sign failed", extra={"keyId": key_id})
        raise StorageError(SIGNING_FAILED) from error
    return der_to_p1363(answer["Signature"])


@caches.cached
def public_key_der() -> bytes:
    """The KMS key's public key (SubjectPublicKeyInfo, DER), read once per container."""
    try:
        return clients.get("kms").get_public_key(KeyId=settings().require("credentials_key_id"))["PublicKey"]
    except (ClientError, BotoCoreError) as error:
        raise StorageError(SIGNING_FAILED) from error


@caches.cached
def certificate_chain() -> str:
    """The PEM chain (signing certificate first) for the KMS key, read once per container: the
    organisation's from the secret, or while the secret holds none the day-one chain the deploy
    issued. The one place that decides which chain signs. A chain for another key is refused
    rather than used: every signature would fail validation."""
    from studio import certificates  # cryptography's x509: loaded by the worker's first signature only
    from studio.adapters import day_one_chain

    arn = settings().credentials_chain_secret_arn
    chain = ""
    if arn:
        try:
            chain = clients.get("secretsmanager").get_secret_value(SecretId=arn)["SecretString"].strip()
        except (ClientError, BotoCoreError) as error:
            raise StorageError(SIGNING_FAILED) from error
    if chain not in UNSET_CHAIN:
        if certificates.leaf_public_key_der(chain) != public_key_der():
            raise StorageError("The Content Credentials certificate in the chain secret is not for the signing key. "
                               "Issue it for the KMS key's public key (docs/credentials.md).")
        return chain
    chain = day_one_chain.read() if settings().credentials_day_one_parameter else ""
    if chain in UNSET_CHAIN:
        logger.error("no Content Credentials certificate chain (secret unset, no day-one chain)")
        raise StorageError(NO_CHAIN)
    if certificates.leaf_public_key_der(chain) != public_key_der():
        raise StorageError("The day-one Content Credentials certificate is not for the signing key. Deploy the "
                           "stack again to re-issue it (docs/credentials.md).")
    return chain
