"""The start-up log: Reflex advice that does not apply to this project is reworded, and said once."""

import logging

import rxconfig


def _record(name: str, level: int, msg: str) -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, msg, None, None)


def test_install_advice_is_replaced_by_what_happened():
    record = _record("reflex.reflex", 25, "Initialized crm_app. Install dependencies with `uv pip install -r requirements.txt`")
    assert rxconfig.StartupAdvice().filter(record) is True
    assert "uv pip" not in record.getMessage() and "frontend build folder" in record.getMessage()


def test_node_warning_becomes_one_info_line():
    f = rxconfig.StartupAdvice()
    first = _record("reflex.utils.js_runtimes", logging.WARNING, "Your version (20.1) of Node.js is out of date. Upgrade")
    again = _record("reflex.utils.js_runtimes", logging.WARNING, "Your version (20.1) of Node.js is out of date. Upgrade")
    assert f.filter(first) is True and first.levelno == logging.INFO and "bun" in first.getMessage()
    assert f.filter(again) is False


def test_other_messages_pass_unchanged():
    record = _record("reflex.reflex", logging.WARNING, "Something else happened")
    assert rxconfig.StartupAdvice().filter(record) is True and record.getMessage() == "Something else happened"


def test_the_filters_sit_on_the_loggers_that_print_the_advice_and_one_registry_is_named():
    import os

    for name in ("reflex.reflex", "reflex.utils.js_runtimes"):
        assert any(isinstance(f, rxconfig.StartupAdvice) for f in logging.getLogger(name).filters)
    assert os.environ["NPM_CONFIG_REGISTRY"] == "https://registry.npmjs.org"
