"""SharePoint tools: find sites, list and search their document libraries."""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated

from mcp.server.mcpserver import Context
from pydantic import Field

from crm_app.ms365_mcp.drive import folder_children_path, list_children, search_drive, site_drive_root
from crm_app.ms365_mcp.errors import Ms365Error
from crm_app.ms365_mcp.graph import GraphClient
from crm_app.ms365_mcp.mapping import named
from crm_app.ms365_mcp.models import FileList, Site, SiteList
from crm_app.ms365_mcp.tools.common import (
    READ_ONLY,
    GraphId,
    OptionalShortText,
    OptionalText,
    RequiredText,
    ToolSpec,
    bearer_token,
    fetch_list,
    segment,
)
from crm_app.ms365_mcp.tools.files import DEFAULT_FILE_TOP, DEFAULT_SEARCH_TOP, FILE_FIELDS, FileTop

logger = logging.getLogger(__name__)

DEFAULT_SITE_TOP = 25
MAX_SITE_TOP = 100
MAX_SITES_SEARCHED = 10
SITE_SELECT = "id,name,displayName,webUrl,description"
ALL_SITES = "*"


async def site_name(graph: GraphClient, token: str, site_id: str) -> str | None:
    site = await graph.get_json(f"/sites/{segment(site_id)}", token=token, params={"$select": "id,displayName,name"})
    return str(site.get("displayName") or site.get("name") or "") or None


async def find_sites(graph: GraphClient, token: str, query: str | None, top: int) -> SiteList:
    sites, more = await fetch_list(
        graph, token, "/sites", lambda item: named(item, Site),
        params={"search": query or ALL_SITES, "$select": SITE_SELECT, "$top": str(top)}, limit=top,
    )
    return SiteList(sites=sites, count=len(sites), has_more=more)


async def sharepoint_list_sites(
    graph: GraphClient,
    ctx: Context,
    query: Annotated[OptionalShortText, Field(description="Words in the site's name")] = None,
    top: Annotated[int, Field(ge=1, le=MAX_SITE_TOP)] = DEFAULT_SITE_TOP,
) -> SiteList:
    return await find_sites(graph, bearer_token(ctx), query, top)


async def sharepoint_list_files(
    graph: GraphClient,
    ctx: Context,
    site_id: Annotated[GraphId, Field(description="Site id from sharepoint_list_sites")],
    folder_id: Annotated[OptionalText, Field(description="Folder id from a previous listing")] = None,
    path: Annotated[OptionalText, Field(description="Folder path from the library root")] = None,
    top: FileTop = DEFAULT_FILE_TOP,
) -> FileList:
    token = bearer_token(ctx)
    found, name = await asyncio.gather(
        list_children(graph, token, folder_children_path(site_drive_root(site_id), folder_id, path), top),
        site_name(graph, token, site_id),
    )
    return in_site(found, name)


async def sharepoint_search_files(
    graph: GraphClient,
    ctx: Context,
    query: Annotated[RequiredText, Field(max_length=255, description="Words to search for")],
    site_id: Annotated[OptionalText, Field(description="Limit the search to this site")] = None,
    top: FileTop = DEFAULT_SEARCH_TOP,
) -> FileList:
    token = bearer_token(ctx)
    if site_id:
        found, name = await asyncio.gather(search_drive(graph, token, site_drive_root(site_id), query, top),
                                           site_name(graph, token, site_id))
        return in_site(found, name)
    sites = await find_sites(graph, token, None, MAX_SITES_SEARCHED)
    results = await asyncio.gather(
        *(search_drive(graph, token, site_drive_root(s.id), query, top) for s in sites.sites),
        return_exceptions=True,
    )
    failures = [r for r in results if isinstance(r, BaseException)]
    lists = [in_site(r, s.display_name or s.name) for s, r in zip(sites.sites, results, strict=True)
             if isinstance(r, FileList)]
    for failure in failures:
        if not isinstance(failure, Ms365Error):
            raise failure
        logger.info("SharePoint search skipped a site: %s", failure.code)
    if failures and not lists:
        raise failures[0]
    files = [f for result in lists for f in result.files]
    files.sort(key=lambda f: f.last_modified_at or "", reverse=True)
    has_more = sites.has_more or any(r.has_more for r in lists) or len(files) > top
    return FileList(files=files[:top], count=min(len(files), top), has_more=has_more)


TOOLS = (
    ToolSpec(
        sharepoint_list_sites,
        "Find SharePoint sites",
        "Find SharePoint sites the user can access whose name or description matches `query` (omit it to "
        "list all). Returns {\"sites\": [{id, name, display_name, web_url, description}], \"count\", "
        "\"has_more\"}. Pass a site's id to sharepoint_list_files or sharepoint_search_files.",
        READ_ONLY,
    ),
    ToolSpec(
        sharepoint_list_files,
        "List SharePoint files",
        "List the files and folders in a SharePoint site's document library: its root, or the folder given "
        "by `folder_id` or `path`. Returns {\"files\": [{" + FILE_FIELDS + "}], \"count\", \"has_more\"}. "
        "Read a text file with onedrive_read_file(item_id, drive_id).",
        READ_ONLY,
    ),
    ToolSpec(
        sharepoint_search_files,
        "Search SharePoint files",
        "Search SharePoint document libraries for files matching `query`: in one site when `site_id` is "
        f"given, otherwise across up to {MAX_SITES_SEARCHED} of the user's sites. Returns {{\"files\": [{{"
        + FILE_FIELDS + "}], \"count\", \"has_more\"}. Read a text file with onedrive_read_file(item_id, "
        "drive_id).",
        READ_ONLY,
    ),
)


def in_site(found: FileList, name: str | None) -> FileList:
    """`found` with each file labelled with the SharePoint site it is in."""
    files = [f.model_copy(update={"site_name": name}) for f in found.files]
    return found.model_copy(update={"files": files})
