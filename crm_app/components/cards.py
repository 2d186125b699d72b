"""Chat cards: email (with its Preview · truncated / Full body label), event, file, site, team, CRM record,
error (with Retry), confirmation (Confirm / Edit / Cancel) and the sent result.
A row shows only when it has a value. Everything renders as text, never as HTML."""

from __future__ import annotations

import reflex as rx

from crm_app.state.chat import ChatState

S = ChatState


LABEL_WIDTH = {"1": "4.5rem", "2": "6rem"}


def _row(label: str, value: rx.Var | rx.Component, present: rx.Var, size: str = "1", cls: str = "") -> rx.Component:
    """One "Label  value" line, rendered only when `present` holds something (a missing key counts as empty)."""
    return rx.cond(present, rx.hstack(
        rx.text(label, size=size, color_scheme="gray", width=LABEL_WIDTH[size], flex_shrink="0", class_name="card-label"),
        rx.text(value, size=size, class_name=f"card-value {cls}".strip(), min_width="0", overflow_wrap="anywhere"),
        spacing="2", align="baseline", width="100%", class_name="card-row",
    ))


def _meta(label: str, value: rx.Var) -> rx.Component:
    return _row(label, value, value)


def _date(label: str, value: rx.Var, fmt: str, cls: str = "") -> rx.Component:
    return _row(label, rx.moment(value, format=fmt), value, cls=cls)


def _link_button(label: str, href: rx.Var, icon: str = "external-link", id_: str | rx.Var | None = None) -> rx.Component:
    return rx.cond(href, rx.link(rx.button(rx.icon(icon, size=14), label, size="1", variant="soft"), href=href,
                                       is_external=True, id=id_))


def _frame(cls: str, spacing: str, *rows: rx.Component) -> rx.Component:
    """A card's frame: its rows stacked full width with `spacing` between them, under the class the page styles
    it by."""
    return rx.card(rx.vstack(*rows, spacing=spacing, width="100%"), width="100%", class_name=cls)


def is_cut(card: rx.Var) -> rx.Var:
    """The card holds only part of the body: a preview the server marked as cut."""
    return (card.body_kind == "preview") & (card.body_truncated == "true")


def body_label_badge(card: rx.Var) -> rx.Component:
    full = rx.badge(rx.icon("file-text", size=12), "Full body", color_scheme="green", variant="soft", class_name="body-label")
    return rx.match(
        card.body_kind,
        ("preview", rx.cond(is_cut(card),
                            rx.badge(rx.icon("scissors", size=12), "Preview · truncated", color_scheme="amber",
                                     variant="soft", class_name="body-label"),
                            full)),
        ("full", full),
        rx.badge("No body text", color_scheme="gray", variant="soft", class_name="body-label"),
    )


def sender_label(card: rx.Var) -> rx.Var:
    """ "Name <address>", or the address alone when the name is missing or is the address itself."""
    name, addr = card.from_name.to(str), card.from_address.to(str)
    named = (name != "") & (name.lower() != addr.lower())
    return rx.cond(named, rx.cond(addr, name + " <" + addr + ">", name), addr)


def email_card(card: rx.Var, message_id: rx.Var, *, open_full=None, log=None, busy=None) -> rx.Component:
    """An email; `open_full(card)`, `log(card)` and `busy` serve its buttons outside the chat (a record's page)."""
    open_full = open_full(card) if open_full else S.open_email(card.id, card.title)
    log = log(card) if log else S.log_email(card)
    busy = S.sending if busy is None else busy
    return _frame(
        "card-email", "2",
        rx.hstack(
            rx.icon("mail", size=16, color=rx.color("accent", 10)),
            rx.text(card.title, weight="bold", size="2", class_name="email-subject", trim="both"),
            rx.spacer(),
            body_label_badge(card),
            width="100%", align="center",
        ),
        _row("From", sender_label(card), card.from_address | card.from_name, cls="email-from"),
        _meta("To", card["to"].to(str)),
        _meta("Cc", card.cc),
        _date("Date", card.date, "ddd D MMM YYYY, HH:mm", cls="email-date"),
        rx.cond(card.crm_contact_name, rx.badge(rx.icon("user", size=12), "In CRM: " + card.crm_contact_name,
                                                          variant="outline", size="1")),
        rx.cond(
            card.body_kind == "empty",
            rx.text("This email has no body text.", size="2", color_scheme="gray", font_style="italic"),
            rx.text(card.body, size="2", class_name=rx.cond(is_cut(card), "email-body cut", "email-body"),
                    max_height="22rem", overflow_y="auto"),
        ),
        rx.hstack(
            rx.cond(is_cut(card),
                    rx.button(rx.icon("maximize-2", size=14), "Show full email", size="1", variant="soft",
                              on_click=open_full, disabled=busy, class_name="open-full")),
            _link_button("Open in Outlook", card.link),
            rx.button(rx.icon("book-plus", size=14), "Log to CRM", size="1", variant="soft",
                      on_click=log, class_name="log-to-crm"),
            spacing="2", wrap="wrap",
        ),
    )


def event_card(card: rx.Var) -> rx.Component:
    return _frame(
        "card-event", "1",
        rx.hstack(rx.icon("calendar", size=16, color=rx.color("accent", 10)),
                  rx.text(card.title, weight="bold", size="2"), width="100%", align="center"),
        _date("Starts", card.start, "ddd D MMM YYYY, HH:mm"),
        _date("Ends", card.end, "ddd D MMM, HH:mm"),
        _meta("Where", card.location),
        _meta("Organizer", card.organizer),
        _meta("Attendees", card.attendees),
        rx.hstack(_link_button("Open in Outlook", card.link), _link_button("Join", card.online_url, "video"), spacing="2"),
    )


def file_card(card: rx.Var) -> rx.Component:
    return _frame(
        "card-file", "1",
        rx.hstack(rx.cond(card.is_folder == "true", rx.icon("folder", size=16), rx.icon("file", size=16)),
                  rx.text(card.title, weight="bold", size="2", class_name="file-name"), rx.spacer(),
                  rx.text(card.size, size="1", color_scheme="gray"), width="100%", align="center"),
        _meta("Folder", card.path),
        _date("Modified", card.modified, "D MMM YYYY, HH:mm"),
        _meta("By", card.modified_by),
        rx.cond(card.body, rx.vstack(rx.badge(card.body_label, variant="soft", color_scheme="green"),
                                              rx.text(card.body, size="2", class_name="email-body", max_height="22rem",
                                                      overflow_y="auto"), width="100%")),
        _link_button("Open", card.link),
    )


def simple_card(card: rx.Var, icon: str, cls: str) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.icon(icon, size=16, color=rx.color("accent", 10)),
            rx.vstack(rx.text(card.title, weight="bold", size="2"),
                      rx.cond(card.description, rx.text(card.description, size="1", color_scheme="gray")),
                      spacing="0"),
            rx.spacer(),
            _link_button("Open", card.link),
            width="100%", align="center",
        ),
        width="100%", class_name=cls,
    )


def post_card(card: rx.Var) -> rx.Component:
    return _frame(
        "card-post", "1",
        rx.hstack(rx.icon("message-square", size=16, color=rx.color("accent", 10)),
                  rx.text(card.title, weight="bold", size="2", class_name="post-author"), rx.spacer(),
                  rx.cond(card.date != "", rx.moment(card.date, format="ddd D MMM, HH:mm", size="1",
                                                       color_scheme="gray")),
                  width="100%", align="center"),
        _meta("Subject", card.subject),
        rx.text(card.body, size="2", class_name="email-body post-body", max_height="22rem", overflow_y="auto"),
        _link_button("Open in Teams", card.link),
    )


def crm_card(card: rx.Var) -> rx.Component:
    return _frame(
        "card-crm", "1",
        rx.hstack(rx.icon("contact", size=16, color=rx.color("accent", 10)),
                  rx.cond(card.link, rx.link(card.title, href=card.link, weight="bold", size="2"),
                          rx.text(card.title, weight="bold", size="2")),
                  rx.badge(card.entity, variant="soft", text_transform="capitalize"), rx.spacer(),
                  rx.cond(card.status, rx.badge(card.status, color_scheme="green")), width="100%", align="center"),
        rx.cond(card.subtitle, rx.text(card.subtitle, size="1", color_scheme="gray")),
        rx.cond(card.fields, rx.text(card.fields, size="1", white_space="pre-wrap")),
    )


def sent_card(card: rx.Var) -> rx.Component:
    """The result of a confirmed send, reply or draft: recipients, subject, and the folder it is in."""
    folder_prompt = rx.cond(card.status == "draft_created", "Show my drafts", "Show my sent items")
    return _frame(
        "card-sent", "2",
        rx.hstack(rx.icon("send", size=16, color=rx.color("green", 10)),
                  rx.text(card.title, weight="bold", size="2", class_name="sent-title"), rx.spacer(),
                  rx.badge(card.folder, color_scheme="green", variant="soft", class_name="sent-folder"),
                  width="100%", align="center"),
        _row("To", card["to"].to(str), card["to"].to(str), size="2", cls="sent-to"),
        _row("Cc", card.cc, card.cc, size="2", cls="sent-cc"),
        _row("Subject", card.subject, card.subject, size="2", cls="sent-subject"),
        rx.hstack(
            rx.button(rx.icon("folder-open", size=14), "Show ", card.folder, size="1", variant="soft",
                      on_click=S.suggest(folder_prompt), disabled=S.sending, class_name="show-folder"),
            _link_button("Open in Outlook", card.link),
            spacing="2", wrap="wrap",
        ),
    )


def text_card(card: rx.Var) -> rx.Component:
    return rx.card(rx.vstack(rx.cond(card.title, rx.text(card.title, weight="bold", size="2")),
                             rx.cond(card.body, rx.text(card.body, size="2", class_name="email-body")), spacing="1"),
                   width="100%", class_name="card-text")


def error_card(card: rx.Var, message: rx.Var) -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon("circle-x")),
        rx.vstack(
            rx.text(card.title, weight="bold", size="2"),
            rx.text(card.body, size="2"),
            rx.button(rx.icon("rotate-cw", size=14), "Retry", size="1", variant="soft", color_scheme="red",
                      on_click=S.retry(card.retry_text), disabled=S.sending, class_name="retry"),
            spacing="2",
        ),
        color_scheme="red", width="100%", class_name="card-error",
    )


def _field(label: str, key: str, card: rx.Var) -> rx.Component:
    value = card[key].to(str)
    return _row(label, value, value, size="2", cls=f"confirm-{key}")


CONFIRM_ROWS = [("Steps", "steps"), ("Record", "record"), ("To", "to"), ("Cc", "cc"), ("Subject", "subject"), ("When", "when"),
                ("Attendees", "attendees"), ("Not found", "unresolved"), ("Location", "location"), ("File", "file"),
                ("Share with", "recipients"), ("Access", "role"), ("Channel", "channel"), ("Stage", "stage"),
                ("First name", "first_name"), ("Last name", "last_name"), ("Emails", "emails"), ("Company", "company"),
                ("Name", "name"), ("Title", "title_field"), ("Amount", "amount"), ("Currency", "currency"),
                ("Phone", "phone"), ("Text", "text"), ("Due", "due")]


EDIT_FIELDS = {
    "mail.send": [("To", "to"), ("Cc", "cc"), ("Subject", "subject"), ("Body", "body")],
    "mail.draft": [("To", "to"), ("Cc", "cc"), ("Subject", "subject"), ("Body", "body")],
    "mail.reply": [("Body", "body")],
    "calendar.create": [("Subject", "subject"), ("Start", "start"), ("End", "end"), ("Attendees", "attendees"),
                        ("Location", "location")],
    "files.share": [("Share with", "recipients")],
    "teams.post": [("Message", "message")],
    "crm.note.add": [("Note", "text")],
    "crm.task.add": [("Task", "text"), ("Due", "due")],
}


def edit_form(card: rx.Var) -> rx.Component:
    def fields_for(cap: str) -> rx.Component:
        items = []
        for label, key in EDIT_FIELDS[cap]:
            widget = (rx.text_area(name=key, default_value=S.edit_values.get(key, ""), rows="6", width="100%", id=f"edit-{key}")
                      if key in ("body", "message", "text") else
                      rx.input(name=key, default_value=S.edit_values.get(key, ""), width="100%", id=f"edit-{key}"))
            items.append(rx.vstack(rx.text(label, size="1", weight="medium"), widget, spacing="1", width="100%"))
        return rx.vstack(*items, width="100%")

    return rx.form(
        rx.vstack(
            rx.match(card.capability, *[(cap, fields_for(cap)) for cap in EDIT_FIELDS], rx.text("Nothing to edit here.")),
            rx.hstack(rx.button("Confirm with changes", type="submit", size="2", id="confirm-edited"),
                      rx.button("Back", type="button", variant="soft", color_scheme="gray", size="2", on_click=S.cancel_edit),
                      spacing="2"),
            width="100%",
        ),
        on_submit=S.save_edit, width="100%",
    )


def confirm_card(card: rx.Var, message: rx.Var) -> rx.Component:
    pending = card.status == "pending"
    return _frame(
        "card-confirm", "2",
        rx.hstack(rx.icon("shield-check", size=16, color=rx.color("amber", 10)),
                  rx.text(card.title, weight="bold", size="2"), rx.spacer(),
                  rx.match(card.status,
                           ("pending", rx.badge("Waiting for you", color_scheme="amber")),
                           ("running", rx.badge("Running…", color_scheme="blue")),
                           ("done", rx.badge("Done", color_scheme="green")),
                           ("cancelled", rx.badge("Cancelled", color_scheme="gray")),
                           rx.badge("Failed", color_scheme="red")),
                  width="100%", align="center"),
        rx.cond(card.highlight,
                rx.callout(rx.text("Check these recipients — you didn't name them: ", rx.text.strong(card.highlight)),
                           icon="triangle-alert", color_scheme="red", size="1", class_name="unnamed-recipients")),
        rx.cond(
            (S.editing_action == card.id) & pending,
            edit_form(card),
            rx.vstack(
                *[_field(label, key, card) for label, key in CONFIRM_ROWS],
                rx.cond(card.body, rx.box(rx.text(card.body, size="2", class_name="email-body confirm-body"),
                                                         padding="0.5rem", border_radius="var(--radius-2)",
                                                         background=rx.color("gray", 2), width="100%")),
                rx.cond(card.message, rx.box(rx.text(card.message, size="2", class_name="email-body"),
                                                            padding="0.5rem", background=rx.color("gray", 2), width="100%")),
                rx.cond(pending, rx.hstack(
                    rx.button(rx.icon("check", size=14), "Confirm", size="2", on_click=S.confirm(message.id, card.id),
                              disabled=S.sending, class_name="confirm-action"),
                    rx.cond(card.capability.to(str).contains("."),
                            rx.button(rx.icon("pencil", size=14), "Edit", size="2", variant="soft",
                                      on_click=S.start_edit(message.id, card), class_name="edit-action")),
                    rx.button("Cancel", size="2", variant="soft", color_scheme="gray",
                              on_click=S.cancel_action(message.id, card.id), class_name="cancel-action"),
                    spacing="2")),
                spacing="2", width="100%",
            ),
        ),
    )


def render_card(card: rx.Var, message: rx.Var) -> rx.Component:
    return rx.match(
        card.kind,
        ("email", email_card(card, message.id)),
        ("event", event_card(card)),
        ("file", file_card(card)),
        ("site", simple_card(card, "globe", "card-site")),
        ("team", simple_card(card, "users", "card-team")),
        ("channel", simple_card(card, "hash", "card-channel")),
        ("post", post_card(card)),
        ("crm", crm_card(card)),
        ("error", error_card(card, message)),
        ("confirm", confirm_card(card, message)),
        ("sent", sent_card(card)),
        text_card(card),
    )
