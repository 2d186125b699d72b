"""The assistant's tools: one registry for CRM tools and every MCP tool the user's servers offer."""
