from decimal import Decimal

from crm_app.formatting import money, stage_label


def test_money_groups_thousands_and_keeps_two_decimals():
    assert money(85000, "USD") == "USD 85,000.00"
    assert money("85000.00", "usd") == "USD 85,000.00"
    assert money(Decimal("12500.5"), "EUR") == "EUR 12,500.50"
    assert money(0, "GBP") == "GBP 0.00"
    assert "85000" not in money(85000, "USD")


def test_money_follows_the_locale_but_keeps_the_code_in_front():
    assert money(1234.5, "EUR", "de_DE") == "EUR 1.234,50"
    assert money(1234.5, "USD", "en_GB") == "USD 1,234.50"


def test_money_without_an_amount_is_empty_and_never_raises():
    assert money(None, "USD") == ""
    assert money("", "USD") == ""
    assert money("not a number", "USD") == ""
    assert money(12, "") == "12.00"


def test_stage_labels_are_capitalised():
    assert [stage_label(s) for s in ("lead", "won", "negotiation", "")] == ["Lead", "Won", "Negotiation", ""]
