"""All Graph v1.0 routes."""

from __future__ import annotations

from starlette.routing import Route

from crm_app.sandbox.graph import calendar, directory, files, mail, search, sites, teams


def routes() -> list[Route]:
    return [
        *mail.routes(),
        *calendar.routes(),
        *files.routes(),
        *sites.routes(),
        *teams.routes(),
        *search.routes(),
        *directory.routes(),
    ]
