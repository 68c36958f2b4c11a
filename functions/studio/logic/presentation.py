"""Stored records as the API shows them: image keys become URLs, owner ids stay private."""

from __future__ import annotations

from studio.models import GeneratedImage, Generation, GenerationErrorInfo


def image_url(base_url: str, key: str) -> str:
    # Keys start with images/, which CloudFront (and the local gateway) serves from the bucket.
    return f"{base_url}/{key}"


def generation(record: dict, viewer_id: str, base_url: str) -> Generation:
    error = record.get("error")
    return Generation(
        id=record["id"],
        status=record["status"],
        mode=record["mode"],
        model_id=record["modelId"],
        request=record.get("request", {}),
        lineage=record.get("lineage", {}),
        images=[
            GeneratedImage(url=image_url(base_url, i["key"]), thumbnail_url=image_url(base_url, i["thumbnailKey"]),
                           width=i["width"], height=i["height"], seed=i["seed"])
            for i in record.get("images", [])
        ],
        error=GenerationErrorInfo(**error) if error else None,
        estimated_cost=record.get("estimatedCost", 0.0),
        created_at=record["createdAt"],
        updated_at=record.get("updatedAt", record["createdAt"]),
        favorite=bool(record.get("favorite")),
        public=bool(record.get("public")),
        mine=record["ownerId"] == viewer_id,
    )
