"""Content Credentials in the local world, as the stack deploys them: at every start a KMS key in moto
(ECC_NIST_P256) and the chain secret holding "unset"; then local/stack.py runs the stack's own
deploy-time issuer (functions/credentials/issuer.py, the Custom::DayOneCertificate resource) in its
container under its synthesized IAM policy, which stores the day-one chain in SSM. So the worker
signs through KMS Sign with the same untrusted day-one signer as a fresh deployment (docs/credentials.md).

An organisation's chain, locally: STUDIO_LOCAL_CA=1 makes a development CA kept in .local-data/
(its key never leaves that folder) issue the key's certificate into the chain secret at start, as an
organisation's CA would (tests use a throwaway one the same way).

moto cannot import key material for an asymmetric key, so the key is new at every start: its
certificate is issued then.
"""

from __future__ import annotations

import os
from pathlib import Path

from local.paths import add_functions_to_path

add_functions_to_path()
from studio import certificates  # noqa: E402

CA_FILE = "content-credentials-ca.pem"  # the development CA's key and certificate (0600)
CA_NAME = "Image Prompt Studio local development CA"
SIGNER_NAME = "Image Prompt Studio (local development)"
KEY_DESCRIPTION = "Signs the Content Credentials (C2PA manifests) of every stored image"
CHAIN_SECRET_NAME = "image-prompt-studio/credentials-chain"
UNSET = "unset"  # what the stack's chain secret holds until an organisation sets its chain (cdk/credentials.py)
ORGANISATION_CA_SWITCH = "STUDIO_LOCAL_CA"  # 1: the development CA plays the organisation's CA


def authority(data_dir: Path | None) -> certificates.Authority:
    """The development CA from `data_dir` (made and saved there on first use); a throwaway one without."""
    if data_dir is None:
        return certificates.new_authority(CA_NAME)
    path = Path(data_dir) / CA_FILE
    if path.exists():
        text = path.read_bytes()
        key, cert = text.split(b"-----BEGIN CERTIFICATE-----", 1)
        return certificates.Authority(key_pem=key, cert_pem=b"-----BEGIN CERTIFICATE-----" + cert)
    made = certificates.new_authority(CA_NAME)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(made.key_pem + made.cert_pem)
    return made


def provision(kms, secretsmanager, ca: certificates.Authority | None = None) -> tuple[str, str]:
    """(the signing key's ARN, the chain secret's ARN): a new KMS key, and the chain secret holding
    "unset" as the stack creates it, or, with `ca` (an organisation's CA stand-in), its certificate."""
    key = kms.create_key(Description=KEY_DESCRIPTION, KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    chain = UNSET
    if ca is not None:
        chain = certificates.issue_signer(ca, kms.get_public_key(KeyId=key["Arn"])["PublicKey"], SIGNER_NAME)
    secret_arn = secretsmanager.create_secret(Name=CHAIN_SECRET_NAME, SecretString=chain)["ARN"]
    return key["Arn"], secret_arn
