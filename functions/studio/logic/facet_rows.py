"""The facet backfill: write the facet rows (storage_layout.py, facets) of records made before they existed.

Records created since carry their rows (and the FACETS_VERSION mark) from creation on; older ones (and the
tag rows of tags22, pk TAG#...) are rewritten here, one bounded page at a time. Each record's rows go in
one transaction conditioned on what they depend on, so a PATCH racing the backfill is never undone: the
record is read again (a few times), else left for the next run (it is still unmarked).
"""

from __future__ import annotations

from typing import Callable

from studio.adapters import facet_backfill, generation_records, table

WRITTEN, CHANGED, GONE = "FACETS_WRITTEN", "BUSY_RETRY_LATER", "GONE"


def backfill(batch_size: int, start_key: dict | None,
             progress: Callable[[str, str], None] = lambda _id, _status: None) -> tuple[int, dict | None]:
    """One bounded page of unmarked records: (how many got their rows, the key to go on from, or None)."""
    records, next_key = facet_backfill.records_page(batch_size, start_key)
    done = 0
    for record in records:
        status = _write(record)
        done += status == WRITTEN
        progress(record["id"], status)
    return done, next_key


def _write(record: dict) -> str:
    current: dict | None = record
    for attempt in range(table.WRITE_ATTEMPTS):
        if current is None:
            return GONE
        if facet_backfill.write_facet_rows(current):
            return WRITTEN
        table.pause(attempt)
        current = generation_records.get(record["id"])
    return CHANGED
