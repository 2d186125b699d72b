"""SharePoint sites and their document libraries."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from crm_app.sandbox.graph.files import SHARED_READ, SHARED_WRITE, drive_routes
from crm_app.sandbox.graph.http import (
    Caller,
    collection,
    entity,
    list_response,
    requires,
    select_fields,
)
from crm_app.sandbox.odata.options import parse_select
from crm_app.sandbox.odata.schema import SITE
from crm_app.sandbox.routing import get_routes
from crm_app.sandbox.store.drive import Drive
from crm_app.sandbox.store.sites import Site

READ = ("Sites.Read.All", "Sites.ReadWrite.All")
ROOT_SITE = "Intranet"


def site_of(request: Request, caller: Caller) -> Site:
    key = request.path_params["site_id"]
    return caller.sandbox.state.site(ROOT_SITE if key == "root" else key)


def site_drive(request: Request, caller: Caller) -> Drive:
    return site_of(request, caller).drive


def site_response(request: Request, site: Site) -> Response:
    select = parse_select(request.query_params["$select"], SITE) if "$select" in request.query_params else None
    return entity(request, "sites/$entity", select_fields(site.data, select))


@requires(*READ)
async def list_sites(request: Request, caller: Caller) -> Response:
    """GET /sites?search=..."""
    query = (request.query_params.get("search") or "").strip().lower()
    sites = caller.sandbox.state.data.sites
    if query and query != "*":
        words = query.split()
        sites = [s for s in sites if all(
            word in f"{s.data['name']} {s.data['displayName']} {s.data['description']}".lower() for word in words)]
    extra = [("search", request.query_params["search"])] if "search" in request.query_params else []
    return list_response(request, "sites", sites, SITE, read=lambda s: s.data, use_skiptoken=True,
                         extra_params=extra, allowed=frozenset({"$select", "$top", "$skiptoken", "$filter"}))


@requires(*READ)
async def get_site(request: Request, caller: Caller) -> Response:
    """GET /sites/{site-id} (also ``root``)."""
    return site_response(request, site_of(request, caller))


@requires(*READ)
async def site_by_path(request: Request, caller: Caller) -> Response:
    """GET /sites/{hostname}:/sites/{name}."""
    name = request.path_params["name"].rstrip(":")
    return site_response(request, caller.sandbox.state.site(name))


@requires(*(READ + SHARED_READ))
async def site_drives(request: Request, caller: Caller) -> Response:
    """GET /sites/{site-id}/drives."""
    site = site_of(request, caller)
    return collection(request, f"sites('{site.id}')/drives", [site.drive.resource()])


def routes() -> list[Route]:
    return [
        *get_routes(
            ("/v1.0/sites", list_sites),
            ("/v1.0/sites/{hostname}:/sites/{name}", site_by_path),
            ("/v1.0/sites/{site_id}", get_site),
            ("/v1.0/sites/{site_id}/drives", site_drives),
        ),
        *drive_routes("/v1.0/sites/{site_id}/drive", site_drive, SHARED_READ, SHARED_WRITE, False),
    ]
