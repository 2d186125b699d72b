from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

from crm_app.ms365_mcp.models import EmailSearchResult, FileContent
from crm_app.ms365_mcp.schema import compact_schema


def _valid(schema: dict, value: object) -> bool:
    return not list(Draft202012Validator(schema).iter_errors(value))


@pytest.mark.parametrize("model", [EmailSearchResult, FileContent])
def test_compact_schema_has_no_references_and_accepts_the_same_values(model) -> None:
    original = model.model_json_schema(by_alias=True)
    compact = compact_schema(original)
    assert "$ref" not in str(compact) and "$defs" not in compact and "anyOf" not in str(compact)
    Draft202012Validator.check_schema(compact)


def test_compact_schema_validates_like_the_original() -> None:
    original = EmailSearchResult.model_json_schema(by_alias=True)
    compact = compact_schema(original)
    email = {
        "id": "1", "subject": "s", "from": None, "to": [{"name": "", "address": "a@b.example"}], "cc": [],
        "received_at": None, "is_read": False, "has_attachments": False, "importance": "normal",
        "conversation_id": None, "web_link": None, "body": "", "body_kind": "preview", "body_truncated": False,
    }
    good = {"emails": [email], "count": 1, "has_more": False, "dropped_mismatches": 0}
    bad_kind = {**good, "emails": [{**email, "body_kind": "guess"}]}
    bad_from = {**good, "emails": [{**email, "from": {"name": "x"}}]}
    missing = {**good, "emails": [{k: v for k, v in email.items() if k != "body"}]}
    for value in (good, bad_kind, bad_from, missing):
        assert _valid(original, value) == _valid(compact, value)
    assert _valid(compact, good) and not _valid(compact, bad_kind)


def test_nullable_enum_is_not_folded() -> None:
    schema = {"anyOf": [{"type": "string", "enum": ["a"]}, {"type": "null"}]}
    assert compact_schema(schema) == schema


def test_recursive_reference_is_refused() -> None:
    with pytest.raises(ValueError):
        compact_schema({"$defs": {"N": {"properties": {"next": {"$ref": "#/$defs/N"}}}}, "$ref": "#/$defs/N"})
