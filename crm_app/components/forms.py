"""Form fields that show their validation error next to the field."""

from __future__ import annotations

from typing import Any

import reflex as rx


def field_error(errors: rx.Var | dict, name: str) -> rx.Component:
    if isinstance(errors, dict):
        return rx.fragment()
    return rx.cond(
        errors.contains(name),
        rx.text(errors[name], color_scheme="red", size="1", id=f"error-{name}"),
    )


def text_field(label: str, name: str, *, errors: rx.Var, value: Any = None, placeholder: str = "",
               type_: str = "text", required: bool = False, id_prefix: str = "", max_length: int | None = None,
               hint: str = "") -> rx.Component:
    return rx.vstack(
        rx.text(label, as_="label", size="2", weight="medium", html_for=f"{id_prefix}{name}"),
        rx.input(
            name=name,
            id=f"{id_prefix}{name}",
            default_value=value if value is not None else "",
            placeholder=placeholder,
            type=type_,
            required=required,
            max_length=max_length,
            width="100%",
        ),
        rx.cond(hint != "", rx.text(hint, size="1", color_scheme="gray")) if hint else rx.fragment(),
        field_error(errors, name),
        spacing="1",
        width="100%",
        align="stretch",
    )


def select_field(label: str, name: str, *, errors: rx.Var, value: Any = None, id_prefix: str = "",
                 static: list[tuple[str, str]] | None = None, dynamic: rx.Var | None = None) -> rx.Component:
    """A native <select>: fast, accessible and easy to drive from tests.

    `static` options come first as (value, label); `dynamic` is a list var of {"id", "name"} dicts.
    """
    opts: list[rx.Component] = [rx.el.option(lbl, value=val) for val, lbl in (static or [])]
    if dynamic is not None:
        opts.append(rx.foreach(dynamic, lambda o: rx.el.option(o["name"], value=o["id"])))
    return rx.vstack(
        rx.text(label, as_="label", size="2", weight="medium", html_for=f"{id_prefix}{name}"),
        rx.el.select(
            *opts,
            name=name,
            id=f"{id_prefix}{name}",
            default_value=value if value is not None else "",
            style=SELECT_STYLE,
        ),
        field_error(errors, name),
        spacing="1",
        width="100%",
        align="stretch",
    )


SELECT_STYLE = {
    "width": "100%",
    "height": "var(--space-6)",
    "padding": "0 0.5rem",
    "border_radius": "var(--radius-2)",
    "border": f"1px solid {rx.color('gray', 7)}",
    "background": rx.color("gray", 1),
    "color": rx.color("gray", 12),
}
