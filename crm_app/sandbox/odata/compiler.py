"""Compile a ``$filter`` syntax tree against a schema into a predicate over Graph-shaped dicts.

String comparisons are case-insensitive, as in Exchange. Date-times are stored as
``YYYY-MM-DDTHH:MM:SSZ`` strings, so comparing them is comparing strings once the
literal is normalized to the same form.
"""

from __future__ import annotations

from collections.abc import Callable
import operator
from dataclasses import dataclass
from typing import Any

from crm_app.sandbox.errors import ODataError
from crm_app.sandbox.odata.ast import (
    BoolOp,
    Call,
    Compare,
    In,
    Lambda,
    Literal,
    Node,
    Not,
    Property,
)
from crm_app.sandbox.odata.schema import EDM_NAMES, EntitySchema, FieldType
from crm_app.sandbox.odata.values import normalize_datetime_literal

Predicate = Callable[[dict[str, Any]], bool]
Getter = Callable[[Any], Any]

OPERATOR_NAMES = {
    "eq": "Equal",
    "ne": "NotEqual",
    "gt": "GreaterThan",
    "ge": "GreaterThanOrEqual",
    "lt": "LessThan",
    "le": "LessThanOrEqual",
}
ORDERING = {"gt": operator.gt, "ge": operator.ge, "lt": operator.lt, "le": operator.le}
ORDERING_OPERATORS = frozenset(ORDERING)


@dataclass(frozen=True, slots=True)
class _Value:
    """A compiled operand: how to read it, its kind, and the constant if it is a literal."""

    get: Getter
    kind: str
    literal: Literal | None = None
    fraction: bool = False
    key: str | None = None


@dataclass(frozen=True, slots=True)
class _Scope:
    """Where property paths resolve: the entity, or a lambda variable's element type."""

    fields: dict[str, FieldType] | None
    element: FieldType | None
    var: str | None
    type_name: str


def _path_getter(path: tuple[str, ...]) -> Getter:
    if len(path) == 1:
        (key,) = path
        return lambda d: d.get(key) if d is not None else None
    if len(path) == 2:
        first, second = path

        def get2(d: Any) -> Any:
            inner = d.get(first) if d is not None else None
            return inner.get(second) if inner is not None else None

        return get2
    if len(path) == 3:
        first, second, third = path

        def get3(d: Any) -> Any:
            inner = d.get(first) if d is not None else None
            inner = inner.get(second) if inner is not None else None
            return inner.get(third) if inner is not None else None

        return get3

    def get_n(d: Any) -> Any:
        for key in path:
            if d is None:
                return None
            d = d.get(key)
        return d

    return get_n


class _Compiler:
    def __init__(self, schema: EntitySchema) -> None:
        self.schema = schema

    def unknown(self, name: str, type_name: str) -> ODataError:
        return ODataError(f"Could not find a property named '{name}' on type '{type_name}'.")

    def resolve(self, prop: Property, scope: _Scope) -> tuple[Getter, FieldType]:
        path = prop.path
        if scope.var is not None:
            if path[0] != scope.var:
                raise ODataError(
                    f"Inside a lambda expression only the variable '{scope.var}' can be used; "
                    f"'{prop.dotted}' refers to the outer item. Move that condition outside the lambda."
                )
            path = path[1:]
            field_type = scope.element
            assert field_type is not None
            if not path:
                return (lambda e: e), field_type
        else:
            field_type = FieldType("object", fields=scope.fields or {})
        for index, segment in enumerate(path):
            if field_type.kind == "collection":
                raise ODataError(
                    f"The parent value for a property access of a property '{segment}' is not a single value. "
                    f"Use a lambda such as {'/'.join(path[:index])}/any(x: x/{'/'.join(path[index:])} eq '...')."
                )
            if segment not in field_type.fields:
                raise self.unknown(segment, scope.type_name)
            field_type = field_type.fields[segment]
        if not field_type.filterable:
            raise ODataError(
                f"The property '{prop.dotted}' does not support filtering on type '{scope.type_name}'."
            )
        return _path_getter(path), field_type

    def value(self, node: Node, scope: _Scope) -> _Value:
        if isinstance(node, Literal):
            return self.literal(node)
        if isinstance(node, Property):
            getter, field_type = self.resolve(node, scope)
            key = node.path[0] if len(node.path) == 1 and scope.var is None else None
            return _Value(getter, field_type.kind, key=key)
        return _Value(self.boolean(node, scope), "bool")

    @staticmethod
    def literal(node: Literal) -> _Value:
        if node.kind in ("datetime", "date"):
            text, fraction = normalize_datetime_literal(str(node.value))
            return _Value(_constant(text), "datetime", node, fraction)
        if node.kind == "string":
            return _Value(_constant(str(node.value).lower()), "string", node)
        return _Value(_constant(node.value), node.kind, node)

    def boolean(self, node: Node, scope: _Scope) -> Predicate:
        if isinstance(node, BoolOp):
            left, right = self.boolean(node.left, scope), self.boolean(node.right, scope)
            if node.op == "and":
                return lambda d: left(d) and right(d)
            return lambda d: left(d) or right(d)
        if isinstance(node, Not):
            operand = self.boolean(node.operand, scope)
            return lambda d: not operand(d)
        if isinstance(node, Compare):
            return self.compare(node, scope)
        if isinstance(node, In):
            return self.membership(node, scope)
        if isinstance(node, Call):
            return self.call(node, scope)
        if isinstance(node, Lambda):
            return self.lambda_(node, scope)
        if isinstance(node, Property):
            getter, field_type = self.resolve(node, scope)
            if field_type.kind != "bool":
                raise ODataError(
                    f"The $filter expression must be a boolean condition; '{node.dotted}' is "
                    f"{field_type.edm}. Compare it with a value, e.g. {node.dotted} eq '...'."
                )
            return lambda d: getter(d) is True
        if isinstance(node, Literal) and node.kind == "bool":
            constant = bool(node.value)
            return lambda _d: constant
        raise ODataError("The $filter expression must be a boolean condition such as isRead eq false.")

    def compare(self, node: Compare, scope: _Scope) -> Predicate:
        left, right = self.value(node.left, scope), self.value(node.right, scope)
        op = node.op
        kinds = {left.kind, right.kind}
        if "null" in kinds:
            if op not in ("eq", "ne"):
                raise self.incompatible(left, right, op)
            other = left if right.kind == "null" else right
            if op == "eq":
                return lambda d: other.get(d) is None
            return lambda d: other.get(d) is not None
        if left.kind != right.kind or "object" in kinds or "collection" in kinds:
            raise self.incompatible(left, right, op)
        if left.kind == "bool" and op in ORDERING_OPERATORS:
            raise self.incompatible(left, right, op)
        if left.literal is not None and right.literal is None:
            left, right, op = right, left, _mirror(op)
        fraction = right.fraction
        if fraction:
            op = {"gt": "gt", "ge": "gt", "lt": "le", "le": "le", "eq": "never", "ne": "always"}[op]
        get_left, get_right = left.get, right.get
        fold = left.kind == "string"

        def read(d: Any, get: Getter = get_left) -> Any:
            value = get(d)
            return value.lower() if fold and value is not None else value

        if right.literal is not None:
            constant = right.get(None)
            if left.key is not None:
                return _keyed_comparison(op, left.key, constant, fold)
            return _constant_comparison(op, read, constant)

        def read_right(d: Any) -> Any:
            value = get_right(d)
            return value.lower() if fold and value is not None else value

        return _dynamic_comparison(op, read, read_right)

    def incompatible(self, left: _Value, right: _Value, op: str) -> ODataError:
        return ODataError(
            "A binary operator with incompatible types was detected. Found operand types "
            f"'{_edm(left.kind)}' and '{_edm(right.kind)}' for operator kind '{OPERATOR_NAMES[op]}'."
        )

    def membership(self, node: In, scope: _Scope) -> Predicate:
        left = self.value(node.left, scope)
        values = [self.literal(v) for v in node.values]
        for value in values:
            if value.kind != left.kind:
                raise self.incompatible(left, value, "eq")
        constants = frozenset(v.get(None) for v in values)
        get = left.get
        if left.kind == "string":
            return lambda d: (get(d) or "").lower() in constants
        return lambda d: get(d) in constants

    def call(self, node: Call, scope: _Scope) -> Predicate:
        if len(node.args) != 2:
            raise ODataError(f"The function '{node.name}' takes two arguments: {node.name}(property, 'text').")
        target, needle = self.value(node.args[0], scope), self.value(node.args[1], scope)
        if target.kind != "string" or needle.kind != "string" or needle.literal is None:
            raise ODataError(
                f"The function '{node.name}' needs a text property and a quoted text value, "
                f"e.g. {node.name}(subject, 'report')."
            )
        text = needle.get(None)
        get = target.get
        key = target.key
        if key is not None:
            if node.name == "contains":
                return lambda d: (v := d.get(key)) is not None and text in v.lower()
            if node.name == "startswith":
                return lambda d: (v := d.get(key)) is not None and v.lower().startswith(text)
            return lambda d: (v := d.get(key)) is not None and v.lower().endswith(text)
        if node.name == "contains":
            return lambda d: text in (get(d) or "").lower()
        if node.name == "startswith":
            return lambda d: (get(d) or "").lower().startswith(text)
        return lambda d: (get(d) or "").lower().endswith(text)

    def lambda_(self, node: Lambda, scope: _Scope) -> Predicate:
        getter, field_type = self.resolve(node.collection, scope)
        if field_type.kind != "collection" or field_type.element is None:
            raise ODataError(
                f"'{node.collection.dotted}' is not a collection; any() and all() apply to collections."
            )
        if node.body is None:
            return lambda d: bool(getter(d))
        inner_scope = _Scope(None, field_type.element, node.var, scope.type_name)
        body = self.boolean(node.body, inner_scope)
        if node.kind == "any":
            return lambda d: any(body(e) for e in (getter(d) or ()))
        return lambda d: all(body(e) for e in (getter(d) or ()))


def _constant(value: Any) -> Getter:
    def get(_item: Any) -> Any:
        return value

    return get


def _edm(kind: str) -> str:
    return EDM_NAMES.get(kind, kind)


def _mirror(op: str) -> str:
    return {"gt": "lt", "ge": "le", "lt": "gt", "le": "ge"}.get(op, op)


def _constant_comparison(op: str, read: Callable[[Any], Any], constant: Any) -> Predicate:
    if op == "never":
        return lambda _d: False
    if op == "always":
        return lambda _d: True
    if op == "eq":
        return lambda d: read(d) == constant
    if op == "ne":
        return lambda d: read(d) != constant
    test = ORDERING[op]
    return lambda d: (value := read(d)) is not None and test(value, constant)


def _keyed_comparison(op: str, key: str, constant: Any, fold: bool) -> Predicate:
    """The common case, a top-level property against a constant, read with one dict lookup."""
    if not fold:
        return _constant_comparison(op, lambda d: d.get(key), constant)
    return _constant_comparison(op, lambda d: v.lower() if (v := d.get(key)) is not None else None, constant)


def _dynamic_comparison(op: str, read: Callable[[Any], Any], read_right: Callable[[Any], Any]) -> Predicate:
    if op == "eq":
        return lambda d: read(d) == read_right(d)
    if op == "ne":
        return lambda d: read(d) != read_right(d)
    test = ORDERING[op]
    return lambda d: (left := read(d)) is not None and (right := read_right(d)) is not None and test(left, right)


def compile_filter(node: Node, schema: EntitySchema) -> Predicate:
    """A predicate over Graph-shaped dicts equivalent to the ``$filter`` tree ``node``."""
    scope = _Scope(dict(schema.fields), None, None, schema.type_name)
    return _Compiler(schema).boolean(node, scope)


def filter_properties(node: Node) -> list[str]:
    """The distinct property paths ``node`` refers to, in order of first appearance."""
    seen: list[str] = []

    def visit(current: Node | None) -> None:
        if current is None or isinstance(current, Literal):
            return
        if isinstance(current, Property):
            if current.dotted not in seen:
                seen.append(current.dotted)
        elif isinstance(current, (Compare, BoolOp)):
            visit(current.left)
            visit(current.right)
        elif isinstance(current, Not):
            visit(current.operand)
        elif isinstance(current, In):
            visit(current.left)
        elif isinstance(current, Call):
            for arg in current.args:
                visit(arg)
        elif isinstance(current, Lambda) and current.collection.dotted not in seen:
            seen.append(current.collection.dotted)

    visit(node)
    return seen


def conjuncts(node: Node) -> list[Node]:
    """The operands of the top-level ``and`` chain (a single node if there is none)."""
    if isinstance(node, BoolOp) and node.op == "and":
        return conjuncts(node.left) + conjuncts(node.right)
    return [node]


def simple_comparisons(node: Node) -> list[tuple[str, str, Any]]:
    """``(path, op, normalized constant)`` for each top-level conjunct ``property op literal``.

    Constants are normalized as the compiled predicate sees them (strings lower-cased,
    date-times in stored form), so a store can narrow its candidates by index before
    running the full predicate. Conjuncts with a fractional-second literal are left out.
    """
    found: list[tuple[str, str, Any]] = []
    for term in conjuncts(node):
        if not isinstance(term, Compare):
            continue
        left, right, op = term.left, term.right, term.op
        if isinstance(left, Literal) and isinstance(right, Property):
            left, right, op = right, left, _mirror(op)
        if not (isinstance(left, Property) and isinstance(right, Literal)):
            continue
        constant: Any
        if right.kind in ("datetime", "date"):
            constant, fraction = normalize_datetime_literal(str(right.value))
            if fraction:
                continue
        elif right.kind == "string":
            constant = str(right.value).lower()
        else:
            constant = right.value
        found.append((left.dotted, op, constant))
    return found
