# crm_app: one container serving pages, API and websocket on one port.
#
# Several instances: run this image more than once behind a proxy that upgrades websockets,
# all with the same DATABASE_URL (PostgreSQL) and REFLEX_REDIS_URL (Redis), and the same
# TOKEN_ENCRYPTION_KEYS:
#   docker run -p 3000:3000 \
#     -e APP_MODE=production -e APP_URL=https://crm.example.com \
#     -e DATABASE_URL=postgresql://crm:secret@db:5432/crm \
#     -e REFLEX_REDIS_URL=redis://redis:6379/0 \
#     -e TOKEN_ENCRYPTION_KEYS=... -e MICROSOFT_CLIENT_ID=... -e MICROSOFT_CLIENT_SECRET=... \
#     -e MS365_MCP_URL=http://ms365-mcp:8001/mcp crm_app
# The MS365 MCP server runs from the same image: docker run crm_app python -m crm_app.ms365_mcp --host 0.0.0.0
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    REFLEX_CHECK_LATEST_VERSION=false REFLEX_TELEMETRY_ENABLED=false \
    LITELLM_LOCAL_MODEL_COST_MAP=True REFLEX_BUN_PATH=/usr/local/bin/bun PORT=3000

RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm curl unzip \
    && npm install --global bun@1.4.5 && ln -sf "$(npm root -g)/bun/bin/bun.exe" /usr/local/bin/bun \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# the frontend is built once here; a start with the same sources, settings and port reuses it
RUN python -m crm_app.serve --build-only

EXPOSE 3000
CMD ["sh", "-c", "python -m crm_app.manage migrate && python -m crm_app.serve --port ${PORT}"]
