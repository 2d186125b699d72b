#!/usr/bin/env bash
# Installs the pinned third-party MCP servers the integration tests run (tests/thirdparty/package-lock.json)
# into tests/thirdparty/node_modules (ignored by git), then points the Softeria MS365 MCP server's Graph
# base URL at an environment variable: it has no setting for it, and the tests serve Graph from the sandbox.
# Idempotent; fails loudly when npm is missing or the patch no longer applies.
set -euo pipefail
cd "$(dirname "$0")/../tests/thirdparty"

if ! command -v npm >/dev/null 2>&1; then
  echo "npm is required for the third-party MCP server tests; install Node.js 20 or later." >&2
  exit 1
fi
STAMP=node_modules/.installed-from-lock
if [ "$(cat "$STAMP" 2>/dev/null)" != "$(sha256sum package-lock.json)" ]; then
  npm ci --no-fund --no-audit --loglevel=error
  sha256sum package-lock.json > "$STAMP"
fi

CLOUD=node_modules/@softeria/ms-365-mcp-server/dist/cloud-config.js
ORIGINAL='graphApi: "https://graph.microsoft.com"'
PATCHED='graphApi: process.env.MS365_TEST_GRAPH_ORIGIN || "https://graph.microsoft.com"'
if ! grep -qF "$PATCHED" "$CLOUD"; then
  if ! grep -qF "$ORIGINAL" "$CLOUD"; then
    echo "Cannot point $CLOUD at the sandbox: its Graph endpoint line changed; update scripts/setup_thirdparty.sh." >&2
    exit 1
  fi
  sed -i "s#${ORIGINAL}#${PATCHED}#" "$CLOUD"
fi
