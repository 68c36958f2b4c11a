"""The HTTP edge's pure parts, and records as the API shows them."""

import json

from studio.http import validation_details
from studio.logic import presentation


def test_given_pydantic_errors_then_details_name_the_field_in_camel_case_paths():
    details = validation_details([
        {"loc": ("body", "lineage", "originalText"), "msg": "String should have at most 2000 characters",
         "type": "string_too_long"},
        {"loc": ("query", "limit"), "msg": "Input should be less than or equal to 100", "type": "less_than_equal"},
        {"loc": ("body",), "msg": "JSON decode error", "type": "json_invalid"},
        {"loc": ("header", "idempotency-key"), "msg": "bad", "type": "x"},
        {},
    ])
    assert [d["field"] for d in details] == ["lineage.originalText", "limit", "body", "idempotency-key", "body"]
    assert details[0] == {"field": "lineage.originalText", "rule": "String should have at most 2000 characters",
                          "type": "string_too_long"}
    assert details[4]["rule"] == "invalid"


def record(**extra):
    return {
        "id": "g1", "ownerId": "owner-sub-1234", "status": "COMPLETE", "mode": "variation",
        "modelId": "amazon.titan-image-generator-v2:0",
        "request": {"mode": "variation", "prompt": "p", "referenceImageKey": "uploads/owner-sub-1234/abcdef0123456789.png",
                    "similarityStrength": 0.7, "width": 1024, "height": 1024, "count": 1, "quality": "standard",
                    "modelId": "amazon.titan-image-generator-v2:0", "seed": 5},
        "lineage": {"source": "reference", "referenceImageKey": "uploads/owner-sub-1234/abcdef0123456789.png",
                    "finalPrompt": "p"},
        "images": [{"key": "images/xyz/0.png", "thumbnailKey": "images/xyz/0.webp", "width": 1024, "height": 1024,
                    "seed": 5}],
        "estimatedCost": 0.01, "createdAt": "2026-11-26T17:00:00.000Z", "updatedAt": "2026-11-26T17:00:05.000Z",
        "favorite": True, "public": True, "quotaDay": "2026-11-26", "imageCount": 1,
        "ownerFeed": "owner-sub-1234", "referenceImage": {"key": "images/xyz/reference.png"}, **extra,
    }


def test_given_a_record_then_urls_come_from_the_base_and_mine_is_true_for_the_owner():
    shown = presentation.generation(record(), "owner-sub-1234", "https://d111.cloudfront.net")
    assert shown.images[0].url == "https://d111.cloudfront.net/images/xyz/0.png"
    assert shown.images[0].thumbnail_url == "https://d111.cloudfront.net/images/xyz/0.webp"
    assert (shown.mine, shown.favorite, shown.public, shown.images[0].seed) == (True, True, True, 5)
    assert presentation.generation(record(), "owner-sub-1234", "").images[0].url == "/images/xyz/0.png"


def test_given_another_viewer_then_mine_is_false_and_the_owner_id_appears_nowhere():
    shown = presentation.generation(record(), "someone-else", "https://cdn.example")
    text = json.dumps(shown.model_dump(by_alias=True))
    assert shown.mine is False
    assert "owner-sub-1234" not in text
    assert "ownerId" not in text and "quotaDay" not in text and "ownerFeed" not in text


def test_given_a_failed_record_then_the_error_is_shown():
    shown = presentation.generation(record(status="FAILED", images=[], error={"code": "content_filtered",
                                                                              "message": "blocked"}), "x", "")
    assert shown.error.code == "content_filtered" and shown.images == []
    dumped = shown.model_dump(by_alias=True)
    assert set(dumped) >= {"id", "status", "images", "request", "lineage", "error", "createdAt", "favorite",
                           "estimatedCost"}


def test_given_a_reference_then_only_the_owner_sees_its_url_summary_and_palette():
    # Given a record made from a described reference image
    stored = record(lineage={"source": "reference", "referenceImageKey": "uploads/owner-sub-1234/abcdef0123456789.png",
                             "referenceSummary": "a red boat on a lake", "referencePalette": ["#aa0000", "#336699"]})
    # When its owner and someone else read it
    mine = presentation.generation(stored, "owner-sub-1234", "https://cdn.example")
    theirs = presentation.generation(stored, "someone-else", "https://cdn.example")
    # Then the owner gets the reference's URL, summary and palette; the other viewer none of them
    assert mine.reference_url == "https://cdn.example/images/xyz/reference.png"
    assert mine.lineage.reference_summary == "a red boat on a lake" and mine.lineage.reference_palette[1] == "#336699"
    assert theirs.reference_url is None
    assert not {"referenceImageKey", "referenceSummary", "referencePalette"} & set(theirs.model_dump(by_alias=True)["lineage"])
