"""The API as an integrator uses it: a Python client generated from the served document, end to end.

The client is generated with openapi-python-client from functions/gallery/openapi.json (the document
GET /api/openapi.json serves; tests/clients/generated.py) and drives the local stack with the demo user's
access token: models, translate, generate, poll, gallery, edit, search, favorite, delete, and the
documented errors. Every answer must parse into the generated models (the client raises on a status the
document does not list), and no model may be left with keys the document does not name.
"""

from __future__ import annotations

import time
import uuid
from types import SimpleNamespace

import attrs
import pytest

from e2e_helpers import RENDER_DEADLINE
from tests.clients.generated import python_package

pytestmark = pytest.mark.e2e

INDEX_DEADLINE = 120  # seconds for the index function to caption a completed image (a few when quiet)


@pytest.fixture(scope="module")
def sdk():
    """The generated package's modules, as an integrator imports them."""
    python_package()
    from image_prompt_studio_client import AuthenticatedClient, models
    from image_prompt_studio_client.api.gallery import list_gallery, search_gallery
    from image_prompt_studio_client.api.generations import (
        create_edit,
        create_generation,
        delete_generation,
        get_generation,
        update_generation,
    )
    from image_prompt_studio_client.api.models import list_models
    from image_prompt_studio_client.api.prompts import translate_prompt
    from image_prompt_studio_client.types import UNSET

    return SimpleNamespace(**locals())


@pytest.fixture(scope="module")
def api(sdk, stack, demo):
    # An unexpected (undocumented) status raises instead of parsing to None
    return sdk.AuthenticatedClient(base_url=f"{stack.url}/api", token=demo.token, raise_on_unexpected_status=True,
                                   timeout=60)


def undocumented(value, where: str = "answer") -> list[str]:
    """Keys the server sent that no schema names: each generated model keeps them in additional_properties
    (a model that is a map, like upload form fields, has no fields of its own and is left alone)."""
    found = []
    if attrs.has(type(value)):
        fields = [f.name for f in attrs.fields(type(value)) if f.name != "additional_properties"]
        if fields and getattr(value, "additional_properties", {}):
            found.append(f"{where}: {sorted(value.additional_properties)}")
        for name in fields:
            found += undocumented(getattr(value, name), f"{where}.{name}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += undocumented(item, f"{where}[{i}]")
    return found


def answer(response, status: int, kind):
    """The parsed body of a response that must have this status and this generated type."""
    assert response.status_code == status, response.content[:500]
    assert isinstance(response.parsed, kind), type(response.parsed)
    assert undocumented(response.parsed) == []
    return response.parsed


def until(read, done, deadline: float, what: str):
    started = time.monotonic()
    while True:
        value = read()
        if done(value):
            return value
        assert time.monotonic() - started < deadline, f"{what} not reached in {deadline} s"
        time.sleep(0.5)


def poll(sdk, api, generation_id: str):
    record = until(lambda: answer(sdk.get_generation.sync_detailed(generation_id, client=api), 200,
                                  sdk.models.Generation),
                   lambda r: r.status in (sdk.models.GenerationStatus.COMPLETE, sdk.models.GenerationStatus.FAILED),
                   RENDER_DEADLINE, f"the end of {generation_id}")
    assert record.status == sdk.models.GenerationStatus.COMPLETE, record.error
    return record


@pytest.fixture(scope="module")
def generated(sdk, api):
    """Translate Korean words, then generate their English through the typed models, and poll it."""
    m = sdk.models
    text = "바닷가의 빨간 등대"
    translation = answer(sdk.translate_prompt.sync_detailed(client=api, body=m.TranslateRequest(text=text)), 200,
                         m.TranslateResponse)
    prompt = translation.english if translation.translated else "a red lighthouse by the sea"
    body = m.GenerationRequest(prompt=prompt, mode=m.Mode.TEXT, lineage=m.Lineage(
        source=m.LineageSource.BASIC, original_text=text, original_language=translation.language, english=prompt))
    key = uuid.uuid4().hex
    accepted = answer(sdk.create_generation.sync_detailed(client=api, body=body, idempotency_key=key), 202,
                      m.Generation)
    return SimpleNamespace(translation=translation, prompt=prompt, body=body, key=key, accepted=accepted,
                           record=poll(sdk, api, accepted.id))


def test_models_lists_what_this_deployment_offers(sdk, api):
    listing = answer(sdk.list_models.sync_detailed(client=api), 200, sdk.models.ModelsResponse)
    assert [m for m in listing.image_models if m.default] and listing.edit_operations
    assert isinstance(listing.edit_operations[0].operation, sdk.models.Operation)
    assert listing.images_left_today <= listing.daily_image_quota


def test_translate_generate_and_poll_give_typed_records(sdk, generated):
    m = sdk.models
    assert generated.translation.language == "ko" and generated.translation.text == "바닷가의 빨간 등대"
    accepted, record = generated.accepted, generated.record
    # Then the accepted record is PENDING with everything a record always carries
    assert accepted.status == m.GenerationStatus.PENDING and accepted.images == [] and accepted.error is None
    assert accepted.operation is None and accepted.mine is True and accepted.favorite is False
    # and the finished one has its images, the request as the server stored it, and the story
    assert len(record.images) == 1 and record.images[0].url.endswith(".png")
    request = record.request
    assert isinstance(request, m.RecordedGenerationRequest)
    assert request.prompt == generated.prompt and request.mode == m.Mode.TEXT and request.quality == m.Quality.STANDARD
    assert request.seed == record.images[0].seed and request.model_id == record.model_id
    lineage = record.lineage
    assert isinstance(lineage, m.RecordedLineage) and lineage.source == m.LineageSource.BASIC
    assert lineage.original_text == "바닷가의 빨간 등대" and lineage.final_prompt == generated.prompt


def test_the_gallery_lists_it_newest_first(sdk, api, generated):
    page = answer(sdk.list_gallery.sync_detailed(client=api, scope=sdk.models.GalleryScope.MINE, limit=5), 200,
                  sdk.models.GalleryPage)
    assert generated.record.id in [item.id for item in page.items]
    assert all(isinstance(item.request, sdk.models.RecordedGenerationRequest | sdk.models.RecordedEditRequest)
               for item in page.items)


def test_an_edit_is_a_new_record_whose_lineage_names_its_parent(sdk, api, generated):
    m = sdk.models
    body = m.EditRequest(operation=m.Operation.REMOVE_BACKGROUND, generation_id=generated.record.id)
    accepted = answer(sdk.create_edit.sync_detailed(client=api, body=body), 202, m.Generation)
    edit = poll(sdk, api, accepted.id)
    assert edit.mode == m.RecordMode.EDIT and edit.operation == m.Operation.REMOVE_BACKGROUND
    assert isinstance(edit.request, m.RecordedEditRequest)
    assert (edit.request.output_width, edit.request.output_height) == (edit.images[0].width, edit.images[0].height)
    assert edit.lineage.source == m.LineageSource.EDIT and edit.lineage.parent_id == generated.record.id
    assert edit.lineage.parent_image_index == 0 and edit.lineage.operation == m.Operation.REMOVE_BACKGROUND
    children = answer(sdk.list_gallery.sync_detailed(client=api, parent=generated.record.id), 200, m.GalleryPage)
    assert [c.id for c in children.items] == [edit.id]


def test_search_finds_it_by_words_and_by_example(sdk, api, generated):
    m = sdk.models
    record_id = generated.record.id
    until(lambda: sdk.get_generation.sync(record_id, client=api), lambda r: r.annotations, INDEX_DEADLINE,
          f"the captions of {record_id}")
    by_words = answer(sdk.search_gallery.sync_detailed(client=api, q="red", limit=50), 200, m.SearchPage)
    assert record_id in [hit.id for hit in by_words.items]
    assert all(isinstance(hit, m.SearchItem) and 0 <= hit.image_index <= 4 for hit in by_words.items)
    by_example = answer(sdk.search_gallery.sync_detailed(client=api, like=record_id, image_index=0), 200,
                        m.SearchPage)
    assert record_id not in [hit.id for hit in by_example.items]  # "more like this" leaves itself out


def test_the_documented_errors_arrive_as_typed_error_responses(sdk, api, stack, generated):
    m = sdk.models

    def error(response, status: int, code: str):
        body = answer(response, status, m.ErrorResponse)
        assert body.error.code == code and body.error.message
        return body.error

    # 400: search with neither or both of q and like; a cursor the gallery did not issue
    error(sdk.search_gallery.sync_detailed(client=api), 400, "invalid_search")
    error(sdk.search_gallery.sync_detailed(client=api, q="red", like=generated.record.id), 400, "invalid_search")
    error(sdk.list_gallery.sync_detailed(client=api, cursor="not-a-cursor"), 400, "invalid_cursor")
    # 422: fields that break a rule, each named with its rule
    too_many = error(sdk.create_generation.sync_detailed(client=api, body=m.GenerationRequest(prompt="a fox", count=9)),
                     422, "validation_error")
    assert isinstance(too_many.details, list) and isinstance(too_many.details[0], m.FieldProblem)
    assert too_many.details[0].field == "count"
    index = error(sdk.search_gallery.sync_detailed(client=api, like=generated.record.id, image_index=5), 422,
                  "validation_error")
    assert index.details[0].field == "imageIndex"
    # 409: the same Idempotency-Key with another body
    other = m.GenerationRequest(prompt="something else entirely")
    error(sdk.create_generation.sync_detailed(client=api, body=other, idempotency_key=generated.key), 409,
          "idempotency_conflict")
    # ... and with the same body, the same record again (202)
    again = answer(sdk.create_generation.sync_detailed(client=api, body=generated.body, idempotency_key=generated.key),
                   202, m.Generation)
    assert again.id == generated.record.id
    # 404: an id that names nothing
    error(sdk.get_generation.sync_detailed("0123456789abcdef0123456789abcdef", client=api), 404, "not_found")
    # 401: a token the user pool did not sign
    stranger = sdk.AuthenticatedClient(base_url=f"{stack.url}/api", token="not-a-token",
                                       raise_on_unexpected_status=True)
    error(sdk.list_models.sync_detailed(client=stranger), 401, "unauthorized")


def test_favorite_then_delete_then_it_is_gone(sdk, api, generated):
    m = sdk.models
    record_id = generated.record.id
    favorite = answer(sdk.update_generation.sync_detailed(record_id, client=api, body=m.GenerationPatch(favorite=True)),
                      200, m.Generation)
    assert favorite.favorite is True and favorite.public is False
    deleted = sdk.delete_generation.sync_detailed(record_id, client=api)
    assert deleted.status_code == 204 and deleted.parsed is None
    gone = answer(sdk.get_generation.sync_detailed(record_id, client=api), 404, m.ErrorResponse)
    assert gone.error.code == "not_found"
