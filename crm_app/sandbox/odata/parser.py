"""Recursive-descent parser for ``$filter`` and ``$orderby``.

Grammar (operators are lower case, as OData defines them)::

    expr       := or
    or         := and ("or" and)*
    and        := unary ("and" unary)*
    unary      := "not" unary | comparison
    comparison := primary (CMP primary | "in" "(" literal ("," literal)* ")")?
    primary    := "(" expr ")" | literal | FUNC "(" expr ("," expr)* ")" | path
    path       := IDENT ("/" IDENT)* ("/" ("any" | "all") "(" [IDENT ":" expr] ")")?
    orderby    := path ("asc" | "desc")? ("," path ("asc" | "desc")?)*
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn

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
from crm_app.sandbox.odata.lexer import Kind, Token, tokenize

COMPARISON_OPERATORS = frozenset({"eq", "ne", "gt", "ge", "lt", "le"})
FUNCTIONS = frozenset({"contains", "startswith", "endswith"})
LAMBDA_OPERATORS = frozenset({"any", "all"})
KEYWORD_LITERALS = {"true": ("bool", True), "false": ("bool", False), "null": ("null", None)}
RESERVED = COMPARISON_OPERATORS | {"and", "or", "not", "in"}


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind is not Kind.EOF:
            self.index += 1
        return token

    def at_keyword(self, *words: str) -> bool:
        return self.current.kind is Kind.IDENT and self.current.text in words

    def expect(self, kind: Kind) -> Token:
        token = self.current
        if token.kind is not kind:
            self.fail(f"expected '{kind.value}' but found {self.describe(token)}", token)
        return self.advance()

    def describe(self, token: Token) -> str:
        return "the end of the expression" if token.kind is Kind.EOF else f"'{token.text}'"

    def fail(self, reason: str, token: Token) -> NoReturn:
        raise ODataError(
            f"Invalid filter clause: syntax error at position {token.pos} in '{self.text}': {reason}.",
            token.pos,
        )

    def finish(self) -> None:
        if self.current.kind is not Kind.EOF:
            self.fail(f"unexpected {self.describe(self.current)}", self.current)

    def parse_or(self, scope: frozenset[str]) -> Node:
        return self.parse_chain("or", self.parse_and, scope)

    def parse_and(self, scope: frozenset[str]) -> Node:
        return self.parse_chain("and", self.parse_unary, scope)

    def parse_chain(self, keyword: str, operand: Callable[[frozenset[str]], Node], scope: frozenset[str]) -> Node:
        """Operands joined by `keyword`, grouped from the left."""
        node = operand(scope)
        while self.at_keyword(keyword):
            self.advance()
            node = BoolOp(keyword, node, operand(scope))
        return node

    def parse_unary(self, scope: frozenset[str]) -> Node:
        if self.at_keyword("not"):
            self.advance()
            return Not(self.parse_unary(scope))
        return self.parse_comparison(scope)

    def parse_comparison(self, scope: frozenset[str]) -> Node:
        left = self.parse_primary(scope)
        token = self.current
        if self.at_keyword(*COMPARISON_OPERATORS):
            self.advance()
            return Compare(token.text, left, self.parse_primary(scope), token.pos)
        if self.at_keyword("in"):
            self.advance()
            self.expect(Kind.LPAREN)
            values = [self.parse_literal()]
            while self.current.kind is Kind.COMMA:
                self.advance()
                values.append(self.parse_literal())
            self.expect(Kind.RPAREN)
            return In(left, tuple(values), token.pos)
        return left

    def parse_literal(self) -> Literal:
        token = self.current
        literal = self.literal_from(token)
        if literal is None:
            self.fail(f"expected a literal value but found {self.describe(token)}", token)
        self.advance()
        return literal

    @staticmethod
    def literal_from(token: Token) -> Literal | None:
        if token.kind is Kind.STRING:
            return Literal("string", token.text, token.pos)
        if token.kind is Kind.NUMBER:
            number = float(token.text) if any(c in token.text for c in ".eE") else int(token.text)
            return Literal("number", number, token.pos)
        if token.kind is Kind.DATETIME:
            return Literal("datetime", token.text, token.pos)
        if token.kind is Kind.DATE:
            return Literal("date", token.text, token.pos)
        if token.kind is Kind.IDENT and token.text in KEYWORD_LITERALS:
            kind, value = KEYWORD_LITERALS[token.text]
            return Literal(kind, value, token.pos)
        return None

    def parse_primary(self, scope: frozenset[str]) -> Node:
        token = self.current
        if token.kind is Kind.LPAREN:
            self.advance()
            node = self.parse_or(scope)
            self.expect(Kind.RPAREN)
            return node
        literal = self.literal_from(token)
        if literal is not None:
            self.advance()
            return literal
        if token.kind is not Kind.IDENT or token.text in RESERVED:
            self.fail(f"expected a property, literal or function but found {self.describe(token)}", token)
        if token.text in FUNCTIONS and self.tokens[self.index + 1].kind is Kind.LPAREN:
            return self.parse_call(scope)
        return self.parse_path(scope)

    def parse_call(self, scope: frozenset[str]) -> Call:
        name = self.advance()
        self.expect(Kind.LPAREN)
        args = [self.parse_or(scope)]
        while self.current.kind is Kind.COMMA:
            self.advance()
            args.append(self.parse_or(scope))
        self.expect(Kind.RPAREN)
        return Call(name.text, tuple(args), name.pos)

    def parse_path(self, scope: frozenset[str]) -> Node:
        first = self.advance()
        segments = [first.text]
        while self.current.kind is Kind.SLASH:
            self.advance()
            segment = self.expect(Kind.IDENT)
            if segment.text in LAMBDA_OPERATORS and self.current.kind is Kind.LPAREN:
                return self.parse_lambda(segment, Property(tuple(segments), first.pos), scope)
            segments.append(segment.text)
        return Property(tuple(segments), first.pos)

    def parse_lambda(self, operator: Token, collection: Property, scope: frozenset[str]) -> Lambda:
        self.expect(Kind.LPAREN)
        if self.current.kind is Kind.RPAREN:
            self.advance()
            if operator.text == "all":
                self.fail("all() needs a lambda expression such as all(x: x eq 'value')", operator)
            return Lambda("any", collection, None, None, operator.pos)
        var = self.expect(Kind.IDENT)
        if var.text in RESERVED or var.text in scope:
            self.fail(f"'{var.text}' cannot name a lambda variable", var)
        self.expect(Kind.COLON)
        body = self.parse_or(scope | {var.text})
        self.expect(Kind.RPAREN)
        return Lambda(operator.text, collection, var.text, body, operator.pos)

    def parse_orderby(self) -> list[tuple[Property, bool]]:
        items: list[tuple[Property, bool]] = []
        while True:
            token = self.current
            if token.kind is not Kind.IDENT:
                raise ODataError(
                    f"Invalid $orderby: expected a property at position {token.pos} in '{self.text}'.",
                    token.pos,
                )
            path = self.parse_path(frozenset())
            if not isinstance(path, Property):
                raise ODataError(f"Invalid $orderby: '{self.text}' cannot sort by a lambda expression.")
            descending = False
            if self.at_keyword("asc", "desc"):
                descending = self.advance().text == "desc"
            items.append((path, descending))
            if self.current.kind is Kind.COMMA:
                self.advance()
                continue
            if self.current.kind is not Kind.EOF:
                raise ODataError(
                    f"Invalid $orderby: unexpected '{self.current.text}' at position {self.current.pos} "
                    f"in '{self.text}'. Write 'property [asc|desc]', separated by commas.",
                    self.current.pos,
                )
            return items


def parse_filter(text: str) -> Node:
    """Parse a ``$filter`` expression into its syntax tree."""
    if not text.strip():
        raise ODataError("Invalid filter clause: the $filter expression is empty.")
    parser = _Parser(text)
    node = parser.parse_or(frozenset())
    parser.finish()
    return node


def parse_orderby(text: str) -> list[tuple[Property, bool]]:
    """Parse ``$orderby`` into ``(property, descending)`` pairs."""
    if not text.strip():
        raise ODataError("Invalid $orderby: the expression is empty.")
    return _Parser(text).parse_orderby()
