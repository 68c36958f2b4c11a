"""The dead-letter handler's job: a generation whose job exhausted its retries fails cleanly.

Apart from the renderer on purpose: the dead-letter function loads neither Pillow nor the model
adapters (tests/unit/test_imports.py checks it).
"""

from __future__ import annotations

from studio.adapters import records
from studio.logic.generations import now_iso

ABANDONED_MESSAGE = "The generation could not be processed. Nothing was charged to your quota; try again."


def fail_abandoned(generation_id: str) -> bool:
    """Fail the record and release its quota; False when it was already finished or deleted."""
    record = records.get_generation(generation_id)
    if record is None or record["status"] not in records.ACTIVE:
        return False
    return records.fail(record, "internal_error", ABANDONED_MESSAGE, now_iso())
