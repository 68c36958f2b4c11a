"""Gallery filters without I/O: which facet rows a record has (storage_layout.py facets), how they move on a
change, the aspect rule, the date range's sort-key bounds, and which filter's rows are read first."""

from __future__ import annotations

import pytest

from studio.adapters import facets, tags
from studio.errors import InvalidField
from studio.logic import gallery

OWNER = "u1"


def record(**changes) -> dict:
    base = {"id": "g1", "ownerId": OWNER, "status": "COMPLETE", "mode": "text", "modelId": "m1",
            "createdAt": "2026-12-01T10:00:00.000Z", "request": {"width": 1024, "height": 1024}}
    return {**base, **changes}


@pytest.mark.parametrize("width, height, expected", [
    (1024, 1024, "square"), (1000, 1050, "square"), (1000, 1060, "portrait"), (1408, 768, "landscape"),
    (768, 1344, "portrait"), (0, 10, None), (None, 10, None)])
def test_square_is_within_5_percent(width, height, expected):
    assert facets.aspect_of(width, height) == expected


def test_an_edit_is_filed_by_its_operation_and_output_size():
    edit = record(mode="edit", operation="outpaint", request={"outputWidth": 1408, "outputHeight": 768})
    assert facets.operation(edit) == "outpaint" and facets.aspect(edit) == "landscape"
    assert facets.carried(edit) == {"mode": "edit", "modelId": "m1", "operation": "outpaint", "aspect": "landscape"}


def test_the_audiences_follow_the_flags_and_public_rows_need_a_completed_image():
    assert facets.audiences(record()) == ["mine:u1"]
    assert facets.audiences(record(favorite=True, public=True)) == ["mine:u1", "fav:u1", "public"]
    assert facets.audiences(record(public=True, status="PENDING")) == ["mine:u1"]


def test_a_record_has_a_row_per_audience_and_facet_at_most_72():
    full = record(favorite=True, public=True, batchId="b1", tags=[f"t{i}" for i in range(20)])
    rows = facets.rows(full)
    assert len(rows) == 3 * (4 + 20) == 72
    row = rows["FACET#public#model#m1"]
    assert row["sk"] == {"S": "2026-12-01T10:00:00.000Z#g1"} and row["generationId"] == {"S": "g1"}
    assert row["aspect"] == {"S": "square"} and row["operation"] == {"S": "text"}


def test_a_change_moves_only_the_rows_that_differ(environment):
    before, after = record(tags=["sea"]), record(tags=["sea"], favorite=True)
    actions = facets.changes(before, after)
    assert all("Put" in a for a in actions)
    assert sorted(a["Put"]["Item"]["pk"]["S"] for a in actions) == sorted(
        f"FACET#fav:u1#{f}" for f in ("model#m1", "operation#text", "aspect#square", "tag#sea"))
    assert facets.changes(after, after) == []
    assert len(facets.changes(after, None)) == 8 and all("Delete" in a for a in facets.changes(after, None))


def test_a_tag_edit_too_large_for_one_transaction_is_written_in_two_steps(environment, monkeypatch):
    sent = []
    monkeypatch.setattr(tags.table, "transact", lambda actions, *_: sent.append(actions))
    shared = record(favorite=True, public=True, tags=[f"a{i}" for i in range(20)])
    assert tags.replace(shared, [f"b{i}" for i in range(20)], edited=True) is True
    assert [len(actions) for actions in sent] == [1 + 60, 1 + 60]  # drop 3 x 20 rows, then add 3 x 20
    assert all(len(actions) <= tags.TRANSACTION_MAX for actions in sent)


def test_a_date_range_is_inclusive_and_bounds_the_sort_key():
    since, until = gallery.date_range("2026-12-01", "2026-12-01")
    assert since <= "2026-12-01T00:00:00.000Z#a" <= until and since <= "2026-12-01T23:59:59.999Z#z" <= until
    assert not ("2026-12-02T00:00:00.000Z#a" <= until)
    assert gallery.date_range("2026-12-01T10:00:00Z", None) == ("2026-12-01T10:00:00.000Z", None)
    since, until = gallery.date_range(None, "2026-12-01T10:00:00+01:00")
    assert since is None and "2026-12-01T09:00:00.000Z#zz" <= until < "2026-12-01T09:00:00.001Z"


@pytest.mark.parametrize("created_from, created_to, field", [
    ("2026-12-02", "2026-12-01", "createdFrom"), ("2026-02-30", None, "createdFrom"),
    (None, "2026-12-01T10:00:00", "createdTo"), ("yesterday", None, "createdFrom"),
    ("0001-01-01T00:00:00+14:00", None, "createdFrom"), ("٢٠٢٦-٠١-٠١", None, "createdFrom")])
def test_a_bad_date_range_is_a_422_naming_the_field(created_from, created_to, field):
    with pytest.raises(InvalidField) as error:
        gallery.date_range(created_from, created_to)
    assert error.value.details[0]["field"] == field


def test_the_narrowest_filter_is_read_first_and_an_unknown_model_lists_the_known_ones():
    wanted = gallery.facet_filters(gallery.Filters(model="stability.sd3-5-large-v1:0", operation="text",
                                                   aspect="square", tag=" Sea ", batch_id="b1"))
    assert wanted == [("batch", "b1"), ("tag", "sea"), ("model", "stability.sd3-5-large-v1:0"),
                      ("operation", "text"), ("aspect", "square")]
    assert gallery.facet_filters(gallery.Filters(model="stability.sd3-5-large-v1:0", operation="erase"))[0] == (
        "operation", "erase")
    with pytest.raises(InvalidField) as error:
        gallery.facet_filters(gallery.Filters(model="nope"))
    assert "stability.sd3-5-large-v1:0" in error.value.message
