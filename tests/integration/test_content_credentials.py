"""Content Credentials (issue 21) through the real handlers and worker under moto: every stored image
carries a signed C2PA manifest that the c2pa reader validates (apart from trust in the local
certificate), an edit chain reads back to the first generation, a changed file fails validation,
and POST /credentials/verify answers for ours, a stranger's and a file without a manifest."""

import io

import boto3
import c2pa
import pytest

import gallery.handler
import generate.handler
from studio import credentials
from studio.adapters import signing
from studio.logic import provenance
from tests.support import images as make
from tests.support.aws import BUCKET, REGION
from tests.support.bedrock import Matches, stability_answer
from tests.support.events import USER_A, USER_B, call
from tests.support.flow import get, post, run_worker
from tests.support.uploads import put_upload

CORE = "stability.stable-image-core-v1:1"
FAST_UPSCALE = "us.stability.stable-fast-upscale-v1:0"
INPAINT = "us.stability.stable-image-inpaint-v1:0"
UNTRUSTED = "signingCredential.untrusted"  # the local development CA is on no trust list


def stored_png(key: str) -> bytes:
    return boto3.client("s3", region_name=REGION).get_object(Bucket=BUCKET, Key=key)["Body"].read()


def read_back(key: str) -> dict:
    """The manifest store of a stored image, as the c2pa reader (no trust list) sees it."""
    with c2pa.Reader("image/png", io.BytesIO(stored_png(key))) as reader:
        import json

        return json.loads(reader.json())


def failure_codes(store: dict) -> set[str]:
    results = store["validation_results"]
    codes = {f["code"] for f in results["activeManifest"].get("failure", [])}
    for delta in results.get("ingredientDeltas", []):
        codes |= {f["code"] for f in delta["validationDeltas"].get("failure", [])}
    return codes


def actions_of(manifest: dict) -> list[dict]:
    return next(a for a in manifest["assertions"] if a["label"].startswith("c2pa.actions"))["data"]["actions"]


def generate_one(aws, bedrock, user=USER_A, public=False, prompt="a lighthouse at dusk") -> dict:
    reply = post({"prompt": prompt, "modelId": CORE, "seed": 7, "public": public}, user=user)
    assert reply.status == 202, reply.body
    bedrock.invoke(CORE, Matches(lambda _: True, "text body"), stability_answer(make.png((96, 64), (10, 90, 200)), 7))
    assert run_worker(aws)[0] == {"batchItemFailures": []}
    return get(reply.body["id"], user=user).body


def edit_one(aws, bedrock, parent_id: str, operation: str, model: str, result: bytes, **fields) -> dict:
    reply = call(generate.handler.handler, "POST", "/edits",
                 body={"operation": operation, "generationId": parent_id, **fields})
    assert reply.status == 202, reply.body
    bedrock.invoke(model, Matches(lambda _: True, "edit body"), stability_answer(result, 5))
    assert run_worker(aws)[0] == {"batchItemFailures": []}
    record = get(reply.body["id"]).body
    assert record["status"] == "COMPLETE", record
    return record


def key_of(record: dict) -> str:
    return record["images"][0]["url"].split("/", 3)[-1] if record["images"][0]["url"].startswith("http") \
        else record["images"][0]["url"].lstrip("/")


def mask_upload() -> str:
    from PIL import Image

    mask = Image.new("L", (96, 64), 0)
    mask.paste(255, (10, 10, 40, 40))
    out = io.BytesIO()
    mask.save(out, format="PNG")
    return put_upload(USER_A, out.getvalue(), "png")


def test_given_a_generation_and_a_two_step_edit_chain_then_each_file_validates_and_the_chain_reads_back(aws, bedrock):
    # Given a generation, an inpaint of it, and an upscale of the inpaint
    first = generate_one(aws, bedrock)
    second = edit_one(aws, bedrock, first["id"], "inpaint", INPAINT, make.png((96, 64), (200, 90, 10)),
                      prompt="a red door", maskKey=mask_upload(), seed=5)
    third = edit_one(aws, bedrock, second["id"], "upscale-fast", FAST_UPSCALE, make.png((384, 256), (200, 90, 10)))

    stores = [read_back(key_of(r)) for r in (first, second, third)]
    for store in stores:
        # Then every stored file validates, apart from trust in the local development CA
        assert store["validation_state"] == "Valid"
        assert failure_codes(store) <= {UNTRUSTED}
    manifests = [s["manifests"][s["active_manifest"]] for s in stores]

    # The generation: created by the model, trained algorithmic media, with our claim generator and id
    created = actions_of(manifests[0])
    assert [a["action"] for a in created] == ["c2pa.created"]
    assert created[0]["digitalSourceType"] == provenance.TRAINED_ALGORITHMIC_MEDIA
    assert created[0]["softwareAgent"] == {"name": "Stable Image Core", "version": CORE}
    assert manifests[0]["claim_generator_info"][0]["name"] == provenance.PRODUCT
    assert provenance.ours(manifests[0])["generationId"] == first["id"]
    assert manifests[0].get("ingredients", []) == []

    # The inpaint: opened its parent, then edited with a model painting part of it
    assert [a["action"] for a in actions_of(manifests[1])] == ["c2pa.opened", "c2pa.edited"]
    assert actions_of(manifests[1])[1]["digitalSourceType"] == provenance.COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA
    # The upscale: resized, nothing painted
    assert [a["action"] for a in actions_of(manifests[2])] == ["c2pa.opened", "c2pa.resized"]
    assert "digitalSourceType" not in actions_of(manifests[2])[1]

    # Each edit's one ingredient is its parent, carrying the parent's own manifest: the chain reads
    # back to the first generation
    for child, parent_store, parent in ((stores[2], stores[1], second), (stores[1], stores[0], first)):
        ingredients = child["manifests"][child["active_manifest"]]["ingredients"]
        assert len(ingredients) == 1 and ingredients[0]["relationship"] == "parentOf"
        assert ingredients[0]["active_manifest"] == parent_store["active_manifest"]
        assert provenance.ours(child["manifests"][ingredients[0]["active_manifest"]])["generationId"] == parent["id"]
    assert first["id"] in {provenance.ours(m)["generationId"] for m in stores[2]["manifests"].values()}

    # And GET shows what the worker read when it signed, without reading the file again
    assert third["contentCredentials"]["signed"] is True
    assert third["contentCredentials"]["validationState"] == "Valid"
    assert third["contentCredentials"]["ingredientCount"] == 1
    assert [a["action"] for a in third["contentCredentials"]["actions"]] == ["c2pa.opened", "c2pa.resized"]
    assert third["contentCredentials"]["issuer"] == "Image Prompt Studio"
    assert first["contentCredentials"]["actions"][0]["digitalSourceType"] == "trainedAlgorithmicMedia"


def test_given_a_signed_image_whose_pixels_change_then_validation_fails(aws, bedrock):
    record = generate_one(aws, bedrock)
    signed = stored_png(key_of(record))
    from PIL import Image

    # Change one pixel and write the PNG again around the same manifest store: re-encode the image
    # chunks only (the manifest's caBX chunk is kept as it is)
    tampered = _replace_idat(signed, _idat_of(_repainted(signed)))
    with c2pa.Reader("image/png", io.BytesIO(tampered)) as reader:
        assert reader.get_validation_state() == "Invalid"
        assert "assertion.dataHash.mismatch" in reader.json()
    assert Image.open(io.BytesIO(tampered)).getpixel((0, 0))[:3] == (255, 255, 255)


def _chunks(png: bytes):
    import struct

    position = 8
    while position < len(png):
        (length,) = struct.unpack(">I", png[position:position + 4])
        kind = png[position + 4:position + 8]
        yield kind, png[position:position + 12 + length]
        position += 12 + length


def _repainted(png: bytes) -> bytes:
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.putpixel((0, 0), (255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _idat_of(png: bytes) -> bytes:
    return b"".join(chunk for kind, chunk in _chunks(png) if kind == b"IDAT")


def _replace_idat(png: bytes, idat: bytes) -> bytes:
    out, placed = [png[:8]], False
    for kind, chunk in _chunks(png):
        if kind == b"IDAT":
            if not placed:
                out.append(idat)
                placed = True
            continue
        out.append(chunk)
    return b"".join(out)


def verify(key: str, user: str = USER_A):
    return call(gallery.handler.handler, "POST", "/credentials/verify", body={"imageKey": key}, user=user)


def test_given_our_image_uploaded_for_a_check_then_its_manifest_and_generation_id_for_who_may_see_it(aws, bedrock):
    record = generate_one(aws, bedrock)
    signed = stored_png(key_of(record))

    mine = verify(put_upload(USER_A, signed, "png"))
    assert mine.status == 200, mine.body
    assert mine.body["hasManifest"] is True and mine.body["generationId"] == record["id"]
    assert mine.body["credentials"]["validationState"] == "Valid"
    assert mine.body["failures"] == [UNTRUSTED]
    assert mine.body["credentials"]["actions"][0]["action"] == "c2pa.created"

    # Another user checking the same file learns what it says, but not which private record it is
    theirs = verify(put_upload(USER_B, signed, "png"), user=USER_B)
    assert theirs.status == 200 and theirs.body["hasManifest"] is True
    assert theirs.body["generationId"] is None


def test_given_an_image_without_a_manifest_then_verify_says_it_has_none(aws):
    reply = verify(put_upload(USER_A, make.jpeg((64, 48)), "jpeg"))
    assert reply.status == 200, reply.body
    assert reply.body["hasManifest"] is False and reply.body["credentials"] is None
    assert "no C2PA manifest" in reply.body["message"]


def test_given_a_foreign_signed_image_then_verify_reads_it_without_a_generation_id(aws):
    # Given a PNG another product signed with its own key and certificate
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from studio import certificates

    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    chain = certificates.issue_signer(certificates.new_authority("Elsewhere CA", "Elsewhere"), public, "camera",
                                      organization="Elsewhere")
    definition = {"claim_generator_info": [{"name": "Elsewhere Camera", "version": "2.0"}], "title": "photo.png",
                  "format": "image/png", "assertions": [{"label": "c2pa.actions.v2", "data": {"actions": [
                      {"action": "c2pa.created",
                       "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"}]}}]}
    foreign = credentials.sign_png(make.png((64, 48)), definition, [],
                                   lambda data: signing.der_to_p1363(key.sign(data, ec.ECDSA(hashes.SHA256()))), chain)

    reply = verify(put_upload(USER_A, foreign, "png"))

    assert reply.status == 200, reply.body
    assert reply.body["hasManifest"] is True and reply.body["generationId"] is None
    assert reply.body["credentials"]["issuer"] == "Elsewhere"
    assert reply.body["credentials"]["claimGenerator"] == "Elsewhere Camera 2.0"
    assert reply.body["credentials"]["actions"][0]["digitalSourceType"] == "digitalCapture"


def test_given_someone_elses_upload_key_then_verify_says_not_found(aws):
    key = put_upload(USER_B, make.png(), "png")
    reply = verify(key)
    assert reply.status == 404 and reply.body["error"]["code"] == "reference_missing"


@pytest.mark.parametrize("include", [False, True])
def test_the_prompt_is_in_the_manifest_only_when_the_deployment_allows_it(aws, bedrock, env, include):
    env(CREDENTIALS_INCLUDE_PROMPT=str(include).lower())
    record = generate_one(aws, bedrock, prompt="a secret garden")
    store = read_back(key_of(record))
    ours = provenance.ours(store["manifests"][store["active_manifest"]])
    assert ours["generationId"] == record["id"]
    assert ("prompt" in ours) is include
    assert ("a secret garden" in str(store)) is include


def day_one_world(aws) -> str:
    """The chain secret as deployed ("unset") and the day-one chain the deploy-time issuer stored: the chain."""
    from tests.support.aws import DAY_ONE_PARAMETER
    from tests.support.cloudformation import create_event, day_one_properties, run_issuer

    boto3.client("secretsmanager", region_name=REGION).put_secret_value(
        SecretId=aws.credentials_chain_secret_arn, SecretString="unset")
    answer = run_issuer(create_event(properties=day_one_properties(aws.credentials_key_arn)))
    assert answer["Status"] == "SUCCESS", answer
    return boto3.client("ssm", region_name=REGION).get_parameter(Name=DAY_ONE_PARAMETER)["Parameter"]["Value"]


def test_on_day_one_the_worker_signs_with_the_chain_the_deploy_issued_and_it_validates_apart_from_trust(aws, bedrock):
    # Given a fresh deployment: no organisation chain, the day-one chain the stack issued at deploy
    from cryptography import x509

    issued = x509.load_pem_x509_certificates(day_one_world(aws).encode())[0]
    # When the worker renders and signs a generation
    record = generate_one(aws, bedrock)
    store = read_back(key_of(record))
    # Then the file validates, apart from trust in the day-one CA (on no trust list)
    assert store["validation_state"] == "Valid"
    assert failure_codes(store) == {UNTRUSTED}
    # And its signer is the certificate the deploy issued, not one the worker made
    info = store["manifests"][store["active_manifest"]]["signature_info"]
    assert info["cert_serial_number"] == str(issued.serial_number)
    assert record["contentCredentials"]["signed"] is True


def test_without_any_chain_the_generation_fails_with_a_stored_reason_instead_of_inventing_one(aws, bedrock):
    # Given the chain secret unset and no day-one chain (the deploy-time issuer never ran)
    boto3.client("secretsmanager", region_name=REGION).put_secret_value(
        SecretId=aws.credentials_chain_secret_arn, SecretString="unset")
    reply = post({"prompt": "a lighthouse", "modelId": CORE, "seed": 7})
    bedrock.invoke(CORE, Matches(lambda _: True, "text body"), stability_answer(make.png((96, 64), (10, 90, 200)), 7))
    run_worker(aws)
    # Then the generation ends failed with a clear reason, and no unsigned image is stored
    record = get(reply.body["id"]).body
    assert record["status"] == "FAILED", record
    assert record["error"]["code"] == "storage_error"
    assert "day-one certificate" in record["error"]["message"]
