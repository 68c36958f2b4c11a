"""CloudFront: forget cached copies of images that were deleted or unshared.

Best effort and bounded: a failed invalidation is logged and counted, never fails the request
(the objects are gone from S3 already; the edge copy expires on its own). With no distribution
configured (DISTRIBUTION_ID_PARAMETER empty, e.g. `make local`) there is no CDN and nothing to do.
The distribution id lives in an SSM parameter written after the distribution exists, which keeps
the stack free of a cycle (distribution -> API -> function -> distribution).
"""

from __future__ import annotations

import uuid

from botocore.exceptions import BotoCoreError, ClientError

from studio import caches
from studio.adapters import clients
from studio.observability import count, logger
from studio.settings import settings

# Paths per CreateInvalidation call, and calls per request: a generation has at most a few dozen keys.
MAX_PATHS_PER_CALL = 100
MAX_CALLS = 3


@caches.cached
def distribution_id() -> str:
    parameter = settings().distribution_id_parameter
    if not parameter:
        return ""
    return clients.get("ssm").get_parameter(Name=parameter)["Parameter"]["Value"]


def invalidate(keys: list[str]) -> int:
    """Invalidate /<key> for each object key; returns how many paths were submitted."""
    paths = sorted({"/" + key.lstrip("/") for key in keys})
    if not paths:
        return 0
    try:
        distribution = distribution_id()
    except (ClientError, BotoCoreError):
        logger.exception("could not read the distribution id; cached copies expire on their own")
        count("InvalidationsFailed")
        return 0
    if not distribution:
        return 0
    batches = [paths[i:i + MAX_PATHS_PER_CALL] for i in range(0, len(paths), MAX_PATHS_PER_CALL)][:MAX_CALLS]
    submitted = 0
    for batch in batches:
        try:
            clients.get("cloudfront").create_invalidation(DistributionId=distribution, InvalidationBatch={
                "Paths": {"Quantity": len(batch), "Items": batch}, "CallerReference": uuid.uuid4().hex})
            submitted += len(batch)
        except (ClientError, BotoCoreError):
            logger.exception("could not invalidate cached images", extra={"paths": batch})
            count("InvalidationsFailed")
    if submitted < len(paths):
        logger.warning("invalidation bounded", extra={"submitted": submitted, "paths": len(paths)})
    return submitted
