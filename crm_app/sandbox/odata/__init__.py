"""OData query options as Microsoft Graph accepts them.

``$filter`` is tokenized (:mod:`.lexer`), parsed by recursive descent into an AST
(:mod:`.parser`, :mod:`.ast`) and compiled against a resource schema
(:mod:`.schema`) into a predicate over Graph-shaped dicts (:mod:`.compiler`).
``$orderby``, ``$select``, ``$top``, ``$skip`` and ``$count`` live in :mod:`.options`;
``$search`` (KQL) in :mod:`.kql`.
"""

from __future__ import annotations

from crm_app.sandbox.odata.ast import Node
from crm_app.sandbox.odata.compiler import Predicate, compile_filter, filter_properties
from crm_app.sandbox.odata.parser import parse_filter

__all__ = ["Node", "Predicate", "compile_filter", "filter_properties", "parse_filter"]
