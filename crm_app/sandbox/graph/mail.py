"""Outlook mail: messages, folders, drafts, send, reply/forward, attachments."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from crm_app.sandbox import mail_service
from crm_app.sandbox.data.tenant import User
from crm_app.sandbox.errors import BadRequest, GraphError
from crm_app.sandbox.graph.http import (
    Caller,
    action_parameters,
    base_url,
    collection,
    entity,
    json_body,
    list_response,
    options_for,
    preferences,
    requires,
    select_fields,
    target_user,
)
from crm_app.sandbox.odata.compiler import compile_filter, simple_comparisons
from crm_app.sandbox.odata.kql import compile_search, parse_search
from crm_app.sandbox.odata.options import (
    QueryOptions,
    build_next_link,
    ensure_search_alone,
    ensure_sort_follows_filter,
    unquote_search,
)
from crm_app.sandbox.odata.schema import MAIL_FOLDER, MESSAGE
from crm_app.sandbox.store.mailbox import MESSAGE_SEARCH_FIELDS, Mailbox, MailFolder
from crm_app.sandbox.store.messages import StoredMessage
from crm_app.sandbox.text import preview

READ = ("Mail.ReadBasic", "Mail.Read", "Mail.ReadWrite")
READ_BODY = frozenset({"Mail.Read", "Mail.ReadWrite"})
WRITE = ("Mail.ReadWrite",)
SEND = ("Mail.Send",)
BODY_TYPE_PREFERENCE = "outlook.body-content-type"
BODY_FIELDS = ("body", "uniqueBody", "bodyPreview")
PATCHABLE = frozenset({"isRead", "categories", "importance", "flag", "inferenceClassification"})
DRAFT_PATCHABLE = frozenset({"subject", "body", "toRecipients", "ccRecipients", "bccRecipients"})
FLAG_STATUSES = frozenset({"notFlagged", "flagged", "complete"})


def mailbox_of(request: Request, caller: Caller) -> Mailbox:
    return caller.sandbox.state.mailbox(target_user(request, caller))


def body_preference(request: Request) -> tuple[str | None, dict[str, str]]:
    value = preferences(request).get(BODY_TYPE_PREFERENCE, "").lower()
    if value in ("text", "html"):
        return value, {"Preference-Applied": f'{BODY_TYPE_PREFERENCE}="{value}"'}
    return None, {}


def render(message: StoredMessage, select: tuple[str, ...] | None, body_type: str | None,
           full: bool, expand: tuple[str, ...] = ()) -> dict[str, Any]:
    out = select_fields(message.data, select)
    if "body" in out:
        out["body"] = message.body_as(body_type)
    if select and "uniqueBody" in select:
        out["uniqueBody"] = message.body_as(body_type)
    if "attachments" in expand:
        out["attachments"] = [a.to_graph() for a in message.attachments]
    if not full:
        for name in BODY_FIELDS:
            out.pop(name, None)
    return out


def fragment(user: User, path: str, options: QueryOptions | None = None) -> str:
    selected = f"({options.select_text})" if options is not None and options.select_text else ""
    return f"users('{user.id}')/{path}{selected}"


def list_messages(request: Request, caller: Caller, folder: MailFolder | None) -> Response:
    user = target_user(request, caller)
    mailbox = caller.sandbox.state.mailbox(user)
    options = options_for(request, MESSAGE)
    ensure_search_alone(options)
    ensure_sort_follows_filter(options)
    body_type, headers = body_preference(request)
    folder_id = folder.id if folder else None
    total: int | None
    if options.search is not None:
        matcher = compile_search(parse_search(unquote_search(options.search)), MESSAGE_SEARCH_FIELDS)
        found = mailbox.search(folder_id, matcher)
        items, total = found[options.skip : options.skip + options.top], len(found)
        more = options.skip + options.top < total
    else:
        predicate = compile_filter(options.filter, MESSAGE) if options.filter is not None else None
        comparisons = simple_comparisons(options.filter) if options.filter is not None else []
        result = mailbox.query(folder_id, predicate, comparisons, options.orderby, options.skip, options.top,
                               options.count)
        items, total, more = result.items, result.total, result.more
    full = bool(caller.scopes & READ_BODY)
    values = [render(m, options.select, body_type, full) for m in items]
    next_link = None
    if more:
        next_link = build_next_link(f"{base_url(request)}{request.url.path}", options, options.skip + options.top,
                                    use_skiptoken=options.search is not None)
    path = f"mailFolders('{folder.id}')/messages" if folder else "messages"
    return collection(request, fragment(user, path, options), values, next_link=next_link,
                      count=total if options.count else None, headers=headers)


@requires(*READ)
async def messages(request: Request, caller: Caller) -> Response:
    """GET /me/messages."""
    return list_messages(request, caller, None)


@requires(*READ)
async def folder_messages(request: Request, caller: Caller) -> Response:
    """GET /me/mailFolders/{id}/messages."""
    return list_messages(request, caller, mailbox_of(request, caller).folder(request.path_params["folder_id"]))


def message_response(request: Request, caller: Caller, message: StoredMessage, status: int = 200) -> JSONResponse:
    options = options_for(request, MESSAGE) if status == 200 else QueryOptions()
    body_type, headers = body_preference(request)
    unknown = [name for name in options.expand if name != "attachments"]
    if unknown:
        raise BadRequest(f"Cannot $expand '{unknown[0]}' on a message; only attachments can be expanded.")
    data = render(message, options.select, body_type, bool(caller.scopes & READ_BODY), options.expand)
    return entity(request, fragment(target_user(request, caller), "messages/$entity"), data, status, headers)


@requires(*READ)
async def get_message(request: Request, caller: Caller) -> Response:
    """GET /me/messages/{id}."""
    message = mailbox_of(request, caller).message(request.path_params["message_id"])
    return message_response(request, caller, message)


@requires(*WRITE)
async def update_message(request: Request, caller: Caller) -> Response:
    """PATCH /me/messages/{id}: read state, flag, categories, importance; drafts also content."""
    mailbox = mailbox_of(request, caller)
    message = mailbox.message(request.path_params["message_id"])
    body = await json_body(request)
    data = message.data
    for key in body:
        if key in DRAFT_PATCHABLE and not data["isDraft"]:
            raise BadRequest(f"Property '{key}' cannot be updated after the message has been sent; only drafts "
                             "can change their content.", code="ErrorInvalidPropertyUpdateSentMessage")
        if key not in PATCHABLE and key not in DRAFT_PATCHABLE:
            raise BadRequest(f"Property '{key}' is read-only or does not exist on a message.")
    if "isRead" in body:
        if not isinstance(body["isRead"], bool):
            raise BadRequest("'isRead' must be true or false.")
        mailbox.set_read(message, body["isRead"])
    if "flag" in body:
        status = body["flag"].get("flagStatus") if isinstance(body["flag"], dict) else None
        if status not in FLAG_STATUSES:
            raise BadRequest("'flag.flagStatus' must be notFlagged, flagged or complete.")
        data["flag"] = {"flagStatus": status}
    if "inferenceClassification" in body:
        if body["inferenceClassification"] not in ("focused", "other"):
            raise BadRequest("'inferenceClassification' must be focused or other.")
        data["inferenceClassification"] = body["inferenceClassification"]
    content_keys = {"subject", "body", "toRecipients", "ccRecipients", "bccRecipients", "importance", "categories"}
    if content_keys & set(body):
        composition = mail_service.parse_composition({k: v for k, v in body.items() if k in content_keys},
                                                     base=mail_service.composition_of(message))
        data["subject"] = composition.subject
        data["body"] = {"contentType": composition.content_type, "content": composition.body}
        data["importance"] = composition.importance
        data["categories"] = composition.categories
        for key, people in (("toRecipients", composition.to), ("ccRecipients", composition.cc),
                            ("bccRecipients", composition.bcc)):
            data[key] = [person.recipient() for person in people]
        message.text = composition.text
        data["bodyPreview"] = preview(message.text)
    message.touch(caller.sandbox.state.ids, caller.sandbox.state.now())
    return message_response(request, caller, message)


@requires(*WRITE)
async def delete_message(request: Request, caller: Caller) -> Response:
    """DELETE /me/messages/{id}: to Deleted Items, or gone if it is already there."""
    mailbox = mailbox_of(request, caller)
    message = mailbox.message(request.path_params["message_id"])
    if message.folder_id == mailbox.folder("deleteditems").id:
        mailbox.remove(message)
    else:
        mailbox.move(message, "deleteditems")
    return Response(status_code=204)


@requires(*WRITE)
async def move_message(request: Request, caller: Caller) -> Response:
    """POST /me/messages/{id}/move {"destinationId": ...}."""
    mailbox = mailbox_of(request, caller)
    message = mailbox.message(request.path_params["message_id"])
    body = action_parameters(await json_body(request))
    destination = body.get("destinationid")
    if not isinstance(destination, str):
        raise BadRequest("'destinationId' is required: a folder id or well-known name such as archive.")
    mailbox.move(message, destination)
    message.touch(caller.sandbox.state.ids, caller.sandbox.state.now())
    return message_response(request, caller, message, 201)


@requires(*WRITE)
async def create_draft(request: Request, caller: Caller) -> Response:
    """POST /me/messages: a draft in Drafts."""
    user = target_user(request, caller)
    composition = mail_service.parse_composition(await json_body(request))
    draft = mail_service.store_message(caller.sandbox, user, composition, folder="drafts", sender=user.person,
                                       when=caller.sandbox.state.now(), is_read=True, is_draft=True)
    return message_response(request, caller, draft, 201)


@requires(*SEND)
async def send_mail(request: Request, caller: Caller) -> Response:
    """POST /me/sendMail {"message": {...}, "saveToSentItems": true}."""
    body = action_parameters(await json_body(request))
    if "message" not in body:
        raise BadRequest("The request body needs a 'message' object (subject, body, toRecipients).")
    save = body.get("savetosentitems", True)
    if not isinstance(save, bool):
        raise BadRequest("'saveToSentItems' must be true or false.")
    composition = mail_service.parse_composition(body["message"])
    mail_service.send(caller.sandbox, target_user(request, caller), composition, save=save)
    return Response(status_code=202)


@requires(*SEND)
async def send_draft(request: Request, caller: Caller) -> Response:
    """POST /me/messages/{id}/send."""
    user = target_user(request, caller)
    draft = caller.sandbox.state.mailbox(user).message(request.path_params["message_id"])
    if not draft.data["isDraft"]:
        raise BadRequest("Only a draft can be sent; this message was already sent or received.",
                         code="ErrorInvalidOperation")
    mail_service.send(caller.sandbox, user, mail_service.composition_of(draft),
                      conversation_id=draft.data["conversationId"], draft=draft)
    return Response(status_code=202)


async def respond(request: Request, caller: Caller, kind: str, create: bool) -> Response:
    user = target_user(request, caller)
    mailbox = caller.sandbox.state.mailbox(user)
    original = mailbox.message(request.path_params["message_id"])
    raw = await request.body()
    body = action_parameters(await json_body(request)) if raw.strip() else {}
    comment = body.get("comment", "")
    if not isinstance(comment, str):
        raise BadRequest("'comment' must be a string.")
    overrides = mail_service.parse_composition(body["message"]) if "message" in body else None
    if kind == "forward" and "torecipients" in body:
        overrides = overrides or mail_service.Composition()
        overrides.to = mail_service.parse_recipients(body["torecipients"], "toRecipients")
    composition = mail_service.response_composition(original, user, kind, comment, overrides)
    conversation = original.data["conversationId"]
    if create:
        draft = mail_service.store_message(caller.sandbox, user, composition, folder="drafts", sender=user.person,
                                           when=caller.sandbox.state.now(), is_read=True, is_draft=True,
                                           conversation_id=conversation)
        return message_response(request, caller, draft, 201)
    if kind == "forward" and not composition.to:
        raise BadRequest("At least one recipient is required to forward: pass toRecipients.",
                         code="ErrorInvalidRecipients")
    mail_service.send(caller.sandbox, user, composition, conversation_id=conversation)
    return Response(status_code=202)


def _responder(kind: str, create: bool) -> Any:
    scopes = WRITE if create else SEND

    @requires(*scopes)
    async def handler(request: Request, caller: Caller) -> Response:
        return await respond(request, caller, kind, create)

    handler.__name__ = ("create_" if create else "") + kind
    return handler


@requires(*READ)
async def list_attachments(request: Request, caller: Caller) -> Response:
    """GET /me/messages/{id}/attachments."""
    message = mailbox_of(request, caller).message(request.path_params["message_id"])
    if not caller.scopes & READ_BODY:
        raise GraphError(403, "ErrorAccessDenied", "Access is denied. Reading attachments needs Mail.Read.")
    return collection(request, fragment(caller.user, f"messages('{message.id}')/attachments"),
                      [a.to_graph() for a in message.attachments])


@requires(*READ)
async def get_attachment(request: Request, caller: Caller) -> Response:
    """GET /me/messages/{id}/attachments/{attachment-id}."""
    message = mailbox_of(request, caller).message(request.path_params["message_id"])
    if not caller.scopes & READ_BODY:
        raise GraphError(403, "ErrorAccessDenied", "Access is denied. Reading attachments needs Mail.Read.")
    wanted = request.path_params["attachment_id"]
    attachment = next((a for a in message.attachments if a.id == wanted), None)
    if attachment is None:
        raise GraphError(404, "ErrorItemNotFound", "The attachment was not found on this message.")
    return entity(request, fragment(caller.user, f"messages('{message.id}')/attachments/$entity"),
                  attachment.to_graph())


def folder_view(folder: MailFolder) -> dict[str, Any]:
    return folder.data


@requires(*READ)
async def mail_folders(request: Request, caller: Caller) -> Response:
    """GET /me/mailFolders (top level; hidden ones with includeHiddenFolders=true)."""
    user = target_user(request, caller)
    include_hidden = request.query_params.get("includeHiddenFolders", "").lower() == "true"
    folders = [f for f in caller.sandbox.state.mailbox(user).children(None) if include_hidden or not f.data["isHidden"]]
    return list_response(request, fragment(user, "mailFolders"), folders, MAIL_FOLDER, read=folder_view,
                         extra_params=[("includeHiddenFolders", "true")] if include_hidden else ())


@requires(*READ)
async def mail_folder(request: Request, caller: Caller) -> Response:
    """GET /me/mailFolders/{id}."""
    user = target_user(request, caller)
    folder = caller.sandbox.state.mailbox(user).folder(request.path_params["folder_id"])
    return entity(request, fragment(user, "mailFolders/$entity"), folder.data)


@requires(*READ)
async def child_folders(request: Request, caller: Caller) -> Response:
    """GET /me/mailFolders/{id}/childFolders."""
    user = target_user(request, caller)
    mailbox = caller.sandbox.state.mailbox(user)
    folder = mailbox.folder(request.path_params["folder_id"])
    return list_response(request, fragment(user, f"mailFolders('{folder.id}')/childFolders"),
                         mailbox.children(folder.id), MAIL_FOLDER, read=folder_view)


def routes() -> list[Route]:
    table: list[tuple[str, Any, list[str]]] = [
        ("/messages", messages, ["GET"]),
        ("/messages", create_draft, ["POST"]),
        ("/messages/{message_id}", get_message, ["GET"]),
        ("/messages/{message_id}", update_message, ["PATCH"]),
        ("/messages/{message_id}", delete_message, ["DELETE"]),
        ("/messages/{message_id}/move", move_message, ["POST"]),
        ("/messages/{message_id}/send", send_draft, ["POST"]),
        ("/messages/{message_id}/attachments", list_attachments, ["GET"]),
        ("/messages/{message_id}/attachments/{attachment_id}", get_attachment, ["GET"]),
        ("/sendMail", send_mail, ["POST"]),
        ("/mailFolders", mail_folders, ["GET"]),
        ("/mailFolders/{folder_id}", mail_folder, ["GET"]),
        ("/mailFolders/{folder_id}/childFolders", child_folders, ["GET"]),
        ("/mailFolders/{folder_id}/messages", folder_messages, ["GET"]),
    ]
    for kind in ("reply", "replyAll", "forward"):
        table.append((f"/messages/{{message_id}}/{kind}", _responder(kind, False), ["POST"]))
        create_name = "create" + kind[0].upper() + kind[1:]
        table.append((f"/messages/{{message_id}}/{create_name}", _responder(kind, True), ["POST"]))
    found: list[Route] = []
    for prefix in ("/v1.0/me", "/v1.0/users/{user_id}"):
        for path, handler, methods in table:
            found.append(Route(prefix + path, handler, methods=methods))
    return found
