"""X.509 certificates for Content Credentials signing (pure: no I/O).

C2PA validators accept a signing certificate only with the profile the specification sets for
claim signers (C2PA 2.x, "Certificate Profile"): version 3, not a CA, keyUsage digitalSignature
(critical), an extended key usage of emailProtection or documentSigning (never anyExtendedKeyUsage),
an authority key identifier, and an issuer that is not the certificate itself.

Two uses:
- the development CA `make local` keeps in .local-data/ (its key never leaves that folder), which
  issues the signing certificate for the local KMS key's public key at every start;
- the "day one" chain: the stack issues it at deploy (functions/credentials/issuer.py) so that
  signing works before an organisation configures its chain: a certificate for the KMS key from a
  CA made on the spot and then forgotten (its private key is never stored or logged). Validators
  show such a signer as untrusted, which is what it is (docs/credentials.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ORGANIZATION = "Image Prompt Studio"
CA_YEARS = 10
SIGNER_DAYS = 397  # the longest end-entity lifetime public CAs issue; the deploy re-issues a day-one cert before it ends
BACKDATE = timedelta(hours=1)  # clock skew between the issuer and a validator
# documentSigning (RFC 9336); emailProtection is the other EKU C2PA accepts.
DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")


@dataclass(frozen=True)
class Authority:
    """A CA: its key and certificate, PEM-encoded."""

    key_pem: bytes
    cert_pem: bytes


def _name(common_name: str, organization: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization)])


def _usage(*, signing: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=signing, content_commitment=False, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=not signing,
                         crl_sign=not signing, encipher_only=False, decipher_only=False)


def new_authority(common_name: str, organization: str = ORGANIZATION, now: datetime | None = None) -> Authority:
    """A self-signed P-256 CA that may issue end-entity certificates only (path length 0)."""
    now = now or datetime.now(timezone.utc)
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(common_name, organization)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - BACKDATE).not_valid_after(now + timedelta(days=365 * CA_YEARS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_usage(signing=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return Authority(key_pem, cert.public_bytes(serialization.Encoding.PEM))


def issue_signer(authority: Authority, public_key_der: bytes, common_name: str,
                 organization: str = ORGANIZATION, now: datetime | None = None) -> str:
    """A C2PA claim-signing certificate for `public_key_der` (SubjectPublicKeyInfo, as KMS
    GetPublicKey returns it), issued by `authority`: the chain (signer first, then the CA) in PEM."""
    now = now or datetime.now(timezone.utc)
    ca_key = serialization.load_pem_private_key(authority.key_pem, password=None)
    ca_cert = x509.load_pem_x509_certificate(authority.cert_pem)
    public_key = serialization.load_der_public_key(public_key_der)
    if not isinstance(public_key, ec.EllipticCurvePublicKey) or public_key.curve.name != "secp256r1":
        raise ValueError("the signing key must be an ECC_NIST_P256 key (C2PA ES256)")
    cert = (x509.CertificateBuilder().subject_name(_name(common_name, organization)).issuer_name(ca_cert.subject)
            .public_key(public_key).serial_number(x509.random_serial_number())
            .not_valid_before(now - BACKDATE)
            .not_valid_after(min(now + timedelta(days=SIGNER_DAYS), ca_cert.not_valid_after_utc))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_usage(signing=True), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION, DOCUMENT_SIGNING]),
                           critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    return (cert.public_bytes(serialization.Encoding.PEM) + authority.cert_pem).decode()


def day_one_chain(public_key_der: bytes) -> str:
    """A chain for the KMS key when the organisation has configured none: a CA made here, used once
    and forgotten (its key is never stored), so validators report the signer as untrusted."""
    authority = new_authority(f"{ORGANIZATION} day-one CA (untrusted)")
    return issue_signer(authority, public_key_der, f"{ORGANIZATION} content credentials (day one)")


def leaf_public_key_der(chain_pem: str) -> bytes:
    """The public key of the chain's first certificate (to check it matches the signing key)."""
    cert = x509.load_pem_x509_certificates(chain_pem.encode())[0]
    return cert.public_key().public_bytes(serialization.Encoding.DER,
                                          serialization.PublicFormat.SubjectPublicKeyInfo)


def leaf_not_after(chain_pem: str) -> datetime:
    """When the chain's first certificate (the signer's) expires (UTC)."""
    return x509.load_pem_x509_certificates(chain_pem.encode())[0].not_valid_after_utc
