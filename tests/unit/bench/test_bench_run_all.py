"""run_all: discovery, running modules of every shape, and RESULTS.md written from their sections."""

from __future__ import annotations

import datetime as dt
import json
import sys
import textwrap
from contextlib import contextmanager
from pathlib import Path

import pytest

from bench import run_all
from bench.stats import Context

STARTED = dt.datetime(2026, 3, 25, 10, 30, tzinfo=dt.UTC)


def fake_context(tmp_path: Path) -> Context:
    return Context(sandbox_url="http://127.0.0.1:1", mcp_url="http://127.0.0.1:2/mcp", app_url="http://127.0.0.1:3",
                   pids={}, data_dir=tmp_path / "data", database_url="sqlite://", app_env={}, work_dir=tmp_path,
                   log_dir=tmp_path / "logs", quick=True)


@pytest.fixture
def fake_package(tmp_path, monkeypatch):
    """A package of benchmark modules of every shape run_all meets."""
    package = tmp_path / "fakebench"
    package.mkdir()
    (package / "__init__.py").write_text("")
    modules = {
        "bench_ok": '''
            """Fake chat turns: a figure and its comparison."""
            from bench.stats import Section, figure_row, summary

            def run(ctx):
                s = summary([10.0, 20.0, 30.0])
                return Section(title="Chat (fake)", rows=[figure_row("turn", s, "engine alone: p50 5 ms")],
                               notes=[f"quick={ctx.quick}"], figures={"turn": s})
        ''',
        "bench_boom": '''
            """A benchmark whose processes fell over."""
            def run(ctx):
                raise RuntimeError("the sandbox stopped answering")
        ''',
        "bench_script": '''
            """An old-style script without run(ctx)."""
            if __name__ == "__main__":
                print("| measure | p50 |")
                print("| script figure | 1.00 ms |")
        ''',
        "bench_crash": '''
            """A script that exits with an error."""
            import sys
            if __name__ == "__main__":
                print("partial output")
                print("could not reach the server", file=sys.stderr)
                sys.exit(3)
        ''',
        "bench_wrong": '''
            """Returns something else."""
            def run(ctx):
                return {"p50": 1}
        ''',
    }
    for name, source in modules.items():
        (package / f"{name}.py").write_text(textwrap.dedent(source))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield package
    for name in [m for m in sys.modules if m == "fakebench" or m.startswith("fakebench.")]:
        del sys.modules[name]


def test_discover_puts_known_benchmarks_in_run_order_and_others_after(tmp_path):
    for name in ("bench_zeta", "bench_contacts", "bench_chat", "bench_app", "helper"):
        (tmp_path / f"{name}.py").write_text("")
    assert run_all.discover(bench_dir=tmp_path) == ["bench_app", "bench_chat", "bench_contacts", "bench_zeta"]
    assert run_all.discover(["chat", "bench_zeta"], bench_dir=tmp_path) == ["bench_chat", "bench_zeta"]
    with pytest.raises(SystemExit, match="No benchmark named bench_nope"):
        run_all.discover(["nope"], bench_dir=tmp_path)


def test_discover_finds_every_benchmark_of_the_repository():
    names = run_all.discover()
    assert {"bench_app", "bench_chat", "bench_contacts", "bench_mcp", "bench_mcp_client"} <= set(names)
    assert names.index("bench_app") < names.index("bench_chat") < names.index("bench_contacts")


def test_a_module_with_run_gets_the_shared_context(fake_package, tmp_path):
    section = run_all.run_module("bench_ok", fake_context(tmp_path), package="fakebench")
    assert section.error is None
    assert section.title == "Chat (fake)"
    assert section.rows == [["turn", "20.00 ms", "29.00 ms", "3", "engine alone: p50 5 ms"]]
    assert section.notes == ["quick=True"]
    assert section.seconds >= 0


def test_a_failing_benchmark_becomes_a_section_that_says_why(fake_package, tmp_path):
    ctx = fake_context(tmp_path)
    section = run_all.run_module("bench_boom", ctx, package="fakebench")
    assert section.title == "A benchmark whose processes fell over (bench_boom)"
    assert "RuntimeError: the sandbox stopped answering" in section.error
    trace = (ctx.log_dir / "bench_boom.error.log").read_text()
    assert "the sandbox stopped answering" in trace


def test_a_run_that_returns_no_section_is_reported(fake_package, tmp_path):
    section = run_all.run_module("bench_wrong", fake_context(tmp_path), package="fakebench")
    assert "returned dict, not a Section" in section.error


def test_a_module_that_does_not_import_is_reported(tmp_path):
    section = run_all.run_module("bench_missing", fake_context(tmp_path), package="bench")
    assert section.title == "bench_missing"
    assert "does not import" in section.error


def test_a_module_without_run_runs_as_a_script_and_keeps_its_output(fake_package, tmp_path):
    section = run_all.run_module("bench_script", fake_context(tmp_path), package="fakebench")
    assert section.error is None
    assert "| script figure | 1.00 ms |" in section.preformatted
    assert "```text" in section.markdown()


def test_a_script_that_fails_keeps_its_output_and_error(fake_package, tmp_path):
    section = run_all.run_module("bench_crash", fake_context(tmp_path), package="fakebench")
    assert "partial output" in section.preformatted
    assert "exited with code 3" in section.error and "could not reach the server" in section.error


def test_results_md_is_written_and_printed_from_the_sections(fake_package, tmp_path, capsys):
    sections = run_all.run_benchmarks(["bench_ok", "bench_boom"], fake_context(tmp_path), package="fakebench")
    output, raw = tmp_path / "RESULTS.md", tmp_path / "out" / "results.json"
    code = run_all.report(sections, started=STARTED, seconds=95, output=output, json_path=raw)
    text = output.read_text()
    assert code == 1, "a benchmark that could not measure makes the run fail"
    assert text == capsys.readouterr().out.rstrip("\n") + "\n"
    assert text.startswith("# Benchmark results\n")
    for expected in ("| Date | 2026-03-25 10:30 UTC |", "| Duration | 1.6 min |", "| Git commit |", "| CPU |",
                     "| Cores |", "| RAM |", "| Python |", "| OS |", "## Chat (fake)",
                     "| turn    | 20.00 ms | 29.00 ms | 3 | engine alone: p50 5 ms |",
                     "**Not measured in this run:** A benchmark whose processes fell over (bench_boom)",
                     "**Not measured:** RuntimeError: the sandbox stopped answering"):
        assert expected in text, expected
    figures = json.loads(raw.read_text())
    assert figures["date"] == STARTED.isoformat()
    assert [s["title"] for s in figures["sections"]] == ["Chat (fake)", "A benchmark whose processes fell over (bench_boom)"]
    assert figures["sections"][0]["figures"]["turn"]["p50"] == 20.0


def test_main_starts_the_processes_once_and_writes_results(fake_package, tmp_path, monkeypatch, capsys):
    started: list[tuple[str, ...]] = []

    @contextmanager
    def processes(needs, *, quick, database_url, redis_url):
        started.append(tuple(needs))
        yield fake_context(tmp_path)

    monkeypatch.setattr(run_all, "shared_context", processes)
    monkeypatch.setattr(run_all, "discover", lambda only: ["bench_ok"])
    real_run = run_all.run_benchmarks
    monkeypatch.setattr(run_all, "run_benchmarks", lambda names, ctx: real_run(names, ctx, package="fakebench"))
    output = tmp_path / "RESULTS.md"
    monkeypatch.setattr(run_all, "LOG_DIR", tmp_path / "logs")  # a benchmark running meanwhile keeps its logs
    code = run_all.main(["--quick", "--output", str(output), "--json", str(tmp_path / "results.json")])
    assert code == 0
    assert started == [run_all.NEEDS_ALL]
    text = output.read_text()
    assert text.startswith("# Benchmark results (quick run")
    assert text.index("## Targets") < text.index("## Chat (fake)")
    assert "| Benchmarks | all 1 |" in text
    chat = text[text.index("## Chat (fake)"):]
    assert "Load average (1/5/15 min): " in chat and " when it started, " in chat
    assert "## Chat (fake)" in capsys.readouterr().out


def test_a_partial_run_names_the_benchmarks_it_left_out(monkeypatch):
    monkeypatch.setattr(run_all, "discover", lambda only: ["bench_app", "bench_chat", "bench_mcp"])
    assert run_all.benchmarks_run(["bench_app", "bench_chat", "bench_mcp"]) == "all 3"
    partial = run_all.benchmarks_run(["bench_app"])
    assert partial.startswith("bench_app (`--only`); not run this time: bench_chat, bench_mcp")
    assert "bench_app" not in partial.split("not run this time:")[1]


def test_main_says_so_when_the_processes_cannot_start(tmp_path, monkeypatch, capsys):
    @contextmanager
    def processes(needs, *, quick, database_url, redis_url):
        raise TimeoutError("crm_app.sandbox not healthy on http://127.0.0.1:9 after 60s")
        yield

    monkeypatch.setattr(run_all, "shared_context", processes)
    monkeypatch.setattr(run_all, "discover", lambda only: ["bench_ok"])
    output = tmp_path / "RESULTS.md"
    monkeypatch.setattr(run_all, "LOG_DIR", tmp_path / "logs")
    assert run_all.main(["--output", str(output)]) == 2
    assert "could not start: crm_app.sandbox not healthy" in capsys.readouterr().err
    assert not output.exists()


def test_the_app_environment_is_isolated_and_uses_the_offline_parser(tmp_path, monkeypatch):
    monkeypatch.setenv("API_URL", "http://elsewhere:9000")
    monkeypatch.setenv("REFLEX_REDIS_URL", "redis://127.0.0.1:6379")
    monkeypatch.setenv("LLM_MODEL", "anthropic/claude-sonnet-4-5")
    env = run_all.app_environment(4321, data_dir=tmp_path / "d", database_url="sqlite:///x.db", sandbox_port=8002,
                                  mcp_url="http://127.0.0.1:8001/mcp", web_dir=tmp_path / "web",
                                  states_dir=tmp_path / "states")
    assert "API_URL" not in env and "REFLEX_REDIS_URL" not in env
    assert env["LLM_MODEL"] == ""
    assert env["APP_URL"] == "http://127.0.0.1:4321" and env["PORT"] == "4321"
    assert env["REFLEX_WEB_WORKDIR"] == str(tmp_path / "web")
    assert env["REFLEX_STATES_WORKDIR"] == str(tmp_path / "states")
    assert env["SANDBOX_PORT"] == "8002" and env["MCP_ENABLED"] == "true"
    off = run_all.app_environment(1, data_dir=tmp_path, database_url="sqlite://", sandbox_port=None, mcp_url=None,
                                  web_dir=tmp_path, states_dir=tmp_path)
    assert off["MCP_ENABLED"] == "false"


def test_machine_names_what_the_figures_were_measured_on():
    info = run_all.machine()
    assert set(info) == {"CPU", "Cores", "RAM", "Python", "OS"}
    assert all(info.values())
    assert info["RAM"].endswith("GiB")


def test_redis_lets_the_app_run_several_workers(tmp_path):
    env = run_all.app_environment(1, data_dir=tmp_path, database_url="sqlite://", sandbox_port=None, mcp_url=None,
                                  web_dir=tmp_path, states_dir=tmp_path, redis_url="redis://127.0.0.1:6379/5")
    assert env["REFLEX_REDIS_URL"] == "redis://127.0.0.1:6379/5"


def test_the_database_is_migrated_and_seeded_before_the_app_starts(tmp_path):
    import sqlalchemy as sa

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    url = f"sqlite:///{data_dir / 'crm.db'}"
    env = run_all.app_environment(1, data_dir=data_dir, database_url=url, sandbox_port=None, mcp_url=None,
                                  web_dir=tmp_path / "web", states_dir=tmp_path / "states")
    run_all.prepare_database(env, tmp_path / "prepare.log")
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM companies")).scalar_one() > 0
            assert conn.execute(sa.text("SELECT count(*) FROM users WHERE email = 'demo@northwind.example'")).scalar_one() == 1
    finally:
        engine.dispose()
    run_all.prepare_database(env, tmp_path / "prepare.log")


def test_a_database_that_cannot_be_prepared_stops_the_run_with_the_log(tmp_path):
    env = run_all.app_environment(1, data_dir=tmp_path, database_url="postgresql://nobody@127.0.0.1:9/none",
                                  sandbox_port=None, mcp_url=None, web_dir=tmp_path, states_dir=tmp_path)
    with pytest.raises(run_all.BenchmarkError, match="crm_app.manage migrate` failed"):
        run_all.prepare_database(env, tmp_path / "prepare.log")
    assert (tmp_path / "prepare.log").read_text()
