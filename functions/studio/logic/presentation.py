"""Stored records as the API shows them: image keys become URLs, owner ids stay private."""

from __future__ import annotations

from studio.bodies.generations import (
    ContentCredentials,
    GeneratedImage,
    Generation,
    GenerationErrorInfo,
    RecordedEditRequest,
    RecordedGenerationRequest,
    RecordedLineage,
)
from studio.catalog import EDIT_MODE
from studio.logic import tags


def image_url(base_url: str, key: str) -> str:
    # Keys start with images/, which CloudFront (and the local gateway) serves from the bucket.
    return f"{base_url}/{key}"


# Upload keys name their owner (uploads/<owner id>/...) and are private: only the owner sees them.
PRIVATE_KEYS = ("referenceImageKey", "styleImageKey", "imageKey", "maskKey", "sourceImageKey", "referenceSummary",
                "referencePalette")


def _without_private(values: dict, mine: bool) -> dict:
    return values if mine else {k: v for k, v in values.items() if k not in PRIVATE_KEYS}


def generation(record: dict, viewer_id: str, base_url: str) -> Generation:
    error = record.get("error")
    mine = record["ownerId"] == viewer_id
    return Generation(
        id=record["id"],
        status=record["status"],
        mode=record["mode"],
        operation=record.get("operation"),
        model_id=record["modelId"],
        request=(RecordedEditRequest if record["mode"] == EDIT_MODE else RecordedGenerationRequest).model_validate(
            _without_private(record.get("request", {}), mine)),
        lineage=RecordedLineage.model_validate(_without_private(record.get("lineage", {}), mine)),
        images=[
            GeneratedImage(url=image_url(base_url, i["key"]), thumbnail_url=image_url(base_url, i["thumbnailKey"]),
                           width=i["width"], height=i["height"], seed=i["seed"])
            for i in record.get("images", [])
        ],
        reference_url=image_url(base_url, record["referenceImage"]["key"]) if mine and record.get("referenceImage") else None,
        error=GenerationErrorInfo(**error) if error else None,
        estimated_cost=record.get("estimatedCost", 0.0),
        created_at=record["createdAt"],
        updated_at=record.get("updatedAt", record["createdAt"]),
        favorite=bool(record.get("favorite")),
        public=bool(record.get("public")),
        mine=mine,
        annotations=record.get("annotations", []),
        tags=tags.shown(record),
        content_credentials=_credentials(record),
        batch_id=record.get("batchId"),
    )


def _credentials(record: dict) -> ContentCredentials | None:
    """The first image's manifest as read when signed (every image of a record is signed alike);
    an image stored before signing existed shows as unsigned."""
    images = record.get("images") or []
    if not images:
        return None
    summary = images[0].get("credentials")
    return ContentCredentials.model_validate(summary) if summary else ContentCredentials(signed=False)
