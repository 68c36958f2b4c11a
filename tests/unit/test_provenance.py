"""What a stored image's manifest declares (studio/logic/provenance.py) and the signing certificate's
profile (studio/certificates.py): pure functions, no I/O."""

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID

from studio import certificates
from studio.catalog import EDIT_OPERATIONS
from studio.logic import provenance

CORE = "stability.stable-image-core-v1:1"


def record(**fields) -> dict:
    return {"id": "g1", "mode": "text", "modelId": CORE, "request": {"prompt": "a private garden"}, "lineage": {},
            **fields}


def test_a_generation_is_created_by_the_model_as_trained_algorithmic_media():
    assert provenance.actions(record()) == [{
        "action": "c2pa.created", "digitalSourceType": provenance.TRAINED_ALGORITHMIC_MEDIA,
        "softwareAgent": {"name": "Stable Image Core", "version": CORE}}]


def test_reference_and_style_images_are_inputs_and_style_transfer_content_is_a_component():
    with_both = record(mode="style", request={"prompt": "x", "referenceImageKey": "uploads/u/a.png",
                                              "styleImageKey": "uploads/u/b.png"})
    assert [(r.label, r.relationship) for r in provenance.generation_roles(with_both)] == [
        ("reference", "inputTo"), ("style", "inputTo")]
    assert provenance.actions(with_both)[0]["parameters"] == {"ingredientIds": ["reference", "style"]}
    transfer = record(mode="style-transfer", request={"referenceImageKey": "uploads/u/a.png",
                                                      "styleImageKey": "uploads/u/b.png"})
    assert provenance.generation_roles(transfer)[0].relationship == "componentOf"
    assert provenance.generation_roles(record()) == []


@pytest.mark.parametrize("operation", [op.name for op in EDIT_OPERATIONS])
def test_an_edit_opens_its_parent_then_resizes_or_edits_and_says_when_a_model_painted(operation):
    opened, action = provenance.actions(record(mode="edit", operation=operation))
    assert opened == {"action": "c2pa.opened", "parameters": {"ingredientIds": ["parent"]}}
    assert action["action"] == ("c2pa.resized" if operation.startswith("upscale") else "c2pa.edited")
    painted = operation not in ("remove-background", "upscale-fast")
    assert (action.get("digitalSourceType") == provenance.COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA) is painted
    assert action["softwareAgent"]["version"] == next(op.model_id for op in EDIT_OPERATIONS if op.name == operation)


def test_the_generation_id_is_always_there_and_the_prompt_only_when_allowed():
    plain = provenance.definition(record(), 2, 42, include_prompt=False)
    ours = next(a["data"] for a in plain["assertions"] if a["label"] == provenance.ASSERTION_LABEL)
    assert ours == {"generationId": "g1", "imageIndex": 2, "mode": "text", "modelId": CORE, "seed": 42}
    assert "a private garden" not in str(plain)
    told = provenance.definition(record(), 0, 1, include_prompt=True)
    assert next(a["data"] for a in told["assertions"] if a["label"] == provenance.ASSERTION_LABEL)["prompt"] == \
        "a private garden"
    assert told["claim_generator_info"] == [{"name": provenance.PRODUCT, "version": provenance.PRODUCT_VERSION}]


def test_the_summary_reads_the_active_manifest():
    manifests = {"m1": {"claim_generator_info": [{"name": "P", "version": "1"}],
                        "signature_info": {"issuer": "Org", "time": "2026-12-04T00:00:00+00:00"},
                        "assertions": [{"label": "c2pa.actions.v2", "data": {"actions": [
                            {"action": "c2pa.opened"},
                            {"action": "c2pa.edited", "digitalSourceType": provenance.COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA,
                             "softwareAgent": {"name": "Inpaint", "version": "m"}}]}}],
                        "ingredients": [{"title": "parent.png", "relationship": "parentOf", "active_manifest": "m0"}]}}
    summary = provenance.summary(manifests, "m1", "Valid")
    assert summary["issuer"] == "Org" and summary["claimGenerator"] == "P 1" and summary["ingredientCount"] == 1
    assert summary["actions"][1] == {"action": "c2pa.edited", "digitalSourceType": "compositeWithTrainedAlgorithmicMedia",
                                     "softwareAgent": "Inpaint m"}
    assert summary["ingredients"] == [{"title": "parent.png", "relationship": "parentOf", "hasManifest": True}]


def test_the_signing_certificate_has_the_profile_c2pa_requires():
    public = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    leaf, ca = x509.load_pem_x509_certificates(
        certificates.issue_signer(certificates.new_authority("Test CA"), public, "signer").encode())
    assert leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    usage = leaf.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and not usage.value.key_cert_sign
    eku = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.EMAIL_PROTECTION in eku and certificates.DOCUMENT_SIGNING in eku
    assert ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE not in eku
    assert leaf.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier == \
        ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.key_identifier
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    assert leaf.not_valid_after_utc <= ca.not_valid_after_utc


def test_only_p256_keys_get_a_certificate():
    rsa_like = ec.generate_private_key(ec.SECP384R1()).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    with pytest.raises(ValueError, match="ECC_NIST_P256"):
        certificates.issue_signer(certificates.new_authority("Test CA"), rsa_like, "signer")
