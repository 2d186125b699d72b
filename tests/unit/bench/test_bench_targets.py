"""The targets table judges each target on the figure of the same run, and never passes one it did not measure."""

from __future__ import annotations

from bench import bench_contacts, targets
from bench.stats import MIB, Section, summary


def _contacts(search_p95: float, scan_p95: float) -> dict:
    return {"timings": {bench_contacts.SEARCH_ROW: {**summary([search_p95]), "p95": search_p95},
                        bench_contacts.SCAN_ROW: {**summary([scan_p95]), "p95": scan_p95}}}


def sections(**overrides) -> dict[str, Section]:
    chat = {"users_1": {"p50": 20.0, "p95": 35.0, "turns": 30, "errors": []},
            "users_10": {"p50": 90.0, "p95": 140.0, "turns": 60, "errors": []},
            "users_50": {"p50": 300.0, "p95": 480.0, "turns": 300, "errors": []}}
    app = {"rss_idle": summary([280 * MIB]), "rss_after": summary([290 * MIB]), "recovered_s": 70.0,
           "second_start_hydrated": summary([4000.0, 4200.0]), "cold_start_hydrated": summary([30_000.0]),
           "cold_starts": [{"again_rebuilt": 0.0}]}
    contacts = {"app": {"100000": _contacts(12.0, 700.0)}, "postgres": {"100000": _contacts(18.0, 780.0)}}
    figures = {"bench_chat": chat, "bench_app": app, "bench_contacts": contacts}
    for module, changes in overrides.items():
        figures[module] = {**figures[module], **changes}
    return {module: Section(title=module, figures=data) for module, data in figures.items()}


def verdicts(by_module: dict[str, Section]) -> dict[str, list[str]]:
    return {row[0]: row for row in targets.section(by_module).rows}


def test_every_target_is_listed_and_met_when_the_figures_are_under_it():
    section = targets.section(sections())
    assert len(section.rows) == len(targets.TARGETS) == 8
    assert all(row[2] == "yes" for row in section.rows), section.rows
    assert section.notes[0].startswith("8 of 8 targets met in this run. Each figure")
    rows = verdicts(sections())
    assert rows["contacts search, 100,000 rows, SQLite: p95 < 20.00 ms"][1] == \
        "p95 12.00 ms (LIKE scan, same rows: p95 700 ms)"
    assert "no rebuild" in rows["second start (built frontend) to a hydrated first page: median < 5000 ms"][1]


def test_a_figure_over_its_target_or_with_errors_is_not_met():
    slow = {"users_50": {"p50": 400.0, "p95": 520.0, "turns": 300, "errors": []},
            "users_10": {"p50": 90.0, "p95": 140.0, "turns": 60, "errors": ["timed out"]}}
    rows = verdicts(sections(bench_chat=slow, bench_app={"recovered_s": None, "rss_idle": summary([310 * MIB])}))
    assert rows["chat turn, 50 concurrent users: p95 < 500 ms, 0 errors"][2] == "**no**"
    assert rows["chat turn, 10 concurrent users: p95 < 150 ms"][2] == "**no**"
    assert rows["chat turn, 1 user: p95 < 40.00 ms"][2] == "yes"
    assert rows["app RSS at rest: < 300 MiB"][2] == "**no**"
    recovery = rows["app RSS after 50 users leave: within 10% of idle within 120 s"]
    assert recovery[2] == "**no**" and recovery[1].startswith("not back under 341 MiB")


def test_late_recovery_is_not_met():
    rows = verdicts(sections(bench_app={"recovered_s": 130.0}))
    assert rows["app RSS after 50 users leave: within 10% of idle within 120 s"][2] == "**no**"


def test_a_benchmark_that_did_not_run_or_measure_never_passes():
    by_module = sections()
    del by_module["bench_chat"]
    by_module["bench_contacts"] = Section(title="contacts", figures={"app": {}, "postgres": {}})
    rows = verdicts(by_module)
    for name, row in rows.items():
        if "chat turn" in name:
            assert row[1:3] == ["benchmark not run", "not measured"]
        if "contacts search" in name:
            assert row[1:3] == ["not measured", "not measured"]
    assert targets.section(by_module).notes[0].startswith("3 of 8 targets met in this run (5 not measured).")
