"""The SDK's ``ClientSession``, checking tool results with a compiled JSON Schema validator.

The SDK checks each structured tool result against the tool's output schema with
``jsonschema``, which walks the schema in Python: about 0.7 ms for a page of ten emails,
more than the rest of the client's work on a call. ``jsonschema-rs`` compiles the schema
once (in Rust) and answers the same question in microseconds. Like the SDK's check, it
never fetches a remote ``$ref`` and treats ``format`` as an annotation.

A result the compiled validator accepts is accepted. A result it rejects, a schema it cannot
compile, or a tool this session has not listed goes to the SDK's own check, so every error a
caller sees is the SDK's, worded as before.
"""

from __future__ import annotations

import logging
from typing import Any

import jsonschema_rs
import mcp_types
from mcp import ClientSession as SdkClientSession

logger = logging.getLogger(__name__)


class ClientSession(SdkClientSession):
    """``mcp.ClientSession`` whose tool-result check runs a compiled validator first."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._output_schemas: dict[str, dict[str, Any] | None] = {}
        self._compiled: dict[str, Any] = {}

    async def list_tools(self, *args: Any, **kwargs: Any) -> mcp_types.ListToolsResult:
        result = await super().list_tools(*args, **kwargs)
        params = kwargs.get("params")
        if (params is None or params.cursor is None) and result.next_cursor is None:
            listed = {tool.name for tool in result.tools}
            for name in [name for name in self._output_schemas if name not in listed]:
                self._output_schemas.pop(name, None)
                self._compiled.pop(name, None)
        for tool in result.tools:
            if self._output_schemas.get(tool.name) != tool.output_schema:
                self._compiled.pop(tool.name, None)
            self._output_schemas[tool.name] = tool.output_schema
        return result

    async def validate_tool_result(self, name: str, result: mcp_types.CallToolResult) -> None:
        schema = self._output_schemas.get(name)
        if schema is not None and result.structured_content is not None:
            validator = self._validator(name, schema)
            if validator is not None and validator.is_valid(result.structured_content):
                return
        await super().validate_tool_result(name, result)

    def _validator(self, name: str, schema: dict[str, Any]) -> Any:
        if name not in self._compiled:
            try:
                self._compiled[name] = jsonschema_rs.validator_for(schema, validate_formats=False, offline=True)
            except (jsonschema_rs.ValidationError, ValueError, TypeError) as exc:
                logger.debug("output schema of %s not compiled (%s); the SDK checks its results", name, exc)
                self._compiled[name] = None
        return self._compiled[name]
