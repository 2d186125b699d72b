"""OneDrive and document libraries: items, children, path addressing, search, recent, content, sharing."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from crm_app.sandbox import downloads, mail_service
from crm_app.sandbox.data.office import mime_type
from crm_app.sandbox.data.tenant import Person
from crm_app.sandbox.errors import BadRequest, GraphError, NotFound
from crm_app.sandbox.graph.http import (
    Caller,
    base_url,
    collection,
    entity,
    json_body,
    list_response,
    requires,
    select_fields,
    target_user,
)
from crm_app.sandbox.odata.options import parse_select
from crm_app.sandbox.odata.schema import DRIVE_ITEM
from crm_app.sandbox.store.drive import Drive, DriveRecord, identity

OWN_READ = ("Files.Read", "Files.Read.All", "Files.ReadWrite", "Files.ReadWrite.All", "Sites.Read.All",
            "Sites.ReadWrite.All")
OWN_WRITE = ("Files.ReadWrite", "Files.ReadWrite.All", "Sites.ReadWrite.All")
SHARED_READ = ("Files.Read.All", "Files.ReadWrite.All", "Sites.Read.All", "Sites.ReadWrite.All")
SHARED_WRITE = ("Files.ReadWrite.All", "Sites.ReadWrite.All")
DEFAULT_PAGE = 200
ROLES = frozenset({"read", "write"})
DriveResolver = Callable[[Request, Caller], Drive]


def own_drive(request: Request, caller: Caller) -> Drive:
    return caller.sandbox.state.drive(target_user(request, caller))


def drive_by_id(request: Request, caller: Caller) -> Drive:
    wanted = request.path_params["drive_id"]
    state = caller.sandbox.state
    own = state.drive(caller.user)
    if wanted == own.id:
        return own
    for site in state.data.sites:
        if site.drive.id == wanted:
            return site.drive
    raise NotFound("The drive was not found, or it belongs to another user.", code="itemNotFound")


def render_item(request: Request, caller: Caller, drive: Drive, record: DriveRecord,
                select: tuple[str, ...] | None = None) -> dict[str, Any]:
    data = dict(record.data)
    if not record.is_folder:
        data["@microsoft.graph.downloadUrl"] = downloads.make_link(base_url(request), caller.sandbox.download_secret,
                                                                   drive.id, record.id)
    if record.permissions:
        data["shared"] = {"scope": "users", "owner": drive.owner}
    return select_fields(data, select)


def list_items(request: Request, caller: Caller, drive: Drive, records: list[DriveRecord], path: str) -> Response:
    return list_response(
        request, f"drives('{drive.id}')/{path}", records, DRIVE_ITEM, read=lambda r: r.data,
        render=lambda r, o: render_item(request, caller, drive, r, o.select), use_skiptoken=True,
        default_top=DEFAULT_PAGE,
    )


def item_response(request: Request, caller: Caller, drive: Drive, record: DriveRecord, status: int = 200) -> Response:
    select = parse_select(request.query_params["$select"], DRIVE_ITEM) if "$select" in request.query_params else None
    return entity(request, f"drives('{drive.id}')/items/$entity",
                  render_item(request, caller, drive, record, select), status)


def content_redirect(request: Request, caller: Caller, drive: Drive, record: DriveRecord) -> Response:
    if record.is_folder:
        raise BadRequest("A folder has no content; list its children instead.", code="invalidRequest")
    link = downloads.make_link(base_url(request), caller.sandbox.download_secret, drive.id, record.id)
    return RedirectResponse(link, status_code=302)


def resolve_path(drive: Drive, start: DriveRecord, path: str) -> DriveRecord:
    """The item at ``path`` (``Documents/Q4 Report 2026.docx``) below ``start``."""
    current = start
    for name in [part for part in path.split("/") if part]:
        if not current.is_folder:
            raise NotFound(f"'{name}' cannot be below a file.", code="itemNotFound")
        match = next((child for child in drive.children(current) if child.name.lower() == name.lower()), None)
        if match is None:
            raise NotFound(f"The resource could not be found: there is no item named '{name}' in "
                           f"'{current.name}'.", code="itemNotFound")
        current = match
    return current


def split_path_address(rest: str) -> tuple[str, str]:
    """``Documents/a.txt:/content`` -> (``Documents/a.txt``, ``content``); ``Documents:`` -> (``Documents``, ``""``)."""
    if ":/" in rest:
        path, _, action = rest.partition(":/")
        return path, action.strip("/")
    return rest.rstrip(":"), ""


def parse_search_query(raw: str) -> str:
    text = raw.strip()
    if len(text) >= 2 and text[0] == "'" and text[-1] == "'":
        return text[1:-1].replace("''", "'")
    raise BadRequest("Write the search as search(q='text'), with the text in single quotes.", code="invalidRequest")


async def upload(request: Request, caller: Caller, drive: Drive, parent: DriveRecord, name: str) -> Response:
    if not parent.is_folder:
        raise BadRequest("Files can only be uploaded into a folder.", code="invalidRequest")
    if not name or "/" in name:
        raise BadRequest("Give the new file a name: PUT .../{parent}:/{file name}:/content.", code="invalidRequest")
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest("The sandbox stores text files only; send UTF-8 content.", code="invalidRequest") from exc
    now = caller.sandbox.state.now()
    author = identity(caller.user.display_name, caller.user.mail, caller.user.id)
    existing = next((c for c in drive.children(parent) if c.name.lower() == name.lower()), None)
    if existing is not None and existing.is_folder:
        raise GraphError(409, "nameAlreadyExists", f"A folder named '{name}' already exists here.")
    if existing is not None:
        return item_response(request, caller, drive, drive.update_file(existing, text, now, author))
    return item_response(request, caller, drive, drive.add_file(parent, name, text, now, now, author), 201)


def invite(request_body: dict[str, Any], caller: Caller, drive: Drive, record: DriveRecord) -> list[dict[str, Any]]:
    recipients = request_body.get("recipients")
    if not isinstance(recipients, list) or not recipients:
        raise BadRequest("'recipients' must list at least one {\"email\": \"name@example.com\"}.",
                         code="invalidRequest")
    roles = request_body.get("roles") or ["read"]
    if not isinstance(roles, list) or not set(roles) <= ROLES:
        raise BadRequest("'roles' must be [\"read\"] or [\"write\"].", code="invalidRequest")
    send = request_body.get("sendInvitation", True)
    message = request_body.get("message") or ""
    permissions = []
    for entry in recipients:
        email = entry.get("email") if isinstance(entry, dict) else None
        if not isinstance(email, str) or not mail_service.ADDRESS.match(email):
            raise BadRequest(f"Invalid recipient {entry!r}: each needs an 'email'.", code="invalidRequest")
        user = caller.sandbox.tenant.user_by_mail(email)
        permission: dict[str, Any] = {"id": secrets.token_hex(16), "roles": list(roles)}
        if user is not None:
            grantee = {"user": {"displayName": user.display_name, "email": user.mail, "id": user.id}}
            permission["grantedTo"] = grantee
            permission["grantedToV2"] = grantee
        else:
            permission["invitation"] = {"email": email, "signInRequired": bool(request_body.get("requireSignIn", True))}
            permission["grantedToV2"] = {"siteUser": {"displayName": email, "email": email, "loginName": email}}
        record.permissions.append(permission)
        permissions.append(permission)
        if send:
            body = (f"{caller.user.display_name} shared '{record.name}' with you.\n\n{message}\n\n"
                    f"Open: {record.data['webUrl']}")
            mail_service.send(caller.sandbox, caller.user, mail_service.Composition(
                subject=f"{caller.user.display_name} shared \"{record.name}\" with you", body=body,
                content_type="text", to=[Person(email, email)]), save=False)
    return permissions


# The drive API's handlers: each answers for the drive its route resolved.
async def _get_drive(request: Request, caller: Caller, drive: Drive) -> Response:
    return entity(request, "drives/$entity", drive.resource())


async def _get_root(request: Request, caller: Caller, drive: Drive) -> Response:
    return item_response(request, caller, drive, drive.root)


async def _root_children(request: Request, caller: Caller, drive: Drive) -> Response:
    return list_items(request, caller, drive, drive.children(drive.root), "root/children")


async def _get_item(request: Request, caller: Caller, drive: Drive) -> Response:
    return item_response(request, caller, drive, drive.item(request.path_params["item_id"]))


async def _item_children(request: Request, caller: Caller, drive: Drive) -> Response:
    record = drive.item(request.path_params["item_id"])
    if not record.is_folder:
        raise BadRequest("A file has no children; only folders do.", code="invalidRequest")
    return list_items(request, caller, drive, drive.children(record), f"items('{record.id}')/children")


async def _item_content(request: Request, caller: Caller, drive: Drive) -> Response:
    return content_redirect(request, caller, drive, drive.item(request.path_params["item_id"]))


async def _search(request: Request, caller: Caller, drive: Drive) -> Response:
    query = parse_search_query(request.path_params["query"])
    return list_items(request, caller, drive, drive.search(query), "search")


async def _recent(request: Request, caller: Caller, drive: Drive) -> Response:
    return list_items(request, caller, drive, drive.recent(), "recent")


async def _permissions(request: Request, caller: Caller, drive: Drive) -> Response:
    record = drive.item(request.path_params["item_id"])
    return collection(request, f"drives('{drive.id}')/items('{record.id}')/permissions", record.permissions)


async def _share(request: Request, caller: Caller, drive: Drive) -> Response:
    record = drive.item(request.path_params["item_id"])
    granted = invite(await json_body(request), caller, drive, record)
    return collection(request, "Collection(permission)", granted)


async def _by_path(request: Request, caller: Caller, drive: Drive, base: DriveRecord) -> Response:
    """An item addressed by path below ``base`` (``…:/{path}:/{action}``): read it, list it, fetch or upload content."""
    path, action = split_path_address(request.path_params["rest"])
    if request.method == "PUT":
        if action != "content":
            raise BadRequest("Upload with PUT .../{parent}:/{file name}:/content.", code="invalidRequest")
        parent_path, _, name = path.rstrip("/").rpartition("/")
        return await upload(request, caller, drive, resolve_path(drive, base, parent_path), name)
    record = resolve_path(drive, base, path)
    if action == "":
        return item_response(request, caller, drive, record)
    if action == "children":
        return list_items(request, caller, drive, drive.children(record), f"items('{record.id}')/children")
    if action == "content":
        return content_redirect(request, caller, drive, record)
    raise BadRequest(f"'{action}' is not supported after a path address.", code="invalidRequest")


async def _below_root(request: Request, caller: Caller, drive: Drive) -> Response:
    return await _by_path(request, caller, drive, drive.root)


async def _below_item(request: Request, caller: Caller, drive: Drive) -> Response:
    return await _by_path(request, caller, drive, drive.item(request.path_params["item_id"]))


DriveHandler = Callable[[Request, Caller, Drive], Awaitable[Response]]

# (path below the drive, handler, method, whether it writes)
DRIVE_API: tuple[tuple[str, DriveHandler, str, bool], ...] = (
    ("/root:/{rest:path}", _below_root, "GET", False),
    ("/root:/{rest:path}", _below_root, "PUT", True),
    ("/items/{item_id}:/{rest:path}", _below_item, "GET", False),
    ("/items/{item_id}:/{rest:path}", _below_item, "PUT", True),
    ("", _get_drive, "GET", False),
    ("/root", _get_root, "GET", False),
    ("/root/children", _root_children, "GET", False),
    ("/root/search(q={query})", _search, "GET", False),
    ("/search(q={query})", _search, "GET", False),
    ("/items/{item_id}", _get_item, "GET", False),
    ("/items/{item_id}/children", _item_children, "GET", False),
    ("/items/{item_id}/content", _item_content, "GET", False),
    ("/items/{item_id}/permissions", _permissions, "GET", False),
    ("/items/{item_id}/invite", _share, "POST", True),
)
RECENT = ("/recent", _recent, "GET", False)


def _on_drive(resolver: DriveResolver, scopes: tuple[str, ...], handle: DriveHandler) -> Any:
    @requires(*scopes)
    async def handler(request: Request, caller: Caller) -> Response:
        return await handle(request, caller, resolver(request, caller))

    return handler


def drive_routes(prefix: str, resolver: DriveResolver, read: tuple[str, ...], write: tuple[str, ...],
                 with_recent: bool) -> list[Route]:
    """The drive API below ``prefix`` (``/v1.0/me/drive``, ``/v1.0/drives/{drive_id}``, a site's drive)."""
    table = (*DRIVE_API, RECENT) if with_recent else DRIVE_API
    return [Route(prefix + path, _on_drive(resolver, write if writes else read, handle), methods=[method])
            for path, handle, method, writes in table]


async def download(request: Request) -> Response:
    """GET /_download/{token}: the bytes of a file, without Authorization, while the link is valid."""
    sandbox = request.app.state.sandbox
    found = downloads.read_link(request.path_params["token"], sandbox.download_secret)
    located = None
    if found is not None:
        drive_id, item_id = found
        drives = [*sandbox.state.data.drives.values(), *(site.drive for site in sandbox.state.data.sites)]
        drive = next((d for d in drives if d.id == drive_id), None)
        located = drive.items.get(item_id) if drive else None
    if located is None:
        return Response("This download link is invalid or has expired. Get a fresh one from the item's "
                        "@microsoft.graph.downloadUrl.", status_code=404, media_type="text/plain")
    return Response(located.content, media_type=mime_type(located.name),
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(located.name, safe='')}",
                             "X-Content-Type-Options": "nosniff"})


@requires(*OWN_READ)
async def my_drives(request: Request, caller: Caller) -> Response:
    """GET /me/drives (or /users/{id}/drives): the drives the user owns — their OneDrive."""
    drive = own_drive(request, caller)
    return collection(request, "Collection(drive)", [drive.resource()])


def routes() -> list[Route]:
    return [
        Route("/v1.0/me/drives", my_drives, methods=["GET"]),
        Route("/v1.0/users/{user_id}/drives", my_drives, methods=["GET"]),
        *drive_routes("/v1.0/me/drive", own_drive, OWN_READ, OWN_WRITE, True),
        *drive_routes("/v1.0/users/{user_id}/drive", own_drive, OWN_READ, OWN_WRITE, True),
        *drive_routes("/v1.0/drives/{drive_id}", drive_by_id, SHARED_READ + ("Files.Read", "Files.ReadWrite"),
                      SHARED_WRITE + ("Files.ReadWrite",), False),
        Route(downloads.DOWNLOAD_PATH + "{token}", download, methods=["GET"]),
    ]
