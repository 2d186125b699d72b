"""The ``$filter`` syntax tree."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Literal:
    """A constant: ``kind`` is one of string, number, bool, null, datetime, date."""

    kind: str
    value: object
    pos: int


@dataclass(frozen=True, slots=True)
class Property:
    """A property path such as ``from/emailAddress/address``."""

    path: tuple[str, ...]
    pos: int

    @property
    def dotted(self) -> str:
        return "/".join(self.path)


@dataclass(frozen=True, slots=True)
class Compare:
    """A binary comparison: ``op`` is eq, ne, gt, ge, lt or le."""

    op: str
    left: Node
    right: Node
    pos: int


@dataclass(frozen=True, slots=True)
class In:
    """``left in (v1, v2, ...)``."""

    left: Node
    values: tuple[Literal, ...]
    pos: int


@dataclass(frozen=True, slots=True)
class BoolOp:
    """``and`` / ``or`` over two operands."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Not:
    """``not`` of its operand."""

    operand: Node


@dataclass(frozen=True, slots=True)
class Call:
    """A function call such as ``contains(subject, 'report')``."""

    name: str
    args: tuple[Node, ...]
    pos: int


@dataclass(frozen=True, slots=True)
class Lambda:
    """``collection/any(var: body)`` or ``collection/all(var: body)``; ``any()`` has no body."""

    kind: str
    collection: Property
    var: str | None
    body: Node | None
    pos: int


Node = Literal | Property | Compare | In | BoolOp | Not | Call | Lambda
