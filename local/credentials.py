"""Content Credentials in the local world: a development CA kept in .local-data/, and at every start a
KMS key in moto (ECC_NIST_P256, as the stack creates) with a signing certificate that CA issues for
the key's public key, put into the chain secret. So the worker signs through KMS Sign here too, and
reads its chain from Secrets Manager, as in the cloud with an organisation's CA (docs/credentials.md).

moto cannot import key material for an asymmetric key, so the key is new at every start: the
certificate is issued for it then (the cloud's day-one path does the same for its key).
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


def provision(kms, secretsmanager, ca: certificates.Authority) -> tuple[str, str]:
    """(the signing key's ARN, the chain secret's ARN): a new KMS key, its certificate from `ca`."""
    key = kms.create_key(Description=KEY_DESCRIPTION, KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    public_key = kms.get_public_key(KeyId=key["Arn"])["PublicKey"]
    chain = certificates.issue_signer(ca, public_key, SIGNER_NAME)
    secret_arn = secretsmanager.create_secret(Name=CHAIN_SECRET_NAME, SecretString=chain)["ARN"]
    return key["Arn"], secret_arn
