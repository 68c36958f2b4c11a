"""The tag rule (logic/tags.py): normalisation, limits and the edit's arithmetic, without I/O."""

from __future__ import annotations

import pytest

from studio.errors import InvalidField
from studio.logic import tags


def test_a_tag_is_stored_trimmed_lowercase_with_single_spaces():
    assert tags.normalized("  Golden \t HOUR ") == "golden hour"
    assert tags.normalized("노을") == "노을"  # letters of any language
    assert tags.normalized("sci-fi_2") == "sci-fi_2"


@pytest.mark.parametrize("bad", ["", "   ", "x" * 41, "a#b", "a/b", "<b>", 7])
def test_a_tag_that_breaks_the_rule_is_a_422_naming_the_field_and_rule(bad):
    with pytest.raises(InvalidField) as error:
        tags.normalized(bad, "addTags")
    assert error.value.status == 422
    assert error.value.details == [{"field": "addTags", "rule": tags.TAG_RULE}]


def test_an_edit_replaces_then_adds_then_removes_without_duplicates():
    assert tags.edited(["red", "rose"], None, ["Warm", "red"], ["ROSE"]) == ["red", "warm"]
    assert tags.edited(["red"], ["B", "a", "b"], None, None) == ["b", "a"]
    assert tags.edited(["red"], [], None, None) == []


def test_an_image_holds_at_most_twenty_tags():
    current = [f"t{i}" for i in range(20)]
    assert tags.edited(current, None, ["t0"], None) == current
    with pytest.raises(InvalidField, match="at most 20"):
        tags.edited(current, None, ["one more"], None)


def test_automatic_tags_keep_the_valid_ones_in_order_and_cap_them():
    annotations = [{"tags": ["Red", "a#b", "rose"]}, {"tags": ["red", "warm"]}, {"caption": "no tags"}]
    assert tags.automatic(annotations) == ["red", "rose", "warm"]
    assert len(tags.automatic([{"tags": [f"t{i}" for i in range(30)]}])) == tags.MAX_TAGS


def test_a_record_indexed_before_tags_were_stored_shows_its_captions_tags():
    assert tags.shown({"annotations": [{"tags": ["sky"]}]}) == ["sky"]
    assert tags.shown({"tags": [], "annotations": [{"tags": ["sky"]}]}) == []
