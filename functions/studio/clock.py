"""The clock every record is stamped with: UTC, milliseconds, ISO 8601 with a Z."""

from __future__ import annotations

from datetime import datetime, timezone


def now_iso(now: datetime | None = None) -> str:
    return (now or datetime.now(timezone.utc)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
