"""py-spy's collapsed stacks become own-time and on-stack counts per frame."""

from __future__ import annotations

from bench import profile

RAW = """\
process 11:"python -m app";thread (0x1);run (/work/wt/x/.venv/lib/python3.11/site-packages/granian/server.py:10);send (/work/wt/x/crm_app/state/chat.py:219);do_execute (/work/wt/x/.venv/lib/python3.11/site-packages/sqlalchemy/engine/default.py:1192) 30
process 11:"python -m app";thread (0x1);run (/work/wt/x/.venv/lib/python3.11/site-packages/granian/server.py:10);send (/work/wt/x/crm_app/state/chat.py:219) 10
process 12:"python -m app";thread (0x2);dumps (/usr/lib/python3.11/json/__init__.py:231) 60
garbage line
"""


def test_collapsed_stacks_count_own_time_and_time_on_the_stack():
    parsed = profile.parse(RAW)
    assert parsed.samples == 100
    assert parsed.top_own(2) == [("dumps (json/__init__.py:231)", 60), ("do_execute (sqlalchemy/engine/default.py:1192)", 30)]
    assert parsed.total["run (granian/server.py:10)"] == 40
    assert parsed.top_app() == [("send (crm_app/state/chat.py:219)", 40)]  # only the app's own frames
    assert parsed.share(40) == "40.0%"
    assert not any(frame.startswith(("process", "thread")) for frame in parsed.total)


def test_a_missing_py_spy_is_reported_not_raised(monkeypatch, tmp_path):
    monkeypatch.setattr(profile, "py_spy", lambda: None)
    with profile.sampling(1, tmp_path / "p.txt") as sampled:
        pass
    assert sampled.samples == 0 and "py-spy is not installed" in sampled.error
