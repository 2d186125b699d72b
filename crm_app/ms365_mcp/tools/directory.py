"""Directory tool: resolve a person's or group's name to email addresses."""

from __future__ import annotations

import asyncio
from typing import Annotated

from mcp.server.mcpserver import Context, MCPServer
from pydantic import Field

from crm_app.ms365_mcp.graph import GraphClient
from crm_app.ms365_mcp.mapping import group_person, user_person
from crm_app.ms365_mcp.models import PeopleResult
from crm_app.ms365_mcp.odata import directory_search_clause
from crm_app.ms365_mcp.tools.common import READ_ONLY, RequiredText, bearer_token

DEFAULT_PEOPLE_TOP = 10
MAX_PEOPLE_TOP = 50
EVENTUAL = {"ConsistencyLevel": "eventual"}


def register(server: MCPServer, graph: GraphClient) -> None:
    """Add the directory tool to `server`, calling Graph through `graph`."""

    @server.tool(
        name="directory_find_people",
        title="Find people and groups",
        description=(
            "Look up people and groups in the organisation's directory by name or address (e.g. 'John', "
            "'finance team', 'sam.rivera@'), to get the email addresses needed for to, cc, attendees or "
            "recipients. Returns {\"people\": [{id, kind ('user' or 'group'), display_name, address, job_title, "
            "description}], \"count\"}. When several match, ask the user which one they mean."
        ),
        annotations=READ_ONLY,
    )
    async def directory_find_people(
        ctx: Context,
        query: Annotated[RequiredText, Field(max_length=255, description="A name, group name or address")],
        top: Annotated[int, Field(ge=1, le=MAX_PEOPLE_TOP)] = DEFAULT_PEOPLE_TOP,
    ) -> PeopleResult:
        token = bearer_token(ctx)
        users_search = " OR ".join(directory_search_clause(p, query) for p in ("displayName", "mail"))
        groups_search = " OR ".join(directory_search_clause(p, query) for p in ("displayName", "mail"))
        users, groups = await asyncio.gather(
            graph.collect(
                "/users",
                token=token,
                params={
                    "$search": users_search,
                    "$select": "id,displayName,mail,userPrincipalName,jobTitle",
                    "$top": str(top),
                },
                headers=EVENTUAL,
                limit=top,
                max_pages=1,
            ),
            graph.collect(
                "/groups",
                token=token,
                params={"$search": groups_search, "$select": "id,displayName,mail,description", "$top": str(top)},
                headers=EVENTUAL,
                limit=top,
                max_pages=1,
            ),
        )
        people = [user_person(u) for u in users.items] + [group_person(g) for g in groups.items]
        return PeopleResult(people=people[:top], count=min(len(people), top))
