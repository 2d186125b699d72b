"""MS365 MCP server: the signed-in user's Microsoft 365 as MCP tools over Microsoft Graph.

Deployable on its own: it imports nothing else from `crm_app`.
"""

from __future__ import annotations

from crm_app.ms365_mcp.errors import Ms365Error
from crm_app.ms365_mcp.server import build_server, create_app
from crm_app.ms365_mcp.settings import Settings

__all__ = ["Ms365Error", "Settings", "build_server", "create_app"]
