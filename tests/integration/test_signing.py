"""The Content Credentials signer (studio/adapters/signing.py) against moto's KMS: the c2pa callback
gets ES256 signatures (raw r || s) that verify with the key's public key, for short messages (RAW)
and long ones (DIGEST); the chain comes from the secret, or while it is unset from the day-one
parameter the deploy-time issuer wrote; with neither, signing fails (no container invents a chain)."""

import hashlib

import boto3
import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from studio import caches, certificates
from studio.adapters import signing
from studio.errors import StorageError
from tests.support.aws import DAY_ONE_PARAMETER, REGION
from tests.support.cloudformation import create_event, run_issuer


def public_key(arn: str) -> ec.EllipticCurvePublicKey:
    der = boto3.client("kms", region_name=REGION).get_public_key(KeyId=arn)["PublicKey"]
    return serialization.load_der_public_key(der)


def verifies(key: ec.EllipticCurvePublicKey, signature: bytes, data: bytes) -> bool:
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    try:
        key.verify(der, data, ec.ECDSA(hashes.SHA256()))
        return True
    except InvalidSignature:
        return False


@pytest.mark.parametrize("size", [100, signing.RAW_MESSAGE_LIMIT, signing.RAW_MESSAGE_LIMIT + 1, 20_000],
                         ids=["raw", "raw-at-the-limit", "digest-just-over", "digest"])
def test_the_callback_signs_with_the_kms_key_as_raw_r_and_s(aws, size):
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    signature = signing.sign(data)
    assert len(signature) == 64  # ES256: r and s, 32 bytes each, never DER
    assert verifies(public_key(aws.credentials_key_arn), signature, data)
    assert not verifies(public_key(aws.credentials_key_arn), signature, data + b"!")


def test_kms_answers_digest_and_raw_alike_for_the_same_message(aws):
    # The DIGEST path signs SHA-256(message) as it is: the same signature a RAW call verifies against
    kms = boto3.client("kms", region_name=REGION)
    data = b"c2pa claim" * 10
    digest = hashlib.sha256(data).digest()
    der = kms.sign(KeyId=aws.credentials_key_arn, Message=digest, MessageType="DIGEST",
                   SigningAlgorithm="ECDSA_SHA_256")["Signature"]
    assert kms.verify(KeyId=aws.credentials_key_arn, Message=data, MessageType="RAW", Signature=der,
                      SigningAlgorithm="ECDSA_SHA_256")["SignatureValid"]


def test_der_signatures_become_fixed_size_even_with_short_integers():
    der = encode_dss_signature(5, 2**255 + 7)
    raw = signing.der_to_p1363(der)
    assert raw == (5).to_bytes(32, "big") + (2**255 + 7).to_bytes(32, "big")


def test_the_chain_comes_from_the_secret_and_is_for_the_kms_key(aws):
    chain = signing.certificate_chain()
    certs = x509.load_pem_x509_certificates(chain.encode())
    assert len(certs) == 2
    assert certificates.leaf_public_key_der(chain) == signing.public_key_der()
    assert certs[0].issuer == certs[1].subject


def unset_chain_secret(aws) -> None:
    boto3.client("secretsmanager", region_name=REGION).put_secret_value(
        SecretId=aws.credentials_chain_secret_arn, SecretString="unset")
    caches.reset()


def test_while_the_secret_is_unset_the_chain_issued_at_deploy_signs_in_every_container(aws):
    # Given the chain secret as deployed ("unset") and the day-one chain the deploy-time issuer stored
    unset_chain_secret(aws)
    assert run_issuer(create_event())["Status"] == "SUCCESS"
    stored = boto3.client("ssm", region_name=REGION).get_parameter(Name=DAY_ONE_PARAMETER)["Parameter"]["Value"]
    # When two containers read their chain
    first = signing.certificate_chain()
    caches.reset()  # a new container
    second = signing.certificate_chain()
    # Then both sign with that one chain: no container invents a CA and certificate of its own
    assert first == second == stored.strip()
    assert certificates.leaf_public_key_der(first) == signing.public_key_der()
    assert "day one" in x509.load_pem_x509_certificates(first.encode())[0].subject.rfc4514_string()


def test_with_neither_an_organisation_chain_nor_a_day_one_chain_signing_fails_clearly(aws):
    # Given the secret unset and no day-one chain (the deploy-time issuer never ran)
    unset_chain_secret(aws)
    # Then the worker refuses to sign, saying what to do, rather than issuing a certificate itself
    with pytest.raises(StorageError, match="day-one certificate the stack issues at deploy is missing"):
        signing.certificate_chain()


def test_a_day_one_chain_for_another_key_is_refused(aws):
    unset_chain_secret(aws)
    other = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    boto3.client("ssm", region_name=REGION).put_parameter(Name=DAY_ONE_PARAMETER, Type="String",
                                                          Value=certificates.day_one_chain(other))
    with pytest.raises(StorageError, match="Deploy the stack again"):
        signing.certificate_chain()


def test_a_configured_chain_for_another_key_is_refused(aws):
    other = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    boto3.client("secretsmanager", region_name=REGION).put_secret_value(
        SecretId=aws.credentials_chain_secret_arn, SecretString=certificates.day_one_chain(other))
    caches.reset()
    with pytest.raises(StorageError, match="not for the signing key"):
        signing.certificate_chain()


def test_a_kms_failure_is_a_clear_storage_error(aws, env):
    env(CREDENTIALS_KEY_ID="arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000")
    with pytest.raises(StorageError, match="Content Credentials"):
        signing.sign(b"data")
