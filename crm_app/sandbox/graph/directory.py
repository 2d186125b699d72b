"""The directory: /me, users, groups (with Graph's advanced-query rules) and /me/people."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from crm_app.sandbox.data.tenant import Group, Tenant, User
from crm_app.sandbox.errors import BadRequest, GraphError
from crm_app.sandbox.graph.http import (
    Caller,
    entity,
    list_response,
    options_for,
    requires,
    select_fields,
)
from crm_app.sandbox.odata.options import QueryOptions, parse_select, unquote_search
from crm_app.sandbox.odata.schema import GROUP, PERSON, USER, EntitySchema
from crm_app.sandbox.routing import get_routes

ME = ("User.Read", "User.ReadWrite", "User.ReadBasic.All", "User.Read.All", "Directory.Read.All")
USERS = ("User.ReadBasic.All", "User.Read.All", "Directory.Read.All")
GROUPS = ("GroupMember.Read.All", "Group.Read.All", "Directory.Read.All")
PEOPLE = ("People.Read", "People.Read.All")
DIRECTORY_DEFAULT_TOP = 100
DIRECTORY_MAX_TOP = 999
PEOPLE_DEFAULT_TOP = 10
CONSISTENCY_HEADER = "consistencylevel"
_CLAUSE = re.compile(r'"?(?P<prop>[A-Za-z]+):(?P<value>[^"]*)"?')
_JOIN = re.compile(r'\s+(AND|OR)\s+(?=(?:[^"]*"[^"]*")*[^"]*$)')
"""AND / OR between clauses: outside double quotes only (an even number of quotes follows)."""
_WORD = re.compile(r"[A-Za-z0-9]+")


def user_resource(user: User) -> dict[str, Any]:
    return {
        "businessPhones": [],
        "displayName": user.display_name,
        "givenName": user.given_name,
        "jobTitle": user.job_title,
        "mail": user.mail,
        "mobilePhone": None,
        "officeLocation": None,
        "preferredLanguage": "en-GB",
        "surname": user.surname,
        "userPrincipalName": user.mail,
        "id": user.id,
        "department": None,
    }


def group_resource(group: Group) -> dict[str, Any]:
    return {
        "id": group.id,
        "displayName": group.display_name,
        "description": f"{group.display_name} of the demo tenant",
        "mail": group.mail,
        "mailNickname": group.mail.split("@")[0],
        "mailEnabled": True,
        "securityEnabled": False,
        "groupTypes": ["Unified"],
        "visibility": "Private",
        "createdDateTime": None,
    }


def directory_search(options: QueryOptions, resources: list[dict[str, Any]],
                     schema: EntitySchema) -> list[dict[str, Any]]:
    """``$search="displayName:fin"`` (clauses joined by OR / AND), which needs ConsistencyLevel: eventual.

    AND / OR inside a quoted clause are words of its value, as in Graph: ``"displayName:a OR b"`` is one clause.
    """
    if options.search is None:
        return resources
    text = options.search.strip()
    if not (len(text) >= 2 and text[0] == '"' and text[-1] == '"'):
        raise BadRequest('Invalid $search value: wrap it in double quotes, e.g. $search="displayName:finance".',
                         code="Request_UnsupportedQuery")
    clauses = _JOIN.split(text)
    checks: list[Callable[[dict[str, Any]], bool]] = []
    joins: list[str] = []
    for index, clause in enumerate(clauses):
        if index % 2:
            joins.append(clause)
            continue
        match = _CLAUSE.fullmatch(unquote_search(clause))
        if not match or not schema.has(match.group("prop")):
            raise BadRequest(f'Invalid $search clause {clause}: use "property:value" with a property such as '
                             'displayName or mail.', code="Request_UnsupportedQuery")
        checks.append(_clause_check(match.group("prop"), match.group("value").lower()))

    def matches(resource: dict[str, Any]) -> bool:
        result = checks[0](resource)
        for join, check in zip(joins, checks[1:]):
            result = (result or check(resource)) if join == "OR" else (result and check(resource))
        return result

    return [r for r in resources if matches(r)]


def _clause_check(prop: str, value: str) -> Callable[[dict[str, Any]], bool]:
    """A directory ``"prop:value"`` clause: the value starts the property or one of its words."""

    def check(resource: dict[str, Any]) -> bool:
        text = resource.get(prop)
        return any(w.startswith(value) for w in _words(text)) or str(text or "").lower().startswith(value)

    return check


def _words(value: Any) -> list[str]:
    return [w.lower() for w in _WORD.findall(str(value or ""))]


def directory_list(request: Request, fragment: str, resources: list[dict[str, Any]], schema: EntitySchema) -> Response:
    options = options_for(request, schema, default_top=DIRECTORY_DEFAULT_TOP, max_top=DIRECTORY_MAX_TOP)
    eventual = request.headers.get(CONSISTENCY_HEADER, "").lower() == "eventual"
    if (options.search is not None or options.count) and not eventual:
        raise BadRequest("Request with $search or $count query parameter only works through MSGraph with a special "
                         "request header: 'ConsistencyLevel: eventual'.", code="Request_UnsupportedQuery")
    found = directory_search(options, resources, schema)
    return list_response(request, fragment, found, schema, options=options, use_skiptoken=True, search_applied=True)


def single(request: Request, fragment: str, resource: dict[str, Any], schema: EntitySchema) -> Response:
    select = parse_select(request.query_params["$select"], schema) if "$select" in request.query_params else None
    return entity(request, fragment, select_fields(resource, select))


def find_user(tenant: Tenant, key: str) -> User:
    user = tenant.user_by_id(key)
    if user is None:
        raise GraphError(404, "Request_ResourceNotFound",
                         f"Resource '{key}' does not exist or one of its queried reference-property objects are not "
                         "present.")
    return user


def find_group(tenant: Tenant, key: str) -> Group:
    lowered = key.lower()
    group = next((g for g in tenant.groups if g.id == lowered or g.mail.lower() == lowered), None)
    if group is None:
        raise GraphError(404, "Request_ResourceNotFound",
                         f"Resource '{key}' does not exist or one of its queried reference-property objects are not "
                         "present.")
    return group


@requires(*ME)
async def me(request: Request, caller: Caller) -> Response:
    """GET /me."""
    return single(request, "users/$entity", user_resource(caller.user), USER)


@requires(*USERS)
async def users(request: Request, caller: Caller) -> Response:
    """GET /users."""
    return directory_list(request, "users", [user_resource(u) for u in caller.sandbox.tenant.users], USER)


@requires(*USERS)
async def get_user(request: Request, caller: Caller) -> Response:
    """GET /users/{id | userPrincipalName}."""
    user = find_user(caller.sandbox.tenant, request.path_params["user_id"])
    return single(request, "users/$entity", user_resource(user), USER)


@requires(*GROUPS)
async def groups(request: Request, caller: Caller) -> Response:
    """GET /groups."""
    return directory_list(request, "groups", [group_resource(g) for g in caller.sandbox.tenant.groups], GROUP)


@requires(*GROUPS)
async def get_group(request: Request, caller: Caller) -> Response:
    """GET /groups/{id}."""
    return single(request, "groups/$entity", group_resource(find_group(caller.sandbox.tenant,
                                                                       request.path_params["group_id"])), GROUP)


@requires(*GROUPS)
async def group_members(request: Request, caller: Caller) -> Response:
    """GET /groups/{id}/members."""
    tenant = caller.sandbox.tenant
    group = find_group(tenant, request.path_params["group_id"])
    members = [user_resource(u) | {"@odata.type": "#microsoft.graph.user"}
               for u in (tenant.user_by_mail(m) for m in group.members) if u is not None]
    return directory_list(request, "directoryObjects", members, USER)


def people_of(caller: Caller) -> list[dict[str, Any]]:
    tenant = caller.sandbox.tenant
    persons: list[dict[str, Any]] = []

    def person(pid: str, name: str, address: str, kind: str, subclass: str, score: float, **extra: Any) -> None:
        given, _, surname = name.partition(" ")
        persons.append({
            "id": pid, "displayName": name, "givenName": given if kind == "Person" else None,
            "surname": surname if kind == "Person" else None, "birthday": "", "personNotes": "",
            "isFavorite": False, "jobTitle": extra.get("title"), "companyName": extra.get("company"),
            "yomiCompany": "", "department": None, "officeLocation": None, "profession": "",
            "userPrincipalName": extra.get("upn"), "imAddress": None,
            "scoredEmailAddresses": [{"address": address, "relevanceScore": score,
                                      "selectionLikelihood": "notSpecified"}],
            "phones": [{"type": "business", "number": extra["phone"]}] if extra.get("phone") else [],
            "personType": {"class": kind, "subclass": subclass},
        })

    for user in tenant.users:
        if user.id != caller.user.id:
            person(user.id, user.display_name, user.mail, "Person", "OrganizationUser", 10.0, title=user.job_title,
                   company=tenant.name.split(" (")[0], upn=user.mail)
    for group in tenant.groups:
        person(group.id, group.display_name, group.mail, "Group", "UnifiedGroup", 8.0)
    for index, contact in enumerate(tenant.contacts):
        person(f"{tenant.id[:8]}-contact-{index:04d}", contact.name, contact.emails[0], "Person",
               "ImplicitContact", 6.0, title=contact.title, company=contact.company, phone=contact.phone)
    return persons


@requires(*PEOPLE)
async def people(request: Request, caller: Caller) -> Response:
    """GET /me/people (``$search`` matches the start of any word of the name or address)."""
    options = options_for(request, PERSON, default_top=PEOPLE_DEFAULT_TOP, max_top=DIRECTORY_MAX_TOP)
    found = people_of(caller)
    if options.search is not None:
        words = _words(unquote_search(options.search))
        found = [p for p in found if all(
            any(w.startswith(word) for w in _words(p["displayName"]) + _words(p["scoredEmailAddresses"][0]["address"]))
            for word in words)]
    return list_response(request, f"users('{caller.user.id}')/people", found, PERSON, options=options,
                         search_applied=True)


def routes() -> list[Route]:
    return get_routes(
        ("/v1.0/me", me),
        ("/v1.0/me/people", people),
        ("/v1.0/users", users),
        ("/v1.0/users/{user_id}", get_user),
        ("/v1.0/groups", groups),
        ("/v1.0/groups/{group_id}", get_group),
        ("/v1.0/groups/{group_id}/members", group_members),
    )
