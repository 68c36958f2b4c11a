"""GET /gallery: a page of one feed (mine, everyone's shared, favorites, by mode, an image's edits), narrowed by
model, operation, aspect, tag, batch and a date range.

How a page is read (each reads what it returns; storage_layout.py has the rows):
- no facet filter: one Query on the feed's index, the date range a key condition on createdSort;
- one facet filter (model, operation, aspect, tag or batchId) without mode: one Query on that facet's rows
  for the audience (mine / my favorites / public), the date range a key condition, and one BatchGetItem;
- several facet filters, or one with mode: the narrowest facet's rows are read (batchId, then tag, then an
  edit operation, model, operation, aspect) and the other filters are checked on what each row carries,
  reading on until the page is full or the rows end, at most MAX_COMBINED_QUERIES Queries of
  COMBINED_QUERY_ROWS rows (so a page examines at most COMBINED_ROWS_EXAMINED images); then one
  BatchGetItem of the matches. A page that reached that bound may be shorter than `limit`, or even empty,
  and still have a nextCursor: read on from it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from studio.adapters import facets, feeds, generation_records, secrets
from studio.bodies.generations import GalleryPage
from studio.catalog import EDIT_MODEL_IDS, EDIT_OPERATION_NAMES, IMAGE_MODELS
from studio.errors import BadRequest, InvalidField
from studio.logic import access, cursor, presentation, tags

FACET_FEED = "byFacet"  # the cursor's name for the facet rows' partitions (a Query on the table, no index)
COMBINED_FEED = "byFacets"
COMBINED_QUERY_ROWS = 200
MAX_COMBINED_QUERIES = 10
COMBINED_ROWS_EXAMINED = COMBINED_QUERY_ROWS * MAX_COMBINED_QUERIES
KNOWN_MODEL_IDS = tuple(dict.fromkeys([m.model_id for m in IMAGE_MODELS] + list(EDIT_MODEL_IDS)))
DATE_RULE = "a date YYYY-MM-DD or a UTC date and time YYYY-MM-DDTHH:MM:SSZ (inclusive)"
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
# The sort key is <createdAt>#<id>: '~' sorts after every character of a time or an id.
_AFTER_ALL = "~"
# Which filter's rows are read when several are given: the one likely to hold the fewest images.
SOURCE_ORDER = ("batch", "tag", "edit-operation", "model", "operation", "aspect")
# The record attribute each filter is checked on (rows carry all but tags).
CHECKED_ATTRIBUTE = {"model": "modelId", "operation": "operation", "aspect": "aspect", "mode": "mode"}


@dataclass(frozen=True)
class Filters:
    """What GET /gallery (and a board's items) may be narrowed by, beside the scope."""

    mode: str | None = None
    favorite: bool | None = None
    parent: str | None = None
    tag: str | None = None
    model: str | None = None
    operation: str | None = None
    aspect: str | None = None
    created_from: str | None = None
    created_to: str | None = None
    batch_id: str | None = None


def list_gallery(scope: str, limit: int, cursor_text: str | None, mode: str | None, favorite: bool | None,
                 user_id: str, base_url: str, parent: str | None = None, tag: str | None = None,
                 filters: Filters | None = None) -> GalleryPage:
    given = filters or Filters()
    given = Filters(**{**given.__dict__, "mode": mode or given.mode, "favorite": favorite or given.favorite,
                       "parent": parent or given.parent, "tag": tag or given.tag})
    since, until = date_range(given.created_from, given.created_to)
    wanted = facet_filters(given)
    if given.parent is not None and wanted:
        raise BadRequest("parent lists your own edits and re-runs of one generation: use it alone, with scope=mine "
                         f"(drop {', '.join(name_of(f) for f, _ in wanted)}).",
                         [{"field": "parent", "rule": "only with scope=mine, without other filters but dates"}],
                         code="invalid_filter")
    if not wanted:
        index, partition = feeds.choose(scope, given.mode, given.favorite, user_id, given.parent)
        return _read(index, partition, limit, cursor_text, since, until, user_id, base_url,
                     lambda start: feeds.page(index, partition, limit, start, since, until))
    audience = _audience(scope, given.favorite, user_id)
    source, *others = wanted
    pk = facets.partition(audience, *source)
    if not others and not given.mode:
        def single(start):
            rows, last = facets.page(pk, limit, start, since, until)
            records = generation_records.get_many(facets.generation_ids(rows))
            # A record deleted takes its rows in the same write, so every id is found (bar throttling).
            return [records[i] for i in facets.generation_ids(rows) if i in records], last
        return _read(FACET_FEED, pk, limit, cursor_text, since, until, user_id, base_url, single)
    checks = [(f, v) for f, v in others] + ([("mode", given.mode)] if given.mode else [])
    binding = json.dumps([pk, checks], separators=(",", ":"))
    return _read(COMBINED_FEED, binding, limit, cursor_text, since, until, user_id, base_url,
                 lambda start: _combined(pk, checks, limit, start, since, until))


def _read(index: str, partition: str, limit: int, cursor_text: str | None, since: str | None, until: str | None,
          user_id: str, base_url: str, read) -> GalleryPage:
    """Decode the cursor (bound to the feed, its partition and the date range), read, encode the next one."""
    bound = f"{partition}|{since or ''}|{until or ''}"
    key = secrets.cursor_key()
    start = cursor.decode(key, cursor_text, index, bound) if cursor_text else None
    items, last = read(start)
    # The rows follow the record in one transaction, so this drops nothing; it is the guard that a row
    # can never show anyone a record they may not see (another user's private or unfinished image).
    items = [i for i in items if access.can_read(i, user_id)]
    return GalleryPage(items=[presentation.generation(i, user_id, base_url) for i in items],
                       next_cursor=cursor.encode(key, index, bound, last) if last else None)


def _combined(pk: str, checks: list[tuple[str, str]], limit: int, start: dict | None, since: str | None,
              until: str | None) -> tuple[list[dict], dict | None]:
    """Read the source rows on until `limit` of them pass the checks carried on the rows (or the rows end, or
    the bound is reached), then fetch those records in one BatchGetItem and check what rows do not carry (tags)."""
    on_rows = [(CHECKED_ATTRIBUTE[f], v) for f, v in checks if f != "tag"]
    on_records = [v for f, v in checks if f == "tag"]
    matched: list[dict] = []
    position = start
    for _query in range(MAX_COMBINED_QUERIES):
        rows, last = facets.page(pk, COMBINED_QUERY_ROWS, position, since, until)
        position = last
        for row in rows:
            if all(row.get(attribute) == value for attribute, value in on_rows):
                matched.append(row)
                if len(matched) == limit:
                    # Full: go on after this row next time (unless it was the very last one).
                    is_last = row is rows[-1] and last is None
                    position = None if is_last else {"pk": row["pk"], "sk": row["sk"]}
                    break
        if len(matched) == limit or position is None:
            break
    ids = facets.generation_ids(matched)
    records = generation_records.get_many(ids)
    items = [records[i] for i in ids if i in records
             and all(tag in records[i].get("tags", []) for tag in on_records)]
    return items, position


def _audience(scope: str, favorite: bool | None, user_id: str) -> str:
    if scope == "mine":
        return facets.favorite_audience(user_id) if favorite else facets.mine_audience(user_id)
    if favorite:
        raise BadRequest("favorite=true lists your own favorites: use it with scope=mine.",
                         [{"field": "favorite", "rule": "only with scope=mine"}], code="invalid_filter")
    return facets.FACET_PUBLIC_AUDIENCE


def name_of(facet: str) -> str:
    return "batchId" if facet == "batch" else facet


def facet_filters(given: Filters) -> list[tuple[str, str]]:
    """The facet filters given, checked and normalised, the one to read first first (SOURCE_ORDER)."""
    found: dict[str, str] = {}
    if given.batch_id is not None:
        found["batch"] = given.batch_id
    if given.tag is not None:
        found["tag"] = tags.normalized(given.tag, "tag")
    if given.model is not None:
        if given.model not in KNOWN_MODEL_IDS:
            raise InvalidField("model", f"one of {', '.join(KNOWN_MODEL_IDS)}",
                               f"model: {given.model[:100]!r} is not an image model here; use one of "
                               f"{', '.join(KNOWN_MODEL_IDS)} (GET /models lists them).")
        found["model"] = given.model
    if given.operation is not None:
        found["edit-operation" if given.operation in EDIT_OPERATION_NAMES else "operation"] = given.operation
    if given.aspect is not None:
        found["aspect"] = given.aspect
    return [("operation" if name == "edit-operation" else name, found[name]) for name in SOURCE_ORDER
            if name in found]


def _bound(text: str, field: str, end: bool) -> str:
    """A date (the whole day) or a UTC datetime as a bound on the sort key <createdAt>#<id>."""
    if _DATE.match(text):
        try:
            datetime.strptime(text, "%Y-%m-%d")
        except ValueError as error:
            raise InvalidField(field, DATE_RULE, f"{field}: {text!r} is not a date; {DATE_RULE}") from error
        return text + _AFTER_ALL if end else text
    try:
        if not text.isascii():
            raise ValueError(text)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            raise InvalidField(field, DATE_RULE, f"{field}: give the time in UTC (end it with Z); {DATE_RULE}")
        stamp = moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    except (ValueError, OverflowError) as error:
        raise InvalidField(field, DATE_RULE, f"{field}: {text[:40]!r} is not a date; {DATE_RULE}") from error
    return stamp + "#" + _AFTER_ALL if end else stamp


def date_range(created_from: str | None, created_to: str | None) -> tuple[str | None, str | None]:
    """The sort-key bounds [since, until] of createdFrom/createdTo (inclusive); 422 when from is after to."""
    since = _bound(created_from, "createdFrom", end=False) if created_from else None
    until = _bound(created_to, "createdTo", end=True) if created_to else None
    if since and until and since > until:
        raise InvalidField("createdFrom", "on or before createdTo",
                           f"createdFrom ({created_from}) is after createdTo ({created_to}): swap them or widen "
                           "the range.")
    return since, until


def matches(record: dict, given: Filters, since: str | None, until: str | None) -> bool:
    """Whether a record passes the filters (a board's items are checked on their records)."""
    sort = facets.sort_value(record)
    if (since and sort < since) or (until and sort > until):
        return False
    carried = facets.carried(record)
    for facet, value in facet_filters(given) + ([("mode", given.mode)] if given.mode else []):
        if facet == "tag":
            if value not in record.get("tags", []):
                return False
        elif facet == "batch":
            if record.get("batchId") != value:
                return False
        elif carried.get(CHECKED_ATTRIBUTE[facet]) != value:
            return False
    return True
