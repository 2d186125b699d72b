"""OneDrive tools: list, search, read (text) and share files."""

from __future__ import annotations

from typing import Annotated, Literal

from mcp.server.mcpserver import Context
from pydantic import Field

from crm_app.ms365_mcp.drive import (
    ITEM_SELECT,
    drive_root,
    folder_children_path,
    item_path,
    list_children,
    read_text,
    recent_files,
    search_drive,
)
from crm_app.ms365_mcp.graph import GraphClient
from crm_app.ms365_mcp.mapping import drive_item
from crm_app.ms365_mcp.models import FileContent, FileList, ShareResult
from crm_app.ms365_mcp.tools.common import (
    ADDITIVE,
    READ_ONLY,
    AddressList,
    OptionalNote,
    OptionalText,
    RequiredText,
    ToolSpec,
    bearer_token,
)

DEFAULT_FILE_TOP = 50
MAX_FILE_TOP = 200
DEFAULT_SEARCH_TOP = 25
DEFAULT_READ_CHARS = 20_000
MAX_READ_CHARS = 200_000
FILE_FIELDS = "id, name, size, is_folder, mime_type, last_modified_at, last_modified_by, web_url, path, drive_id"

ItemId = Annotated[OptionalText, Field(description="The file's id from a file listing or search")]
DriveId = Annotated[
    OptionalText,
    Field(description="drive_id from a listing, for files outside the user's OneDrive (e.g. SharePoint)"),
]
FileTop = Annotated[int, Field(ge=1, le=MAX_FILE_TOP, description="Maximum items to return")]


async def onedrive_list_files(
    graph: GraphClient,
    ctx: Context,
    folder_id: Annotated[OptionalText, Field(description="Folder id from a previous listing")] = None,
    path: Annotated[OptionalText, Field(description="Folder path from the OneDrive root")] = None,
    top: FileTop = DEFAULT_FILE_TOP,
) -> FileList:
    token = bearer_token(ctx)
    return await list_children(graph, token, folder_children_path("/me/drive", folder_id, path), top)


async def onedrive_recent_files(graph: GraphClient, ctx: Context, top: FileTop = DEFAULT_SEARCH_TOP) -> FileList:
    token = bearer_token(ctx)
    return await recent_files(graph, token, top)


async def onedrive_search_files(
    graph: GraphClient,
    ctx: Context,
    query: Annotated[RequiredText, Field(max_length=255, description="Words to search for")],
    top: FileTop = DEFAULT_SEARCH_TOP,
) -> FileList:
    token = bearer_token(ctx)
    return await search_drive(graph, token, "/me/drive", query, top)


async def onedrive_read_file(
    graph: GraphClient,
    ctx: Context,
    item_id: ItemId = None,
    path: Annotated[OptionalText, Field(description="File path from the drive root")] = None,
    drive_id: DriveId = None,
    max_chars: Annotated[int, Field(ge=100, le=MAX_READ_CHARS)] = DEFAULT_READ_CHARS,
) -> FileContent:
    token = bearer_token(ctx)
    return await read_text(graph, token, item_path(drive_root(drive_id), item_id, path), max_chars)


async def onedrive_share_file(
    graph: GraphClient,
    ctx: Context,
    recipients: Annotated[AddressList, Field(description="Email addresses of people or groups")],
    item_id: ItemId = None,
    path: Annotated[OptionalText, Field(description="Item path from the drive root")] = None,
    drive_id: DriveId = None,
    role: Annotated[Literal["read", "write"], Field(description="'read' to view, 'write' to edit")] = "read",
    message: Annotated[OptionalNote, Field(description="Note included in the invitation")] = None,
) -> ShareResult:
    token = bearer_token(ctx)
    target = item_path(drive_root(drive_id), item_id, path)
    item = drive_item(await graph.get_json(target, token=token, params={"$select": ITEM_SELECT}))
    invite: dict[str, object] = {
        "recipients": [{"email": address} for address in recipients],
        "requireSignIn": True,
        "sendInvitation": True,
        "roles": [role],
    }
    if message:
        invite["message"] = message
    answer = await graph.post_json(f"{target}/invite", token=token, body=invite)
    link = None
    for permission in answer.get("value") or []:
        web_url = ((permission or {}).get("link") or {}).get("webUrl")
        if isinstance(web_url, str) and web_url:
            link = web_url
            break
    return ShareResult(
        status="shared", file_name=item.name, web_url=item.web_url, recipients=recipients, role=role, link=link
    )


TOOLS = (
    ToolSpec(
        onedrive_list_files,
        "List OneDrive files",
        "List the files and folders in a folder of the user's OneDrive: the root by default, or the folder "
        "given by `folder_id` or by `path` (e.g. 'Documents/Proposals'). Returns {\"files\": [{"
        + FILE_FIELDS + "}], \"count\", \"has_more\"}. Folders have is_folder=true; pass their id as "
        "folder_id to go deeper.",
        READ_ONLY,
    ),
    ToolSpec(
        onedrive_recent_files,
        "Recent OneDrive files",
        "The files the user worked on most recently, across the whole OneDrive (not one folder), newest "
        "change first; folders are left out. Returns {\"files\": [{" + FILE_FIELDS + "}], \"count\", "
        "\"has_more\"}.",
        READ_ONLY,
    ),
    ToolSpec(
        onedrive_search_files,
        "Search OneDrive",
        "Search the user's OneDrive for files and folders whose name or content matches `query`. Returns "
        "{\"files\": [{" + FILE_FIELDS + "}], \"count\", \"has_more\"}. To read a text file's content call "
        "onedrive_read_file with its id.",
        READ_ONLY,
    ),
    ToolSpec(
        onedrive_read_file,
        "Read a text file",
        "Return the text content of a text file (txt, md, csv, json, xml, html, ...) from OneDrive, or from a "
        "SharePoint library when `drive_id` is given, by `item_id` or by `path`. At most `max_chars` "
        "characters are returned; truncated=true means the file is longer. Returns {\"file\": {...}, "
        "\"content\", \"truncated\", \"content_kind\": \"text\"}. Office documents, PDFs and images are not text "
        "files: the tool answers with an error saying so, and the file's web_url opens it.",
        READ_ONLY,
    ),
    ToolSpec(
        onedrive_share_file,
        "Share a file",
        "Give people access to a OneDrive file or folder (or a SharePoint one, with `drive_id`) and email them "
        "an invitation with an optional `message`. `role` is 'read' (view) or 'write' (edit). Recipients must "
        "sign in to open it. Call only after the user confirmed who gets access. Returns {\"status\": "
        "\"shared\", \"file_name\", \"web_url\", \"recipients\", \"role\", \"link\"}.",
        ADDITIVE,
    ),
)
