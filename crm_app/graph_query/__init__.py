"""Microsoft Graph query rules as pure functions: OData literals and one `$filter`, KQL `$search` terms,
how an email search becomes one request and how its results are checked, ISO-8601 and Graph times.

It imports nothing but the standard library, so both the MS365 MCP server and the app's tool layer
build Graph queries with the same quoting rules.
"""
