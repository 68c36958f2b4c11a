"""DynamoDB: what the scheduled lifecycle check last found for each model the stack calls, one item
per model (partition MODELS, sort key the foundation-model ID); GET /models reads them in the same
BatchGetItem as the caller's quota items."""

from __future__ import annotations

from studio.adapters import table
from studio.storage_layout import MODEL_STATES_PARTITION, PARTITION_KEY, SORT_KEY


def put(state: dict) -> None:
    """Store (replace) the state of one model (`state["modelId"]` is its foundation-model ID)."""
    fields = {k: v for k, v in state.items() if k != "modelId"}
    names = {f"#{i}": k for i, k in enumerate(fields)}
    table.update({
        "Key": {PARTITION_KEY: {"S": MODEL_STATES_PARTITION}, SORT_KEY: {"S": state["modelId"]}},
        "UpdateExpression": "SET " + ", ".join(f"#{i} = :{i}" for i in range(len(fields))),
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": {f":{i}": table.to_value(v) for i, v in enumerate(fields.values())},
    })


def keys(model_ids: list[str]) -> list[dict]:
    """The items' keys of these foundation models (GET /models reads them with its quota items)."""
    return [{PARTITION_KEY: {"S": MODEL_STATES_PARTITION}, SORT_KEY: {"S": m}} for m in dict.fromkeys(model_ids)]


def states_in(items: list[dict]) -> dict[str, dict]:
    """The model states among `items` (DynamoDB items), by foundation-model ID."""
    return {plain[SORT_KEY]: {**plain, "modelId": plain[SORT_KEY]} for plain in (table.from_item(i) for i in items)
            if plain.get(PARTITION_KEY) == MODEL_STATES_PARTITION}
