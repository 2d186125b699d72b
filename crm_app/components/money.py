"""Totals in several currencies ("EUR 1,000.50 · USD 85,000.00"), one currency per line so none breaks apart."""

from __future__ import annotations

import reflex as rx

SEPARATOR = " · "


def amounts(total: rx.Var, align: str = "start", **text_props) -> rx.Component:
    return rx.vstack(rx.foreach(total.to(str).split(SEPARATOR), lambda t: rx.text(t, white_space="nowrap", **text_props)),
                     spacing="0", align=align)
