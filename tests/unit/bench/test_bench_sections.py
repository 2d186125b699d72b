"""The shared statistics and the sections the chat, app and contacts benchmarks build from their figures."""

from __future__ import annotations

import asyncio
import math
import os

import pytest

from bench import bench_app, bench_chat, bench_contacts
from bench.stats import (
    Section,
    percentile,
    process_tree,
    summary,
    table,
    tree_cpu_seconds,
    tree_rss,
)


def test_percentiles_interpolate_between_ranks():
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == pytest.approx(50.5)
    assert percentile(values, 0.95) == pytest.approx(95.05)
    assert percentile([7.0], 0.95) == 7.0
    assert math.isnan(percentile([], 0.5))
    s = summary([3.0, 1.0, 2.0])
    assert (s["n"], s["p50"], s["max"], s["mean"]) == (3, 2.0, 3.0, 2.0)


def test_tables_escape_cell_text():
    text = table([["a|b", "line\nbreak"]], ["x", "y"])
    assert "a\\|b" in text and "line break" in text
    assert text.splitlines()[1].startswith("|---")


def test_sections_render_errors_and_keep_json_finite():
    section = Section(title="T", rows=[["m", "1", "2", "3", "c"]], notes=["n"], error="it broke",
                      figures={"x": float("nan"), "y": [float("inf"), 1.0]})
    text = section.markdown()
    assert text.startswith("## T\n") and "**Not measured:** it broke" in text and "- n" in text
    assert section.as_json()["figures"] == {"x": None, "y": [None, 1.0]}


def test_process_probes_read_this_process():
    assert process_tree(os.getpid())[0].pid == os.getpid()
    assert tree_rss(os.getpid()) > 1024 * 1024
    assert tree_cpu_seconds(os.getpid()) > 0
    assert tree_rss(2 ** 22 + 12345) == 0.0


def test_wire_names_match_the_compiled_frontend():
    names = bench_chat.wire()
    chat = "reflex___state____state.crm_app___state___session____session_state.crm_app___state___chat____chat_state"
    assert names.hydrate == "reflex___state____state.hydrate_and_load"
    assert names.send == f"{chat}.send"
    assert names.chat == chat
    assert names.session_cookie_var == (
        "reflex___state____state.crm_app___state___session____session_state.session_token_rx_state_")
    assert (names.messages_var, names.hydrated_var, names.endpoint, names.cookie_name) == (
        "messages_rx_state_", "is_hydrated_rx_state_", "/_event", "crm_session")


def account() -> bench_chat.Account:
    return bench_chat.Account(user_id=1, email="a@bench.example", session_token="secret")


async def test_a_simulated_user_follows_the_deltas_to_the_final_card():
    names = bench_chat.wire()
    user = bench_chat.SimulatedUser("http://127.0.0.1:1", account(), names)
    await user._on_update({"delta": {names.root: {names.hydrated_var: True}}})
    assert user.hydrated
    waiting = asyncio.create_task(user.wait_for(
        lambda: bool(user.messages) and user.messages[-1]["status"] == "done", 5, "final card"))
    working = [{"role": "user", "status": "done"}, {"role": "assistant", "status": "working", "cards": []}]
    await user._on_update({"delta": {names.chat: {names.messages_var: working, names.sending_var: True}}})
    await asyncio.sleep(0)
    assert not waiting.done()
    done = [working[0], {"role": "assistant", "status": "done", "cards": [{"kind": "email"}]}]
    await user._on_update({"delta": {names.chat: {names.messages_var: done}}})
    await asyncio.wait_for(waiting, 1)
    assert user.sending


async def test_a_redirect_or_a_closed_socket_ends_the_wait_with_the_reason():
    names = bench_chat.wire()
    user = bench_chat.SimulatedUser("http://127.0.0.1:1", account(), names)
    await user._on_update({"events": [{"name": "_redirect", "payload": {"path": "/signin"}}]})
    with pytest.raises(bench_chat.BenchmarkError, match="redirected to /signin"):
        await user.wait_for(lambda: False, 5, "final card")
    other = bench_chat.SimulatedUser("http://127.0.0.1:1", account(), names)
    await other._on_disconnect("transport close")
    with pytest.raises(bench_chat.BenchmarkError, match="websocket closed"):
        await other.wait_for(lambda: False, 5, "final card")
    silent = bench_chat.SimulatedUser("http://127.0.0.1:1", account(), names)
    with pytest.raises(bench_chat.BenchmarkError, match="no final card within 0 s"):
        await silent.wait_for(lambda: False, 0.05, "final card")


def load_result(users: int, times: list[float], errors: int = 0) -> bench_chat.LoadResult:
    turns = [bench_chat.TurnOutcome("t", ms) for ms in times]
    turns += [bench_chat.TurnOutcome("t", 60_000, "no final card within 60 s") for _ in range(errors)]
    return bench_chat.LoadResult(users=users, turns=turns, wall_s=2.0, cpu_s={"app": 1.5, "sandbox": 0.1})


def chat_figures(results: dict[int, bench_chat.LoadResult] | None = None) -> dict:
    results = results or {1: load_result(1, [40.0, 50.0]), 10: load_result(10, [300.0, 400.0]),
                          50: load_result(50, [900.0, 1500.0], errors=2)}
    return {"results": results, "engine_ms": [20.0, 30.0], "sandbox": {"requests": 120, "throttled": 0}}


def test_the_chat_section_compares_each_level_and_counts_errors():
    section = bench_chat.section(chat_figures())
    assert section.error is None
    one, ten, fifty, engine = section.rows
    assert one[:4] == ["chat turn, 1 concurrent user (send → final card)", "45.00 ms", "49.50 ms", "2"]
    assert "turn engine alone, in-process: p50 25.00 ms / p95 29.50 ms; target p95 < 40.00 ms" == one[4]
    assert ten[4] == "1 user: p50 45.00 ms / p95 49.50 ms; target p95 < 150 ms"
    assert fifty[3:6] == ["4", "1 user: p50 45.00 ms / p95 49.50 ms; target p95 < 500 ms", "2"]
    assert engine[0].startswith("turn engine alone")
    assert any("50 user(s), 2 error(s), e.g.: no final card within 60 s" in n for n in section.notes)
    assert any("CPU used during the 50-user run" in n for n in section.notes)


def test_a_chat_level_without_one_completed_turn_is_not_measured():
    section = bench_chat.section(chat_figures(
        {1: load_result(1, [40.0]), 10: load_result(10, [300.0]), 50: load_result(50, [], errors=50)}))
    assert section.error == "no chat turn completed with 50 user(s); the notes show why"


def test_the_app_section_compares_memory_with_idle_and_cold_start_with_serving():
    mib = 1024 * 1024
    memory = {"idle": [400 * mib] * 5, "busy": [440 * mib, 470 * mib], "after": [410 * mib], "turns": 300,
              "errors": [], "recovered_s": 62.4, "after_s": 68.0}
    starts = [{"served_ms": 13_000.0, "hydrated_ms": 14_000.0, "again_served_ms": 3_000.0, "again_hydrated_ms": 3_500.0},
              {"served_ms": 15_000.0, "hydrated_ms": 16_000.0, "again_served_ms": 3_000.0, "again_hydrated_ms": 3_500.0}]
    section = bench_app.section(memory, starts, app_start_ms=14_500.0)
    rows = {row[0]: row for row in section.rows}
    after = rows["app RSS, idle again after the 50 users left"]
    assert after[4] == ("idle after start: p50 400 MiB / p95 400 MiB; back within 10% of idle (440 MiB) 62 s after "
                        "the users left (target: within 120 s)")
    assert rows["app RSS, idle (after start)"][4] == "target < 300 MiB"
    again = rows["second start (built frontend, migrated database): spawn → first page hydrated"]
    assert again[1] == "3500 ms"
    assert again[4] == "the fresh install's start: p50 15.0 s / p95 15.9 s; target median < 5000 ms"
    assert any("no second start rebuilt it" in note for note in section.notes)
    rebuilt = bench_app.section(memory, [{**starts[0], "again_rebuilt": 1.0}, starts[1]], app_start_ms=None)
    assert any("it rebuilt the frontend in 1 of 2 second starts" in note for note in rebuilt.notes)
    never = bench_app.section({**memory, "recovered_s": None, "after_s": 155.0}, starts[:1], app_start_ms=None)
    assert "not back within 10% of idle (440 MiB) 155 s after the users left" in {r[0]: r for r in never.rows}[
        "app RSS, idle again after the 50 users left"][4]
    busy = rows["app RSS, 50 users connected and chatting"]
    assert busy[1:3] == ["455 MiB", "468 MiB"] and busy[4] == "idle: p50 400 MiB / p95 400 MiB; peak 470 MiB"
    cold = rows["cold start: spawn → first page rendered and hydrated in Chromium"]
    assert cold[1:4] == ["15.0 s", "15.9 s", "2"]
    assert cold[4] == "spawn → first page served over HTTP: p50 14.0 s / p95 14.9 s"
    assert rows["cold start: spawn → first page served over HTTP"][4] == "the shared app's start in this run: 14.5 s"


def test_the_contacts_section_compares_each_size_with_the_one_before_and_the_search_with_the_scan():
    def timings(p50: float, paging: bool = True) -> dict:
        out = {"query: first page (25, by name)": summary([p50]), "browser: open Contacts (to rows visible)": summary([p50 * 100]),
               bench_contacts.SEARCH_ROW: summary([p50 * 2]), bench_contacts.SCAN_ROW: summary([p50 * 40])}
        if paging:
            out["browser: next page"] = summary([p50 * 50])
        return out

    figures = {12: {"timings": timings(1.0, paging=False), "added": 0, "seed_s": 0.0},
               10_000: {"timings": timings(2.0), "added": 9_988, "seed_s": 3.0},
               100_000: {"timings": timings(3.0), "added": 90_000, "seed_s": 6.0}}
    postgres = {10_000: {"timings": timings(4.0, paging=False), "added": 10_000, "seed_s": 2.0},
                100_000: {"timings": timings(5.0, paging=False), "added": 90_000, "seed_s": 5.0}}
    section = bench_contacts.section(figures, postgres)
    against = {row[0]: row[4] for row in section.rows}
    assert against["SQLite: query: first page (25, by name) — 12 contacts"] == "— (the demo workspace)"
    assert against["SQLite: query: first page (25, by name) — 100,000 contacts"] == "10,000 contacts: p50 2.00 ms / p95 2.00 ms"
    assert against["SQLite: browser: next page — 10,000 contacts"] == "— (12 contacts fit on one page)"
    search = f"SQLite: {bench_contacts.SEARCH_ROW} — 100,000 contacts"
    assert against[search] == "LIKE scan, same rows: p50 120 ms / p95 120 ms"
    assert against[f"PostgreSQL: {bench_contacts.SEARCH_ROW} — 100,000 contacts"] == "LIKE scan, same rows: p50 200 ms / p95 200 ms"
    assert against["PostgreSQL: query: first page (25, by name) — 10,000 contacts"] == "— (the first size on PostgreSQL)"
    assert against["PostgreSQL: query: first page (25, by name) — 100,000 contacts"] == "10,000 contacts: p50 4.00 ms / p95 4.00 ms"
    assert [row[0] for row in section.rows][:3] == [
        "SQLite: query: first page (25, by name) — 12 contacts", "SQLite: query: first page (25, by name) — 10,000 contacts",
        "SQLite: query: first page (25, by name) — 100,000 contacts"]
    assert "SQLite sizes: 10,000 (9,988 added in 3.0 s), 100,000 (90,000 added in 6.0 s)." in section.notes
    assert any(note.startswith("PostgreSQL rows:") and "100,000 (90,000 added in 5.0 s)" in note for note in section.notes)
    assert not any(row[0].startswith("PostgreSQL") for row in bench_contacts.section(figures).rows)


def test_contacts_grow_to_a_size_once_through_the_real_schema(database):
    from crm_app.services import crm

    assert bench_contacts.grow_to(1_200) == 1_200
    assert bench_contacts.grow_to(1_200) == 0
    assert bench_contacts.grow_to(2_500) == 1_300
    page = crm.list_contacts(q="okafor2")
    assert crm.list_contacts().total == 2_500
    assert page.total > 0
    assert crm.list_companies(q="Company 04").total == 100
    assert [row["id"] for row in page.rows] == bench_contacts.like_scan("okafor2")


def test_the_parser_section_compares_the_warm_passes_with_the_first():
    from bench import bench_parser

    figures = {"first": [1.0, 2.0, 30.0], "warm": [0.5, 1.0, 10.0, 0.5, 1.0, 12.0], "fallback": [4.0, 5.0],
               "utterances": 3, "reaching_fallback": 1, "passes": 2}
    memory = {"before": 100 * 2**20, "after": 151 * 2**20, "load_s": 0.8, "available": True}
    section = bench_parser.section(figures, memory)
    rows = {row[0]: row for row in section.rows}
    warm = rows["parse, 2 more passes (warm)"]
    assert warm[3] == "6"
    assert warm[4] == f"first pass: {bench_contacts.p50_p95(bench_parser.summary(figures['first']))}"
    assert rows["parse, first pass over both sets (each utterance once)"][3] == "3"
    assert rows["parse, utterances that reach the semantic fallback"][3] == "2"
    notes = " ".join(section.notes)
    assert "Slowest warm parse: 12.00 ms." in notes
    assert "grows an idle app process by 51.0 MiB (meets the 60 MiB limit)" in notes
    heavy = bench_parser.section(figures, {**memory, "after": 171 * 2**20, "available": False})
    heavy_notes = " ".join(heavy.notes)
    assert "71.0 MiB (misses the 60 MiB limit)" in heavy_notes and "could not be loaded" in heavy_notes


def test_the_parser_benchmark_parses_every_labelled_utterance():
    from bench import bench_parser
    from crm_app.assistant.offline import evaluation

    figures = bench_parser.passes(1)
    assert figures["utterances"] == sum(len(evaluation.load(path).cases) for path in evaluation.ALL_SETS) > 100
    assert len(figures["first"]) == figures["utterances"] and len(figures["warm"]) == figures["utterances"]
    assert 0 <= figures["reaching_fallback"] < figures["utterances"]
    assert len(figures["fallback"]) == figures["reaching_fallback"]
