"""Bedrock's control plane: a model's lifecycle (GetFoundationModel), asked in the region the stack calls it in."""

from __future__ import annotations

from datetime import datetime

from botocore.exceptions import BotoCoreError, ClientError

from studio.adapters import clients
from studio.observability import logger


def _day(value: datetime | str | None) -> str | None:
    if value is None:
        return None
    return value.date().isoformat() if isinstance(value, datetime) else str(value)[:10]


def lifecycle(model_id: str, region: str) -> dict | None:
    """{"status": ACTIVE|LEGACY, "legacySince", "endOfLife"} of a foundation model, or None when Bedrock
    did not say (an error, the model unknown in that region): logged, and recorded as unknown."""
    try:
        details = clients.get("bedrock", region).get_foundation_model(modelIdentifier=model_id)["modelDetails"]
    except (ClientError, BotoCoreError) as error:
        code = getattr(error, "response", {}).get("Error", {}).get("Code", type(error).__name__)
        logger.warning("could not read the model's lifecycle", extra={"modelId": model_id, "region": region,
                                                                      "error": code})
        return None
    life = details.get("modelLifecycle") or {}
    return {"status": life.get("status", "ACTIVE"), "legacySince": _day(life.get("legacyTime")),
            "endOfLife": _day(life.get("endOfLifeTime"))}
