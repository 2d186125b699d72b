"""Drive (OneDrive and SharePoint document library) operations shared by the file tools."""

from __future__ import annotations

import codecs
from pathlib import PurePosixPath
from urllib.parse import quote

from crm_app.ms365_mcp.errors import ArgumentError, NotTextFile
from crm_app.ms365_mcp.graph import GraphClient, Page
from crm_app.ms365_mcp.html_text import html_to_text
from crm_app.ms365_mcp.mapping import drive_item
from crm_app.ms365_mcp.models import File, FileContent, FileList
from crm_app.graph_query.odata import odata_string

ITEM_SELECT = "id,name,size,folder,file,lastModifiedDateTime,lastModifiedBy,webUrl,parentReference"
DRIVE_PAGE_SIZE = 50
DRIVE_MAX_PAGES = 5
TEXT_MIME_TYPES = frozenset(
    {
        "application/json", "application/xml", "application/javascript", "application/x-javascript",
        "application/yaml", "application/x-yaml", "application/csv", "application/x-sh", "application/sql",
        "application/x-ndjson", "application/ld+json", "image/svg+xml",
    }
)
TEXT_EXTENSIONS = frozenset(
    {
        ".txt", ".md", ".markdown", ".csv", ".tsv", ".json", ".xml", ".yaml", ".yml", ".log", ".ini", ".cfg",
        ".conf", ".toml", ".html", ".htm", ".py", ".js", ".ts", ".sql", ".sh", ".vtt", ".srt", ".eml", ".rst",
        ".tex", ".css", ".svg", ".ics", ".vcf",
    }
)
HTML_EXTENSIONS = frozenset({".html", ".htm"})
BYTES_PER_CHAR = 4


def drive_root(drive_id: str | None) -> str:
    """The Graph path of a drive: the user's OneDrive, or the drive with `drive_id`."""
    return f"/drives/{quote(drive_id, safe='')}" if drive_id else "/me/drive"


def site_drive_root(site_id: str) -> str:
    """The Graph path of a SharePoint site's default document library."""
    return f"/sites/{quote(site_id, safe=',')}/drive"


def _addressed_item(root: str, item_id: str | None, path: str | None, id_field: str) -> str | None:
    """The Graph path of the item named by id or by path from the drive root; None for the root."""
    if item_id and path:
        raise ArgumentError("path", f"give either {id_field} or path, not both")
    if item_id:
        return f"{root}/items/{quote(item_id, safe='')}"
    clean = _clean_path(path)
    return f"{root}/root:/{quote(clean, safe='/')}:" if clean else None


def folder_children_path(root: str, folder_id: str | None, path: str | None) -> str:
    """The children of a folder named by id, by path from the drive root, or the root itself."""
    folder = _addressed_item(root, folder_id, path, "folder_id")
    return f"{folder or root + '/root'}/children"


def item_path(root: str, item_id: str | None, path: str | None) -> str:
    """A single drive item, by id or by path from the drive root."""
    item = _addressed_item(root, item_id, path, "item_id")
    if item is None:
        raise ArgumentError("item_id", "give the file's item_id (from a file listing) or its path")
    return item


def search_path(root: str, query: str) -> str:
    """The drive search function with `query` as an OData string literal."""
    return f"{root}/root/search(q={quote(odata_string(query), safe='')})"


def _clean_path(path: str | None) -> str:
    if not path:
        return ""
    parts = [p for p in path.strip().strip("/").split("/") if p]
    if any(p in {".", ".."} for p in parts):
        raise ArgumentError("path", "must not contain '.' or '..' segments")
    return "/".join(parts)


def file_list(page: Page) -> FileList:
    files = [drive_item(item) for item in page.items]
    return FileList(files=files, count=len(files), has_more=page.has_more)


async def list_children(graph: GraphClient, token: str, path: str, top: int) -> FileList:
    page = await graph.collect(
        path,
        token=token,
        params={"$select": ITEM_SELECT, "$top": str(min(top, DRIVE_PAGE_SIZE))},
        limit=top,
        max_pages=DRIVE_MAX_PAGES,
    )
    return file_list(page)


async def search_drive(graph: GraphClient, token: str, root: str, query: str, top: int) -> FileList:
    page = await graph.collect(
        search_path(root, query),
        token=token,
        params={"$select": ITEM_SELECT, "$top": str(min(top, DRIVE_PAGE_SIZE))},
        limit=top,
        max_pages=DRIVE_MAX_PAGES,
    )
    return file_list(page)


def _recent_item(item: dict[str, object]) -> dict[str, object]:
    """A /recent entry as a drive item: items from other drives arrive wrapped in `remoteItem`."""
    remote = item.get("remoteItem")
    if isinstance(remote, dict):
        return {**remote, **{k: v for k, v in item.items() if k != "remoteItem" and k not in remote}}
    return item


async def recent_files(graph: GraphClient, token: str, top: int) -> FileList:
    """The user's recently used files, newest change first; folders left out."""
    page = await graph.collect(
        "/me/drive/recent",
        token=token,
        params={"$top": str(min(top, DRIVE_PAGE_SIZE))},
        limit=top,
        max_pages=DRIVE_MAX_PAGES,
    )
    files = [f for f in (drive_item(_recent_item(item)) for item in page.items) if not f.is_folder]
    files.sort(key=lambda f: f.last_modified_at or "", reverse=True)
    return FileList(files=files[:top], count=min(len(files), top), has_more=page.has_more or len(files) > top)


def _is_text(file: File) -> bool:
    mime = (file.mime_type or "").split(";", 1)[0].strip().lower()
    if mime.startswith("text/") or mime in TEXT_MIME_TYPES:
        return True
    return PurePosixPath(file.name.lower()).suffix in TEXT_EXTENSIONS


async def read_text(graph: GraphClient, token: str, path: str, max_chars: int) -> FileContent:
    """A text file's content, at most `max_chars` characters; other files are refused."""
    meta = await graph.get_json(path, token=token, params={"$select": ITEM_SELECT})
    file = drive_item(meta)
    if file.is_folder:
        raise ArgumentError("item_id", f"'{file.name}' is a folder; list it with a file listing tool instead")
    if not _is_text(file):
        raise NotTextFile(
            f"'{file.name}' is not a text file ({file.mime_type or 'unknown type'}), so its content cannot be "
            f"returned as text. Open it in Microsoft 365 instead: {file.web_url or 'see the file listing'}."
        )
    byte_cap = max_chars * BYTES_PER_CHAR
    chunks: list[bytes] = []
    received = 0
    more_bytes = False
    async with graph.download(f"{path}/content", token=token) as response:
        charset = response.charset_encoding
        async for chunk in response.aiter_bytes():
            room = byte_cap - received
            if len(chunk) > room:
                chunks.append(chunk[:room])
                received += room
                more_bytes = True
                break
            chunks.append(chunk)
            received += len(chunk)
    raw = b"".join(chunks)
    if b"\x00" in raw[:8192]:
        raise NotTextFile(
            f"'{file.name}' holds binary data, not text, so its content cannot be returned as text. "
            f"Open it in Microsoft 365 instead: {file.web_url or 'see the file listing'}."
        )
    text = _decode(raw, charset, final=not more_bytes)
    if PurePosixPath(file.name.lower()).suffix in HTML_EXTENSIONS or (file.mime_type or "").startswith("text/html"):
        text = html_to_text(text)
    truncated = more_bytes or len(text) > max_chars
    return FileContent(file=file, content=text[:max_chars], truncated=truncated, content_kind="text")


def _decode(raw: bytes, charset: str | None, *, final: bool) -> str:
    encoding = charset or "utf-8-sig"
    try:
        decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    except LookupError:
        decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="replace")
    return decoder.decode(raw, final=final)
