"""Per-user daily limits on model spend: the image quota's clock, and the text-call quota.

Each text operation (translate, suggest, describe) costs one call of the day's `daily_text_quota`
(0 disables them), counted in DynamoDB with a TTL so that old days disappear. A call the model
failed through no fault of the caller (throttled, unavailable, a model or storage error, anything
unexpected) is given back, as a failed generation gives its images back; a call refused for the
caller's own input (content filtered, a bad field) used the model and still counts.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

from studio.adapters import quotas
from studio.errors import ModelThrottled, QuotaExceeded, StudioError
from studio.observability import logger
from studio.settings import Settings


def quota_day(now: datetime) -> str:
    """The UTC day a quota item counts (both quotas reset at midnight UTC)."""
    return now.strftime("%Y-%m-%d")


def seconds_to_midnight(now: datetime) -> int:
    """Retry-After for a daily quota: the days are UTC days."""
    tomorrow = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(1, int((tomorrow - now).total_seconds()))


def charge_text_call(user_id: str, conf: Settings, now: datetime | None = None) -> str:
    """Count one text-model call for the caller, or raise QuotaExceeded (429, Retry-After).
    Returns the day it was counted on (a give-back returns it to that day, even after midnight)."""
    now = now or datetime.now(timezone.utc)
    if conf.daily_text_quota == 0:
        raise QuotaExceeded("Text requests are turned off on this deployment (daily text quota 0).",
                            {"limit": 0, "kind": "text"}, retry_after=seconds_to_midnight(now))
    day = quota_day(now)
    quotas.use_text_call(user_id, day, conf.daily_text_quota,
                          int(now.timestamp()) + quotas.QUOTA_TTL_SECONDS, seconds_to_midnight(now))
    return day


def callers_fault(error: Exception) -> bool:
    """A 4xx of the caller's own making (not the model being busy, which is a 429 too)."""
    return isinstance(error, StudioError) and error.status < 500 and not isinstance(error, ModelThrottled)


@contextmanager
def text_call(user_id: str, conf: Settings) -> Iterator[None]:
    """Charge one text call for the block; give it back when the block fails through no fault of the
    caller. The block's error is raised either way; a failed give-back is only logged."""
    day = charge_text_call(user_id, conf)
    try:
        yield
    except Exception as error:
        if not callers_fault(error):
            try:
                quotas.give_back_text_call(user_id, day)
            except StudioError:
                logger.exception("could not give a failed text call back", extra={"day": day})
        raise


def left_today(user_id: str, conf: Settings, now: datetime | None = None,
               also: list[dict] = ()) -> tuple[tuple[int, int], list[dict]]:
    """((images, text calls) the caller may still ask for today (UTC)), and the items of the `also` keys
    read in the same BatchGetItem."""
    now = now or datetime.now(timezone.utc)
    (images, text), items = quotas.used_on(user_id, quota_day(now), list(also))
    return (max(0, conf.daily_image_quota - images), max(0, conf.daily_text_quota - text)), items
