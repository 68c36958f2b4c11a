"""SSM Parameter Store: the day-one certificate chain the stack issues at deploy.

Why a parameter of its own rather than writing into the organisation's chain secret while it is
"unset": each store then has exactly one writer. The organisation writes the chain secret; the
deploy-time issuer (functions/credentials/issuer.py) writes this parameter and holds no right on
the secret at all, so it can never overwrite an organisation's chain, whatever the timing (there
is no conditional write in Secrets Manager to make "only while unset" safe). Which chain signs is
decided in one place: studio.adapters.signing.certificate_chain (the organisation's when set,
else this one). A certificate chain is public, so a String parameter is enough.
"""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from studio.adapters import clients
from studio.errors import StorageError
from studio.settings import settings

# What the parameter may hold (Standard tier: 4 KB; a P-256 signer + CA chain is about 1.6 KB).
MAX_CHAIN_BYTES = 4096
DESCRIPTION = ("Content Credentials day-one certificate chain for the KMS signing key, issued at deploy; "
               "used while the CertificateChain secret is unset (untrusted signer)")


def _name() -> str:
    return settings().require("credentials_day_one_parameter")


def read() -> str:
    """The stored chain (PEM), or "" when the parameter does not exist."""
    try:
        return clients.get("ssm").get_parameter(Name=_name())["Parameter"]["Value"].strip()
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ParameterNotFound":
            return ""
        raise StorageError("Could not read the day-one certificate chain (SSM).") from error
    except BotoCoreError as error:
        raise StorageError("Could not read the day-one certificate chain (SSM).") from error


def write(chain_pem: str) -> None:
    if len(chain_pem.encode()) > MAX_CHAIN_BYTES:
        raise ValueError(f"a certificate chain of {len(chain_pem)} bytes does not fit a Standard parameter")
    try:
        clients.get("ssm").put_parameter(Name=_name(), Value=chain_pem, Type="String", Overwrite=True,
                                         Description=DESCRIPTION, Tier="Standard")
    except (ClientError, BotoCoreError) as error:
        raise StorageError("Could not store the day-one certificate chain (SSM).") from error


def delete() -> bool:
    """Remove the parameter; False when there was none."""
    try:
        clients.get("ssm").delete_parameter(Name=_name())
        return True
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ParameterNotFound":
            return False
        raise StorageError("Could not delete the day-one certificate chain (SSM).") from error
    except BotoCoreError as error:
        raise StorageError("Could not delete the day-one certificate chain (SSM).") from error
