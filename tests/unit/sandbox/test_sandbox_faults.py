"""Fault rules and the mailbox concurrency gate."""

from __future__ import annotations

import pytest

from crm_app.sandbox.errors import BadRequest
from crm_app.sandbox.faults import FaultInjector, FaultRule


def fired(injector, path, user=None, times=6):
    return [injector.decide(path, user).status for _ in range(times)]


def test_every_nth():
    injector = FaultInjector(4)
    injector.add(FaultRule.from_json({"status": 429, "every_nth": 3, "retry_after": 2}))
    assert fired(injector, "/v1.0/me/messages") == [None, None, 429, None, None, 429]
    injector.decide("/v1.0/me", None)
    injector.decide("/v1.0/me", None)
    assert injector.decide("/v1.0/me", None).retry_after == 2


def test_burst_then_gone_and_path_user_matching():
    injector = FaultInjector(4)
    injector.add(FaultRule.from_json({"status": 503, "burst": 2, "path_prefix": "/v1.0/me/messages",
                                      "user": "Avery.Chen@northwind.example"}))
    assert injector.decide("/v1.0/me/events", "avery.chen@northwind.example").status is None
    assert injector.decide("/v1.0/me/messages", "jordan.patel@northwind.example").status is None
    assert fired(injector, "/v1.0/me/messages", "avery.chen@northwind.example", 3) == [503, 503, None]
    assert injector.rules == []


def test_latency_and_drop_combine():
    injector = FaultInjector(4)
    injector.add(FaultRule.from_json({"latency_ms": 50}))
    injector.add(FaultRule.from_json({"drop": True, "every_nth": 2}))
    first, second = injector.decide("/v1.0/x", None), injector.decide("/v1.0/x", None)
    assert (first.latency_ms, first.drop) == (50, False) and (second.latency_ms, second.drop) == (50, True)
    assert injector.decide("/health", None).latency_ms == 0


@pytest.mark.parametrize("body", [
    {}, {"status": 500}, {"status": 429, "every_nth": 0}, {"status": 429, "burst": 2, "every_nth": 2},
    {"status": 429, "colour": "red"}, {"latency_ms": -1}, {"status": "429"}, {"drop": True, "path_prefix": "v1.0"},
    [],
])
def test_invalid_rules(body):
    with pytest.raises(BadRequest):
        FaultRule.from_json(body)


def test_mailbox_paths_and_concurrency_gate():
    assert FaultInjector.is_mailbox_path("/v1.0/me/messages/abc")
    assert FaultInjector.is_mailbox_path("/v1.0/users/x@y.example/calendarView")
    assert not FaultInjector.is_mailbox_path("/v1.0/me/drive/root/children")
    assert not FaultInjector.is_mailbox_path("/v1.0/me")
    gate = FaultInjector(2)
    assert gate.enter("a") and gate.enter("a") and not gate.enter("a") and gate.enter("b")
    gate.leave("a")
    assert gate.enter("a")
    gate.concurrency_limit = 0
    assert all(gate.enter("a") for _ in range(10))
