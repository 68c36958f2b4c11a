"""What a client may write in a request's `lineage`, checked before it is stored as the image's story.

Lineage is the record of how an image came to be, and content credentials are built on it, so it
must be true. The client knows its own words, their translation, the idea, the style and keywords,
and its reference upload: those it may write. A parent it names must be a generation the caller may
see (access.py), else 404 as for any other read. What only the server knows (an edit's parent image,
its operation, the upload it started from) is written by POST /edits alone: the request model has no
such fields (bodies/generations.py Lineage), so a client that sends them gets a 422.
"""

from __future__ import annotations

from typing import Any

from studio.adapters import generation_records
from studio.bodies.generations import Lineage
from studio.errors import InvalidField, NotFound
from studio.logic import access
from studio.logic.uploads import check_owner

PARENT_NOT_FOUND = ("lineage.parentId: no generation with this id that you may see (yours, or one shared and "
                    "finished). Leave parentId out, or name the generation this one re-runs.")


def client_lineage(lineage: Lineage, user_id: str, *, edit: bool = False) -> dict[str, Any]:
    """The client's lineage as stored, once every claim in it holds for this caller."""
    values = lineage.model_dump(by_alias=True, exclude_none=True)
    if values.get("source") == "edit" and not edit:
        raise InvalidField("lineage.source", "one of basic, ideas, reference, rerun, api: an edit is made with POST /edits")
    if "parentId" in values and not access.can_read(generation_records.get(values["parentId"]), user_id):
        raise NotFound(PARENT_NOT_FOUND, [{"field": "lineage.parentId", "rule": "a generation you may see"}],
                       code="parent_not_found")
    if "referenceImageKey" in values:
        check_owner(values["referenceImageKey"], user_id, "lineage.referenceImageKey")
    return values


def root_of(parent: dict) -> str:
    """The oldest record of the chain an edit of `parent` joins, as far as the chain knows it. Stored on
    the edit (lineage.rootId) so that the chain still reaches its original when a step between is
    deleted (an edit made before rootId existed names only its parent: then its parent stands in)."""
    known = parent.get("lineage") or {}
    return known.get("rootId") or known.get("parentId") or parent["id"]
