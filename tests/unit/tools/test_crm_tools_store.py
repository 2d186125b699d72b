"""The CRM tools work on the store they are handed; errors from it become results the user can act on."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from crm_app.errors import NotFound
from crm_app.tools.base import ToolContext, ToolRegistry
from crm_app.tools.crm_tools import crm_tools, resolve_record


class FakeStore:
    MAX_TEXT = 10_000

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple]] = []

    def list_contacts(self, q: str = "", *, page_size: int = 25):
        self.calls.append(("list_contacts", (q, page_size)))
        return SimpleNamespace(rows=[{"id": 7, "name": "Ada Lovelace"}])

    def find_contacts(self, name: str, limit: int = 10):
        self.calls.append(("find_contacts", (name,)))
        return []

    def get_contact(self, contact_id: int):
        self.calls.append(("get_contact", (contact_id,)))
        if contact_id != 7:
            raise NotFound("That contact no longer exists.")
        return {"id": 7, "name": "Ada Lovelace"}

    def get_company(self, company_id: int):
        raise AssertionError("a contact lookup must not read companies")

    def get_deal(self, deal_id: int):
        raise AssertionError("a contact lookup must not read deals")


async def test_search_runs_on_the_store_passed_in():
    store = FakeStore()
    registry = ToolRegistry()
    registry.register_all(crm_tools(store))
    result = await registry.execute("crm_search", ToolContext(1), {"entity": "contact", "query": "ada", "limit": 3})
    assert result.ok
    assert result.data == {"entity": "contact", "records": [{"entity": "contact", "id": 7, "name": "Ada Lovelace"}]}
    assert store.calls == [("list_contacts", ("ada", 3))]


async def test_a_store_error_is_a_failed_result_not_an_exception():
    store = FakeStore()
    registry = ToolRegistry()
    registry.register_all(crm_tools(store))
    result = await registry.execute("crm_get_record", ToolContext(1), {"entity": "contact", "id": 9})
    assert not result.ok
    assert result.error_code == "NotFound"
    assert result.error_message == "That contact no longer exists."
    assert result.data is None


def test_resolve_record_by_name_asks_the_store():
    store = FakeStore()
    assert resolve_record("contact", {"ref": "Ada"}, store) == {"id": 7, "name": "Ada Lovelace"}
    assert store.calls == [("find_contacts", ("Ada",)), ("list_contacts", ("Ada", 10)), ("get_contact", (7,))]


def test_the_tools_have_no_store_of_their_own():
    from crm_app.tools import crm_tools as module

    with pytest.raises(TypeError):
        crm_tools()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        resolve_record("contact", {"ref": "Ada"})  # type: ignore[call-arg]
    assert not hasattr(module, "use_store") and not hasattr(module, "store_or_default")
