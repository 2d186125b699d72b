"""System query options other than ``$filter`` and ``$search``: parsing, validation, paging links."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from crm_app.sandbox.errors import BadRequest, ODataError
from crm_app.sandbox.odata.ast import Node
from crm_app.sandbox.odata.compiler import filter_properties
from crm_app.sandbox.odata.parser import parse_filter, parse_orderby
from crm_app.sandbox.odata.schema import EntitySchema, FieldType

DEFAULT_TOP = 10
MAX_TOP = 1000
KNOWN_OPTIONS = frozenset(
    {"$filter", "$search", "$orderby", "$select", "$top", "$skip", "$skiptoken", "$count", "$expand", "$format"}
)


@dataclass
class QueryOptions:
    """The query options of one request, validated against a resource schema."""

    filter_text: str | None = None
    filter: Node | None = None
    search: str | None = None
    orderby: list[tuple[str, bool]] = field(default_factory=list)
    orderby_text: str | None = None
    select: tuple[str, ...] | None = None
    select_text: str | None = None
    expand: tuple[str, ...] = ()
    top: int = DEFAULT_TOP
    top_given: bool = False
    skip: int = 0
    count: bool = False


def last_values(params: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Query parameters with a repeated name reduced to its last value, as Graph reads them."""
    values: dict[str, str] = {}
    for key, value in params:
        values[key] = value
    return values


def parse_options(
    params: Iterable[tuple[str, str]],
    schema: EntitySchema,
    *,
    default_top: int = DEFAULT_TOP,
    max_top: int = MAX_TOP,
    allowed: frozenset[str] = KNOWN_OPTIONS,
) -> QueryOptions:
    """Validate ``$filter``, ``$search``, ``$orderby``, ``$select``, ``$top``, ``$skip``, ``$count``.

    A repeated parameter counts once, with its last value: a client that appends a
    second ``$filter`` silently loses the first, exactly as on Graph.
    """
    values = last_values(params)
    for key in values:
        if key.startswith("$") and key not in allowed:
            raise BadRequest(f"The query parameter '{key}' is not supported on this resource.")
    options = QueryOptions(top=default_top)
    if "$filter" in values:
        options.filter_text = values["$filter"]
        options.filter = parse_filter(values["$filter"])
    if "$search" in values:
        options.search = values["$search"]
        if not unquote_search(options.search).strip():
            raise BadRequest("The $search value is empty. Pass search terms, e.g. $search=\"quarterly report\".")
    if "$orderby" in values:
        options.orderby_text = values["$orderby"]
        options.orderby = [
            (_sortable(prop.dotted, schema), descending)
            for prop, descending in parse_orderby(values["$orderby"])
        ]
    if "$select" in values:
        options.select_text = values["$select"]
        options.select = parse_select(values["$select"], schema)
    if "$expand" in values:
        options.expand = tuple(part.strip() for part in values["$expand"].split(",") if part.strip())
    if "$top" in values:
        options.top = _integer("$top", values["$top"], 1, max_top)
        options.top_given = True
    if "$skip" in values:
        options.skip = _integer("$skip", values["$skip"], 0, None)
    if "$skiptoken" in values:
        options.skip = decode_skiptoken(values["$skiptoken"])
    if "$count" in values:
        flag = values["$count"].strip().lower()
        if flag not in ("true", "false"):
            raise BadRequest(f"Invalid value '{values['$count']}' for $count; use $count=true or $count=false.")
        options.count = flag == "true"
    return options


def _sortable(path: str, schema: EntitySchema) -> str:
    field_type: FieldType | None = FieldType("object", fields=schema.fields)
    for segment in path.split("/"):
        if field_type is None or segment not in field_type.fields:
            raise ODataError(f"Could not find a property named '{segment}' on type '{schema.type_name}'.")
        field_type = field_type.fields[segment]
    if field_type is None or not field_type.sortable:
        raise ODataError(f"The property '{path}' cannot be used in $orderby on type '{schema.type_name}'.")
    return path


def parse_select(text: str, schema: EntitySchema) -> tuple[str, ...]:
    """Top-level property names from ``$select``; unknown names are an error."""
    names = tuple(part.strip() for part in text.split(",") if part.strip())
    if not names:
        raise ODataError("Invalid $select: list one or more properties, e.g. $select=subject,from.")
    for name in names:
        if not schema.has(name):
            raise ODataError(f"Could not find a property named '{name}' on type '{schema.type_name}'.")
    return names


def _integer(name: str, text: str, low: int, high: int | None) -> int:
    try:
        value = int(text)
    except ValueError:
        value = low - 1
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise BadRequest(f"Invalid value '{text}' for query parameter {name}; it must be an integer {bound}.")
    return value


def encode_skiptoken(offset: int) -> str:
    """An opaque ``$skiptoken`` for the page that starts at ``offset``."""
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def decode_skiptoken(token: str) -> int:
    """The offset a ``$skiptoken`` made by :func:`encode_skiptoken` stands for."""
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        prefix, _, number = text.partition(":")
        if prefix != "offset":
            raise ValueError(text)
        offset = int(number)
        if offset < 0:
            raise ValueError(text)
        return offset
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise BadRequest(
            "The $skiptoken is not valid. Follow @odata.nextLink exactly as returned instead of building it."
        ) from exc


def unquote_search(text: str) -> str:
    """The KQL inside a ``$search`` value; Graph wants it in double quotes, ``\\"`` escapes a quote."""
    stripped = text.strip()
    if len(stripped) >= 2 and stripped[0] == '"' and stripped[-1] == '"':
        return stripped[1:-1].replace('\\"', '"')
    return stripped


def ensure_sort_follows_filter(options: QueryOptions) -> None:
    """Outlook's rule for ``$filter`` with ``$orderby``: the sort properties must open the filter.

    Properties in ``$orderby`` must also appear in ``$filter``, in the same order, before
    any other property; otherwise Graph answers ``InefficientFilter``.
    """
    if options.filter is None or not options.orderby:
        return
    filtered = filter_properties(options.filter)
    sorted_by = [path for path, _ in options.orderby]
    if filtered[: len(sorted_by)] != sorted_by:
        raise BadRequest(
            "The restriction or sort order is too complex for this operation. "
            f"With $orderby={', '.join(sorted_by)} the $filter must start with "
            f"{' and then '.join(sorted_by)} before any other property; put them first in $filter "
            "or drop $orderby.",
            code="InefficientFilter",
        )


def ensure_search_alone(options: QueryOptions) -> None:
    """``$search`` cannot be combined with ``$filter`` or ``$orderby`` on messages."""
    if options.search is None:
        return
    if options.orderby_text is not None:
        raise BadRequest(
            "The query parameter '$orderBy' is not supported with '$search'. "
            "Search results come newest first; remove $orderby.",
            code="SearchWithOrderBy",
        )
    if options.filter_text is not None:
        raise BadRequest(
            "The query parameter '$filter' is not supported with '$search'. "
            "Use $search alone (KQL such as from:, subject:, received>=) or $filter alone.",
            code="SearchWithFilter",
        )


def sort_items(items: list[Any], orderby: Sequence[tuple[str, bool]], read: Callable[[Any, str], Any]) -> list[Any]:
    """Sort by several keys with their own directions; text sorts case-insensitively, empty values first."""
    result = list(items)
    for path, descending in reversed(orderby):

        def key(item: Any, path: str = path) -> tuple[int, Any]:
            value = read(item, path)
            if value is None:
                return (0, "")
            if isinstance(value, str):
                return (1, value.lower())
            return (1, value)

        result.sort(key=key, reverse=descending)
    return result


def read_path(item: dict[str, Any], path: str) -> Any:
    """The value at a ``/``-separated path of a Graph-shaped dict, or None."""
    value: Any = item
    for segment in path.split("/"):
        if not isinstance(value, dict):
            return None
        value = value.get(segment)
    return value


def build_next_link(
    base_url: str,
    options: QueryOptions,
    next_offset: int,
    *,
    use_skiptoken: bool,
    extra: Sequence[tuple[str, str]] = (),
) -> str:
    """The absolute ``@odata.nextLink`` for the page starting at ``next_offset``.

    It carries the options that were applied (so a filter that was lost to a repeated
    parameter stays lost), in the percent-encoded form Graph uses.
    """
    params: list[tuple[str, str]] = list(extra)
    if options.filter_text is not None:
        params.append(("$filter", options.filter_text))
    if options.search is not None:
        params.append(("$search", options.search))
    if options.orderby_text is not None:
        params.append(("$orderby", options.orderby_text))
    if options.select_text is not None:
        params.append(("$select", options.select_text))
    if options.expand:
        params.append(("$expand", ",".join(options.expand)))
    if options.count:
        params.append(("$count", "true"))
    params.append(("$top", str(options.top)))
    if use_skiptoken:
        params.append(("$skiptoken", encode_skiptoken(next_offset)))
    else:
        params.append(("$skip", str(next_offset)))
    return f"{base_url}?{urlencode(params, quote_via=quote, safe='')}"
