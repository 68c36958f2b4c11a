"""Tags you can edit: an image's automatic tags (the index job's captions) until its owner changes them.

A tag is normalised (trimmed, lowercase, inner spaces collapsed) and must follow TAG_RULE; an image
holds at most MAX_TAGS. The gallery filters the owner's images by one tag through the tag rows
(adapters/tags.py), one Query per page. Loads no pydantic bodies and no Bedrock: the gallery and the
index function import it.
"""

from __future__ import annotations

from studio.adapters import generation_records, table, tags
from studio.errors import Conflict, InvalidField, NotFound
from studio.logic import access

MAX_TAGS = 20
MAX_TAG_LENGTH = 40
TAG_RULE = (f"at most {MAX_TAGS} tags, each 1-{MAX_TAG_LENGTH} characters of letters, digits, spaces, '-' or '_' "
            "(stored trimmed and lowercase)")


def normalized(tag: object, field: str = "tags") -> str:
    """One tag as stored: trimmed, lowercase, single spaces; InvalidField (422) if it breaks the rule."""
    if not isinstance(tag, str):
        raise InvalidField(field, TAG_RULE, f"{field}: each tag is a string; {TAG_RULE}")
    text = " ".join(tag.split()).lower()
    if not 1 <= len(text) <= MAX_TAG_LENGTH or not all(c.isalnum() or c in " -_" for c in text):
        raise InvalidField(field, TAG_RULE, f"{field}: {tag[:60]!r} is not a tag; {TAG_RULE}")
    return text


def normalized_all(values: list, field: str = "tags") -> list[str]:
    """Tags in their order, each normalised, duplicates dropped."""
    return list(dict.fromkeys(normalized(value, field) for value in values))


def automatic(annotations: list[dict]) -> list[str]:
    """The tags the vision model gave the images, those that follow the rule, at most MAX_TAGS."""
    found: list[str] = []
    for annotation in annotations:
        for tag in annotation.get("tags", []):
            try:
                found.append(normalized(tag))
            except InvalidField:  # a model's odd tag is left out, not an error
                continue
    return list(dict.fromkeys(found))[:MAX_TAGS]


def shown(record: dict) -> list[str]:
    """The tags a record shows: its own, or (indexed before tags were stored) its captions'."""
    return record["tags"] if "tags" in record else automatic(record.get("annotations", []))


def edited(current: list[str], replace: list | None, add: list | None, remove: list | None) -> list[str]:
    """The tags after an edit: `replace` sets them; then `add` appends and `remove` takes away."""
    result = normalized_all(replace, "tags") if replace is not None else list(current)
    removing = set(normalized_all(remove or [], "removeTags"))
    result = [t for t in dict.fromkeys(result + normalized_all(add or [], "addTags")) if t not in removing]
    if len(result) > MAX_TAGS:
        raise InvalidField("tags", TAG_RULE, f"tags: an image holds at most {MAX_TAGS} tags ({len(result)} asked); "
                                             "remove some first")
    return result


def edit(generation_id: str, user_id: str, replace: list | None, add: list | None, remove: list | None) -> dict:
    """The owner's tag edit: the record and its tag rows move together (read again on a race)."""
    for attempt in range(table.WRITE_ATTEMPTS):
        record = generation_records.get(generation_id)
        if record is None or record["ownerId"] != user_id:
            raise NotFound(access.NOT_FOUND_MESSAGE)
        new = edited(shown(record), replace, add, remove)
        if new == record.get("tags") and record.get("tagsEdited"):
            return record
        if tags.replace(record, new, edited=True):
            return {**record, "tags": new, "tagsEdited": True}
        table.pause(attempt)
    raise Conflict(table.IN_PROGRESS_MESSAGE, code="in_progress")


def apply_automatic(generation_id: str, annotations: list[dict]) -> bool:
    """The index job's tags become the record's, unless its owner has edited them (or it is gone).
    True when the record now holds them."""
    new = automatic(annotations)
    for attempt in range(table.WRITE_ATTEMPTS):
        record = generation_records.get(generation_id)
        if record is None or record.get("tagsEdited"):
            return False
        if record.get("tags") == new:
            return True
        if tags.replace(record, new, edited=False):
            return True
        table.pause(attempt)
    raise Conflict(table.IN_PROGRESS_MESSAGE, code="in_progress")
