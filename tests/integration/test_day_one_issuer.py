"""The deploy-time issuer of the day-one Content Credentials certificate (functions/credentials/issuer.py,
the stack's Custom::DayOneCertificate) against moto's KMS and SSM: Create issues a chain for the KMS
key into its own parameter; Update keeps it unless the key changed or it ends soon; it never touches
the organisation's chain secret; Delete follows the stack's retain setting; CloudFormation always
gets an answer; the throwaway CA's private key is never stored, answered or logged."""

import json
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, HTTPServer

import boto3
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from studio import caches, certificates
from studio.adapters import signing
from tests.support.aws import DAY_ONE_PARAMETER, REGION
from tests.support.cloudformation import create_event, day_one_properties, event, run_issuer


def stored_chain() -> str | None:
    try:
        return boto3.client("ssm", region_name=REGION).get_parameter(Name=DAY_ONE_PARAMETER)["Parameter"]["Value"]
    except boto3.client("ssm", region_name=REGION).exceptions.ParameterNotFound:
        return None


def organisation_chain(aws) -> str:
    return boto3.client("secretsmanager", region_name=REGION).get_secret_value(
        SecretId=aws.credentials_chain_secret_arn)["SecretString"]


def put_chain(chain: str) -> None:
    boto3.client("ssm", region_name=REGION).put_parameter(Name=DAY_ONE_PARAMETER, Type="String", Value=chain,
                                                          Overwrite=True)


def update(aws) -> dict:
    properties = day_one_properties(aws.credentials_key_arn)
    return run_issuer(event("Update", properties, old=properties, physical_id=DAY_ONE_PARAMETER))


def test_create_issues_a_day_one_chain_for_the_kms_key_and_leaves_the_organisation_chain_alone(aws, capsys):
    # Given an organisation's chain already in the secret
    before = organisation_chain(aws)
    # When the stack is created
    answer = run_issuer(create_event(properties=day_one_properties(aws.credentials_key_arn)))
    # Then the day-one chain is in its parameter: a certificate for the KMS key from an untrusted CA
    assert answer["Status"] == "SUCCESS", answer
    assert answer["PhysicalResourceId"] == DAY_ONE_PARAMETER and answer["Data"]["Issued"] == "true"
    chain = stored_chain()
    signer, ca = x509.load_pem_x509_certificates(chain.encode())
    assert certificates.leaf_public_key_der(chain) == signing.public_key_der()
    assert "day one" in signer.subject.rfc4514_string() and "untrusted" in ca.subject.rfc4514_string()
    assert signer.issuer == ca.subject
    assert answer["Data"]["NotAfter"] == signer.not_valid_after_utc.isoformat()
    # And the organisation's chain is untouched
    assert organisation_chain(aws) == before
    # And the CA's private key is nowhere: not stored, not in the answer, not in the logs
    logged = capsys.readouterr()
    for text in (chain, json.dumps(answer), logged.out, logged.err):
        assert "PRIVATE KEY" not in text


def test_update_keeps_a_chain_for_the_same_key_that_lasts(aws):
    run_issuer(create_event(properties=day_one_properties(aws.credentials_key_arn)))
    first = stored_chain()
    answer = update(aws)
    assert answer["Status"] == "SUCCESS" and answer["Data"]["Issued"] == "false"
    assert stored_chain() == first


def test_update_reissues_when_the_key_changed(aws):
    # Given a stored chain for another key (the stack's key was replaced)
    other = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    put_chain(certificates.day_one_chain(other))
    answer = update(aws)
    assert answer["Data"]["Issued"] == "true" and answer["Reason"] == "the signing key changed"
    assert certificates.leaf_public_key_der(stored_chain()) == signing.public_key_der()


def test_update_reissues_when_the_certificate_ends_soon(aws):
    # Given a day-one chain for the key issued long ago: it ends in 10 days
    issued = datetime.now(timezone.utc) - timedelta(days=certificates.SIGNER_DAYS - 10)
    old = certificates.issue_signer(certificates.new_authority("old day-one CA"), signing.public_key_der(),
                                    "old", now=issued)
    put_chain(old)
    answer = update(aws)
    assert answer["Data"]["Issued"] == "true" and answer["Reason"] == "the certificate ends soon"
    assert certificates.leaf_not_after(stored_chain()) > certificates.leaf_not_after(old) + timedelta(days=300)


@pytest.mark.parametrize("retain", [True, False], ids=["retained", "destroyed"])
def test_delete_follows_the_stacks_retain_setting(aws, retain):
    properties = day_one_properties(aws.credentials_key_arn, retain=retain)
    run_issuer(create_event(properties=properties))
    answer = run_issuer(event("Delete", properties, physical_id=DAY_ONE_PARAMETER))
    assert answer["Status"] == "SUCCESS"
    assert (stored_chain() is not None) is retain
    # A second Delete (a rollback after a failed create) succeeds too
    assert run_issuer(event("Delete", properties, physical_id=DAY_ONE_PARAMETER))["Status"] == "SUCCESS"


def test_a_delete_for_another_parameter_after_a_replacement_leaves_the_current_one(aws):
    properties = day_one_properties(aws.credentials_key_arn, retain=False)
    run_issuer(create_event(properties=properties))
    answer = run_issuer(event("Delete", properties, physical_id="/old-stack-name/content-credentials/day-one-chain"))
    assert answer["Status"] == "SUCCESS" and answer["Data"]["Deleted"] == "false"
    assert stored_chain() is not None


class Capture(BaseHTTPRequestHandler):
    received: list = []

    def do_PUT(self):  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Capture.received.append((self.headers.get("Content-Type"), json.loads(body)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_failure_is_answered_to_cloudformation_not_left_waiting(aws, env):
    # Given a key KMS does not know, and CloudFormation's pre-signed response URL
    env(CREDENTIALS_KEY_ID="arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000")
    caches.reset()
    server = HTTPServer(("127.0.0.1", 0), Capture)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    Capture.received.clear()
    try:
        url = f"http://127.0.0.1:{server.server_port}/response?X-Amz-Signature=x"
        answer = run_issuer(create_event(response_url=url))
        thread.join(10)
    finally:
        server.server_close()
    # Then the answer is FAILED with a reason, PUT to the URL without a content type, and nothing is stored
    assert answer["Status"] == "FAILED" and answer["Reason"]
    assert Capture.received == [("", answer)]
    assert stored_chain() is None
