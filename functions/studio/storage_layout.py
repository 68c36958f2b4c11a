"""Storage layout: the one description of the table, its indexes, the bucket prefixes and the queue.

The CDK stack and the local emulator both build their resources from this module, so the two
cannot drift. Dependency-free on purpose (imported by the CDK app).
"""

from __future__ import annotations

from dataclasses import dataclass

PARTITION_KEY = "pk"
SORT_KEY = "sk"
TTL_ATTRIBUTE = "expiresAt"


@dataclass(frozen=True)
class Index:
    name: str
    partition_key: str
    sort_key: str


# Gallery feeds: each is a Query on one index, newest first, so a page costs the same whatever
# the table size. The favorite and public feeds are sparse: only items with the attribute appear.
SORT_BY_CREATED = "createdSort"
INDEXES: tuple[Index, ...] = (
    Index("byOwner", "ownerFeed", SORT_BY_CREATED),
    Index("byOwnerMode", "ownerModeFeed", SORT_BY_CREATED),
    Index("byOwnerFavorite", "favoriteFeed", SORT_BY_CREATED),
    Index("byOwnerFavoriteMode", "favoriteModeFeed", SORT_BY_CREATED),
    Index("byPublic", "publicFeed", SORT_BY_CREATED),
    Index("byPublicMode", "publicModeFeed", SORT_BY_CREATED),
    # The edit chain downward: a generation's edits (and re-runs) by their owner.
    Index("byParent", "parentFeed", SORT_BY_CREATED),
    # Not a feed: the unfinished records (PENDING or RUNNING) by deadline, for the sweeper. Sparse:
    # a record carries these two attributes from its creation until it is COMPLETE or FAILED.
    Index("byDeadline", "activeFeed", "activeUntil"),
)
DEADLINE_INDEX = "byDeadline"

# Boards (studio/adapters/boards.py): no index of their own. Three kinds of item in the table:
# - the board:      pk BOARD#<boardId>, sk BOARD (name, owner, shared flag, cover, item count);
# - a board item:   pk BOARD#<boardId>, sk ITEM#<addedAt>#<generationId>: a board's images in the order
#                   they were added are one Query on the board's partition, paged, never a Scan;
# - a membership:   pk GEN#<generationId>, sk BOARD#<boardId>: which boards hold an image (a Query on the
#                   image's partition: a delete removes it from its boards) and whether one already does.
# A user's boards are a Query on byOwner (partition BOARDS#<ownerId>); the shared boards a Query on
# byPublic (partition BOARDS): partitions no generation record uses, so no gallery feed ever shows a
# board. (Reusing those indexes adds no GSI: DynamoDB creates one GSI per table update at most.)
BOARD_KIND = "BOARD"
BOARD_ITEM_PREFIX = "ITEM#"
BOARD_MEMBERSHIP_PREFIX = "BOARD#"
BOARDS_OWNER_INDEX = "byOwner"
BOARDS_SHARED_INDEX = "byPublic"
BOARDS_OWNER_PARTITION_PREFIX = "BOARDS#"
BOARDS_SHARED_PARTITION = "BOARDS"
# A deleted board whose rows are still being removed: pk BOARDS#PURGE, sk <boardId> (the sweeper
# finishes what the DELETE request could not within its time budget).
BOARDS_PURGE_PARTITION = "BOARDS#PURGE"
# The most images one board holds (a delete removes its rows within one request's budget, mostly).
BOARD_MAX_ITEMS = 5000
# Tags (studio/adapters/tags.py): the record keeps its tags (`tags`, a list; `tagsEdited` once its owner
# changed them, so that the index job's automatic tags no longer replace them). Each tag is a facet (below).
# Facets (studio/adapters/facets.py): one row per (audience, facet, value) of each record, in the base table,
# no index: pk FACET#<audience>#<facet>#<value>, sk <createdAt>#<generationId> (the feeds' createdSort), so
# "<audience>'s images with model X", newest first and within a date range, is one Query on that partition.
# Audiences: mine:<ownerId> (every record of the owner, as the byOwner feed), fav:<ownerId> (while a
# favorite) and public (while shared and COMPLETE, as the byPublic feed). Facets: model, operation (an
# edit's operation, else the mode), aspect (square/landscape/portrait of the size asked for), batch
# (batchId) and tag. Each row carries generationId and FACET_CARRIED_ATTRIBUTES, so that other filters
# are checked on the row itself. The rows move with the record in one transaction (creation, completion,
# favorite/public, tags, delete); a record has at most 3 x (4 + 20 tags) = 72 rows.
FACET_PARTITION_PREFIX = "FACET#"
FACET_PUBLIC_AUDIENCE = "public"
FACET_CARRIED_ATTRIBUTES = ("mode", "modelId", "operation", "aspect")
FACET_NAMES = ("model", "operation", "aspect", "batch", "tag")
# Before facets, tag rows were pk TAG#<ownerId>#<tag> (tags22): the facet backfill removes them.
LEGACY_TAG_PARTITION_PREFIX = "TAG#"
# A record whose facet rows are written carries this (new records from creation on; older ones once
# `make backfill-facets` wrote theirs), so that the backfill finds the others and a second run does nothing.
FACETS_VERSION_ATTRIBUTE = "facetsVersion"
FACETS_VERSION = 1
# Square: width and height within 5% of each other.
SQUARE_TOLERANCE = 0.05
TAGS_ATTRIBUTE = "tags"
TAGS_EDITED_ATTRIBUTE = "tagsEdited"
ACTIVE_PARTITION = "active"
# Until when the worker that claimed a RUNNING record holds it (a duplicate delivery waits it out).
LEASE_ATTRIBUTE = "leaseUntil"

# Objects in the images bucket. CloudFront serves /images/* straight from the bucket, so the key
# of a rendered image is its URL path. Uploads are private, short-lived reference images.
IMAGES_PREFIX = "images/"
UPLOADS_PREFIX = "uploads/"
UPLOAD_EXPIRY_DAYS = 1

# Exports (studio/logic/exports.py): a ZIP of a board or a selection, assembled by the worker from a
# job on the jobs queue ({"exportId"}) into exports/<ownerId>/<exportId>.zip, handed out as a
# presigned GET. The record (pk EXPORT#<id>, sk EXPORT) and the object both expire: the record
# through the table's TTL, the object through a lifecycle rule on the prefix (cdk/storage.py).
EXPORTS_PREFIX = "exports/"
EXPORT_KIND = "EXPORT"
EXPORT_EXPIRY_DAYS = 1
# The most images one export holds (generations; each may hold up to 5 images).
EXPORT_MAX_ITEMS = 500
# The ZIP streams to S3 as a multipart upload (adapters/storage.py StreamingUpload: one part in
# memory, nothing in /tmp). The images it holds are bounded so that copying them fits the worker's
# 10 minutes with room (S3 to Lambda runs at ~50-100 MB/s): over this, the export fails
# "export_too_large" before it reads the image that crosses it.
EXPORT_MAX_BYTES = 2 * 1024 * 1024 * 1024
# How long a download link stays valid.
EXPORT_URL_SECONDS = 900

# Jobs queue: one message per generation; a message that fails this often goes to the DLQ.
JOBS_MAX_RECEIVE_COUNT = 3
# A job that failed comes back this many seconds later (the worker resets its visibility), not
# after the queue's visibility timeout (an hour, sized for a worker that died mid-job).
JOBS_RETRY_DELAY_SECONDS = 60
# A generation still PENDING or RUNNING this long after its creation is ended by the sweeper
# (FAILED, code "expired", quota released). It covers every retry SQS can make: 3 receives, each
# up to the hour-long visibility timeout of a worker that died.
GENERATION_DEADLINE_SECONDS = 6 * 3600


# Index jobs: one message per COMPLETE generation, read by the "index" function (embeddings,
# captions); a message that fails this often goes to the index DLQ.
INDEX_JOBS_MAX_RECEIVE_COUNT = 3

# Search: one Amazon S3 Vectors index of every rendered image, keyed "<generationId>#<imageIndex>".
# Filterable metadata lets a query see only the caller's own images or public ones; the prompt is
# stored for display and debugging only (non-filterable: it may be long, and nobody filters on it).
VECTOR_INDEX_NAME = "images"
VECTOR_DIMENSION = 1024
VECTOR_DISTANCE = "cosine"
VECTOR_DATA_TYPE = "float32"
VECTOR_FILTERABLE_KEYS = ("owner", "public", "mode", "model", "createdAt")
VECTOR_NON_FILTERABLE_KEYS = ("prompt",)

# What the scheduled lifecycle check found for each model the stack calls: one item per model (sort
# key: the foundation-model ID) in this partition, read by GET /models with one Query.
MODEL_STATES_PARTITION = "MODELS"
