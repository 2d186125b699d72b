"""Chat cards: email (with its Preview · truncated / Full body label), event, file, site, team, CRM record,
error (with Retry) and confirmation (Confirm / Edit / Cancel). Everything renders as text, never as HTML."""

from __future__ import annotations

import reflex as rx

from crm_app.state.chat import ChatState

S = ChatState


def _meta(label: str, value: rx.Var) -> rx.Component:
    return rx.cond(value != "", rx.hstack(rx.text(label, size="1", color_scheme="gray", min_width="4.5rem"),
                                          rx.text(value, size="1", trim="both"), spacing="2", align="start"))


def _link_button(label: str, href: rx.Var, icon: str = "external-link", id_: str | rx.Var | None = None) -> rx.Component:
    return rx.cond(href != "", rx.link(rx.button(rx.icon(icon, size=14), label, size="1", variant="soft"), href=href,
                                       is_external=True, id=id_))


def body_label_badge(card: rx.Var) -> rx.Component:
    return rx.match(
        card["body_kind"],
        ("preview", rx.badge(rx.icon("scissors", size=12), "Preview · truncated", color_scheme="amber", variant="soft",
                             class_name="body-label")),
        ("full", rx.badge(rx.icon("file-text", size=12), "Full body", color_scheme="green", variant="soft",
                          class_name="body-label")),
        rx.badge("No body text", color_scheme="gray", variant="soft", class_name="body-label"),
    )


def email_card(card: rx.Var, message_id: rx.Var, *, open_full=None, log=None, busy=None) -> rx.Component:
    """An email; `open_full(card)`, `log(card)` and `busy` serve its buttons outside the chat (a record's page)."""
    open_full = open_full(card) if open_full else S.open_email(card["id"], card["title"])
    log = log(card) if log else S.log_email(card)
    busy = S.sending if busy is None else busy
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("mail", size=16, color=rx.color("accent", 10)),
                rx.text(card["title"], weight="bold", size="2", class_name="email-subject", trim="both"),
                rx.spacer(),
                body_label_badge(card),
                width="100%", align="center",
            ),
            _meta("From", rx.cond(card["from_name"] != "", card["from_name"] + " <" + card["from_address"] + ">",
                                  card["from_address"])),
            _meta("To", card["to"]),
            rx.cond(card["date"] != "", rx.hstack(rx.text("Date", size="1", color_scheme="gray", min_width="4.5rem"),
                                                   rx.moment(card["date"], format="ddd D MMM YYYY, HH:mm", size="1",
                                                             class_name="email-date"), spacing="2")),
            rx.cond(card["crm_contact_name"] != "", rx.badge(rx.icon("user", size=12), "In CRM: " + card["crm_contact_name"],
                                                              variant="outline", size="1")),
            rx.cond(
                card["body_kind"] == "empty",
                rx.text("This email has no body text.", size="2", color_scheme="gray", font_style="italic"),
                rx.text(card["body"], size="2", class_name="email-body", max_height="22rem", overflow_y="auto"),
            ),
            rx.hstack(
                rx.cond(card["body_kind"] == "preview",
                        rx.button(rx.icon("maximize-2", size=14), "Show full email", size="1", variant="soft",
                                  on_click=open_full, disabled=busy, class_name="open-full")),
                _link_button("Open in Outlook", card["link"]),
                rx.button(rx.icon("book-plus", size=14), "Log to CRM", size="1", variant="soft",
                          on_click=log, class_name="log-to-crm"),
                spacing="2", wrap="wrap",
            ),
            spacing="2", width="100%",
        ),
        width="100%", class_name="card-email",
    )


def event_card(card: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.icon("calendar", size=16, color=rx.color("accent", 10)),
                      rx.text(card["title"], weight="bold", size="2"), width="100%", align="center"),
            _meta("Starts", rx.moment(card["start"], format="ddd D MMM YYYY, HH:mm")),
            _meta("Ends", rx.moment(card["end"], format="ddd D MMM, HH:mm")),
            _meta("Where", card["location"]),
            _meta("Organizer", card["organizer"]),
            _meta("Attendees", card["attendees"]),
            rx.hstack(_link_button("Open in Outlook", card["link"]), _link_button("Join", card["online_url"], "video"), spacing="2"),
            spacing="1", width="100%",
        ),
        width="100%", class_name="card-event",
    )


def file_card(card: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.cond(card["is_folder"] == "true", rx.icon("folder", size=16), rx.icon("file", size=16)),
                      rx.text(card["title"], weight="bold", size="2", class_name="file-name"), rx.spacer(),
                      rx.text(card["size"], size="1", color_scheme="gray"), width="100%", align="center"),
            _meta("Folder", card["path"]),
            rx.cond(card["modified"] != "", rx.hstack(rx.text("Modified", size="1", color_scheme="gray", min_width="4.5rem"),
                                                       rx.moment(card["modified"], format="D MMM YYYY, HH:mm", size="1"),
                                                       spacing="2")),
            _meta("By", card["modified_by"]),
            rx.cond(card["body"] != "", rx.vstack(rx.badge(card["body_label"], variant="soft", color_scheme="green"),
                                                  rx.text(card["body"], size="2", class_name="email-body", max_height="22rem",
                                                          overflow_y="auto"), width="100%")),
            _link_button("Open", card["link"]),
            spacing="1", width="100%",
        ),
        width="100%", class_name="card-file",
    )


def simple_card(card: rx.Var, icon: str, cls: str) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.icon(icon, size=16, color=rx.color("accent", 10)),
            rx.vstack(rx.text(card["title"], weight="bold", size="2"),
                      rx.cond(card["description"] != "", rx.text(card["description"], size="1", color_scheme="gray")),
                      spacing="0"),
            rx.spacer(),
            _link_button("Open", card["link"]),
            width="100%", align="center",
        ),
        width="100%", class_name=cls,
    )


def post_card(card: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.icon("message-square", size=16, color=rx.color("accent", 10)),
                      rx.text(card["title"], weight="bold", size="2", class_name="post-author"), rx.spacer(),
                      rx.cond(card["date"] != "", rx.moment(card["date"], format="ddd D MMM, HH:mm", size="1",
                                                           color_scheme="gray")),
                      width="100%", align="center"),
            _meta("Subject", card["subject"]),
            rx.text(card["body"], size="2", class_name="email-body post-body", max_height="22rem", overflow_y="auto"),
            _link_button("Open in Teams", card["link"]),
            spacing="1", width="100%",
        ),
        width="100%", class_name="card-post",
    )


def crm_card(card: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.icon("contact", size=16, color=rx.color("accent", 10)),
                      rx.cond(card["link"] != "", rx.link(card["title"], href=card["link"], weight="bold", size="2"),
                              rx.text(card["title"], weight="bold", size="2")),
                      rx.badge(card["entity"], variant="soft"), rx.spacer(),
                      rx.cond(card["status"] != "", rx.badge(card["status"], color_scheme="green")), width="100%", align="center"),
            rx.cond(card["subtitle"] != "", rx.text(card["subtitle"], size="1", color_scheme="gray")),
            rx.cond(card["fields"] != "", rx.text(card["fields"], size="1", white_space="pre-wrap")),
            spacing="1", width="100%",
        ),
        width="100%", class_name="card-crm",
    )


def text_card(card: rx.Var) -> rx.Component:
    return rx.card(rx.vstack(rx.text(card["title"], weight="bold", size="2"),
                             rx.text(card["body"], size="2", class_name="email-body"), spacing="1"),
                   width="100%", class_name="card-text")


def error_card(card: rx.Var, message: rx.Var) -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon("circle-x")),
        rx.vstack(
            rx.text(card["title"], weight="bold", size="2"),
            rx.text(card["body"], size="2"),
            rx.button(rx.icon("rotate-cw", size=14), "Retry", size="1", variant="soft", color_scheme="red",
                      on_click=S.retry(card["retry_text"]), disabled=S.sending, class_name="retry"),
            spacing="2",
        ),
        color_scheme="red", width="100%", class_name="card-error",
    )


def _field(label: str, key: str, card: rx.Var, highlight: bool = False) -> rx.Component:
    value = card[key].to(str)
    return rx.cond(
        value != "",
        rx.hstack(
            rx.text(label, size="2", color_scheme="gray", min_width="5.5rem"),
            rx.text(value, size="2", white_space="pre-wrap", class_name=f"confirm-{key}", trim="both"),
            spacing="2", align="start", width="100%",
        ),
    )


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
            rx.match(card["capability"], *[(cap, fields_for(cap)) for cap in EDIT_FIELDS], rx.text("Nothing to edit here.")),
            rx.hstack(rx.button("Confirm with changes", type="submit", size="2", id="confirm-edited"),
                      rx.button("Back", type="button", variant="soft", color_scheme="gray", size="2", on_click=S.cancel_edit),
                      spacing="2"),
            width="100%",
        ),
        on_submit=S.save_edit, width="100%",
    )


def confirm_card(card: rx.Var, message: rx.Var) -> rx.Component:
    pending = card["status"] == "pending"
    return rx.card(
        rx.vstack(
            rx.hstack(rx.icon("shield-check", size=16, color=rx.color("amber", 10)),
                      rx.text(card["title"], weight="bold", size="2"), rx.spacer(),
                      rx.match(card["status"],
                               ("pending", rx.badge("Waiting for you", color_scheme="amber")),
                               ("running", rx.badge("Running…", color_scheme="blue")),
                               ("done", rx.badge("Done", color_scheme="green")),
                               ("cancelled", rx.badge("Cancelled", color_scheme="gray")),
                               rx.badge("Failed", color_scheme="red")),
                      width="100%", align="center"),
            rx.cond(card["highlight"].to(str) != "",
                    rx.callout(rx.text("Check these recipients — you didn't name them: ", rx.text.strong(card["highlight"])),
                               icon="triangle-alert", color_scheme="red", size="1", class_name="unnamed-recipients")),
            rx.cond(
                (S.editing_action == card["id"]) & pending,
                edit_form(card),
                rx.vstack(
                    _field("Steps", "steps", card),
                    _field("Record", "record", card), _field("To", "to", card), _field("Cc", "cc", card),
                    _field("Subject", "subject", card), _field("When", "when", card), _field("Attendees", "attendees", card),
                    _field("Not found", "unresolved", card), _field("Location", "location", card), _field("File", "file", card),
                    _field("Share with", "recipients", card), _field("Access", "role", card), _field("Channel", "channel", card),
                    _field("Stage", "stage", card), _field("First name", "first_name", card), _field("Last name", "last_name", card),
                    _field("Emails", "emails", card), _field("Company", "company", card), _field("Name", "name", card),
                    _field("Title", "title_field", card), _field("Text", "text", card), _field("Due", "due", card),
                    rx.cond(card["body"].to(str) != "", rx.box(rx.text(card["body"], size="2", class_name="email-body confirm-body"),
                                                             padding="0.5rem", border_radius="var(--radius-2)",
                                                             background=rx.color("gray", 2), width="100%")),
                    rx.cond(card["message"].to(str) != "", rx.box(rx.text(card["message"], size="2", class_name="email-body"),
                                                                padding="0.5rem", background=rx.color("gray", 2), width="100%")),
                    rx.cond(pending, rx.hstack(
                        rx.button(rx.icon("check", size=14), "Confirm", size="2", on_click=S.confirm(message.id, card["id"]),
                                  disabled=S.sending, class_name="confirm-action"),
                        rx.cond(card["capability"].to(str).contains("."),
                                rx.button(rx.icon("pencil", size=14), "Edit", size="2", variant="soft",
                                          on_click=S.start_edit(message.id, card), class_name="edit-action")),
                        rx.button("Cancel", size="2", variant="soft", color_scheme="gray",
                                  on_click=S.cancel_action(message.id, card["id"]), class_name="cancel-action"),
                        spacing="2")),
                    spacing="2", width="100%",
                ),
            ),
            spacing="2", width="100%",
        ),
        width="100%", class_name="card-confirm",
    )


def render_card(card: rx.Var, message: rx.Var) -> rx.Component:
    return rx.match(
        card["kind"],
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
        text_card(card),
    )
