"""The day-one certificate the stack issues at deploy (functions/credentials/issuer.py).

Signing must work before an organisation sets its chain (docs/credentials.md): at deploy, a
certificate for the KMS key's public key is issued by a CA made for the occasion and forgotten
(studio.certificates.day_one_chain; its private key lives only in this call's memory, is never
stored, returned or logged), and the chain is stored in the day-one parameter the worker falls
back to. A later deploy re-issues only when needed: the key changed, or the certificate ends
within RENEW_BEFORE.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from studio import certificates
from studio.adapters import day_one_chain, signing

# A deploy this close to the certificate's end issues a new one (SIGNER_DAYS is 397).
RENEW_BEFORE = timedelta(days=60)


@dataclass(frozen=True)
class Outcome:
    issued: bool
    not_after: str  # the signer certificate's end, ISO 8601 UTC
    reason: str  # why it was (re-)issued or kept


def renewal_reason(chain: str, public_key_der: bytes, now: datetime) -> str | None:
    """Why `chain` must be replaced for the key `public_key_der` at `now`; None when it is fine."""
    if not chain:
        return "none stored"
    try:
        if certificates.leaf_public_key_der(chain) != public_key_der:
            return "the signing key changed"
        if certificates.leaf_not_after(chain) - now < RENEW_BEFORE:
            return "the certificate ends soon"
    except ValueError:
        return "the stored chain is unreadable"
    return None


def ensure(now: datetime | None = None) -> Outcome:
    """Create / Update: keep the stored day-one chain when it is for the key and lasts, else issue one."""
    now = now or datetime.now(timezone.utc)
    public_key = signing.public_key_der()
    stored = day_one_chain.read()
    reason = renewal_reason(stored, public_key, now)
    if reason is None:
        return Outcome(False, certificates.leaf_not_after(stored).isoformat(), "kept: for this key and not ending soon")
    chain = certificates.day_one_chain(public_key)
    day_one_chain.write(chain)
    return Outcome(True, certificates.leaf_not_after(chain).isoformat(), reason)


def remove(retain: bool) -> bool:
    """Delete: the parameter goes with the stack unless the stack retains its data (retainData), as the
    key does; True when something was deleted."""
    return False if retain else day_one_chain.delete()
