"""Per-user daily limits on model spend: the image quota's clock, and the text-call quota.

Each text operation (translate, suggest, describe) costs one call of the day's `daily_text_quota`
(0 disables them), counted in DynamoDB with a TTL so that old days disappear.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from studio.adapters import quotas
from studio.errors import QuotaExceeded
from studio.settings import Settings


def quota_day(now: datetime) -> str:
    """The UTC day a quota item counts (both quotas reset at midnight UTC)."""
    return now.strftime("%Y-%m-%d")


def seconds_to_midnight(now: datetime) -> int:
    """Retry-After for a daily quota: the days are UTC days."""
    tomorrow = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(1, int((tomorrow - now).total_seconds()))


def charge_text_call(user_id: str, conf: Settings, now: datetime | None = None) -> None:
    """Count one text-model call for the caller, or raise QuotaExceeded (429, Retry-After)."""
    now = now or datetime.now(timezone.utc)
    if conf.daily_text_quota == 0:
        raise QuotaExceeded("Text requests are turned off on this deployment (daily text quota 0).",
                            {"limit": 0, "kind": "text"}, retry_after=seconds_to_midnight(now))
    quotas.use_text_call(user_id, quota_day(now), conf.daily_text_quota,
                          int(now.timestamp()) + quotas.QUOTA_TTL_SECONDS, seconds_to_midnight(now))


def left_today(user_id: str, conf: Settings, now: datetime | None = None,
               also: list[dict] = ()) -> tuple[tuple[int, int], list[dict]]:
    """((images, text calls) the caller may still ask for today (UTC)), and the items of the `also` keys
    read in the same BatchGetItem."""
    now = now or datetime.now(timezone.utc)
    (images, text), items = quotas.used_on(user_id, quota_day(now), list(also))
    return (max(0, conf.daily_image_quota - images), max(0, conf.daily_text_quota - text)), items
