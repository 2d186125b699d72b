"""Directory tool: resolve a person's or group's name to email addresses."""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated

from mcp.server.mcpserver import Context
from pydantic import Field

from crm_app.ms365_mcp.errors import GraphError
from crm_app.ms365_mcp.graph import GraphClient, Page
from crm_app.ms365_mcp.mapping import contact_person, group_person, user_person
from crm_app.ms365_mcp.models import PeopleResult, Person
from crm_app.graph_query.odata import directory_search_clause, search_phrase
from crm_app.ms365_mcp.tools.common import READ_ONLY, RequiredText, ToolSpec, bearer_token

logger = logging.getLogger(__name__)

DEFAULT_PEOPLE_TOP = 10
MAX_PEOPLE_TOP = 50
EVENTUAL = {"ConsistencyLevel": "eventual"}
FORBIDDEN = 403


async def relevant_people(graph: GraphClient, token: str, query: str, top: int) -> Page:
    """People the user works with (People API), including external contacts; empty without People.Read."""
    try:
        return await graph.collect(
            "/me/people",
            token=token,
            params={"$search": search_phrase(query), "$top": str(top)},
            limit=top,
            max_pages=1,
        )
    except GraphError as error:
        if error.status != FORBIDDEN:
            raise
        logger.info("directory_find_people: People API not permitted for this token; directory only")
        return Page()


async def directory_find_people(
    graph: GraphClient,
    ctx: Context,
    query: Annotated[RequiredText, Field(max_length=255, description="A name, group name or address")],
    top: Annotated[int, Field(ge=1, le=MAX_PEOPLE_TOP)] = DEFAULT_PEOPLE_TOP,
) -> PeopleResult:
    token = bearer_token(ctx)
    directory_search = " OR ".join(directory_search_clause(p, query) for p in ("displayName", "mail"))
    users, groups, people = await asyncio.gather(
        graph.collect(
            "/users",
            token=token,
            params={
                "$search": directory_search,
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
            params={"$search": directory_search, "$select": "id,displayName,mail,description", "$top": str(top)},
            headers=EVENTUAL,
            limit=top,
            max_pages=1,
        ),
        relevant_people(graph, token, query, top),
    )
    found: dict[str, Person] = {}
    candidates = (
        [user_person(u) for u in users.items]
        + [group_person(g) for g in groups.items]
        + [contact_person(p) for p in people.items]
    )
    for person in candidates:
        key = (person.address or person.id).lower()
        found.setdefault(key, person)
    matches = list(found.values())[:top]
    return PeopleResult(people=matches, count=len(matches))


TOOLS = (
    ToolSpec(
        directory_find_people,
        "Find people and groups",
        "Look up people and groups by name or address (e.g. 'John', 'finance team', 'sam.rivera') in the "
        "organisation's directory and among the people the user works with (including external contacts), "
        "to get the email addresses needed for to, cc, attendees or recipients. Returns {\"people\": [{id, "
        "kind ('user', 'group' or 'contact'), display_name, address, job_title, description}], \"count\"}. "
        "When several match, ask the user which one they mean.",
        READ_ONLY,
    ),
)
