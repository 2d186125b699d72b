"""Settings → Integrations: the Microsoft 365 card and the card of further MCP servers."""

from __future__ import annotations

import reflex as rx

from crm_app.components.discovery import discovery_card
from crm_app.components.forms import text_field
from crm_app.state.integrations import (
    IntegrationsState,
    ServerRow,
    ToolGroup,
    ToolRow,
)

I = IntegrationsState

STATUS_LABELS = (
    ("connected", "Connected"),
    ("unavailable", "Unavailable"),
    ("reconnect_needed", "Reconnect needed"),
    ("not_connected", "Not connected"),
    ("disabled", "Turned off"),
    ("unchecked", "Not checked yet"),
)
STATUS_COLORS = (
    ("connected", "green"),
    ("unavailable", "orange"),
    ("reconnect_needed", "red"),
    ("not_connected", "gray"),
    ("disabled", "gray"),
)


def status_badge(status: rx.Var, element_id: str | rx.Var) -> rx.Component:
    return rx.badge(
        rx.match(status, *STATUS_LABELS, "Checking…"),
        color_scheme=rx.match(status, *STATUS_COLORS, "gray"),
        variant="soft",
        size="2",
        id=element_id,
        data_status=status,
    )


def access_badge(access: rx.Var) -> rx.Component:
    return rx.badge(
        rx.cond(access == "read", "read", "write"),
        color_scheme=rx.cond(access == "read", "blue", "amber"),
        variant="surface",
        size="1",
    )


def tool_item(tool: ToolRow) -> rx.Component:
    return rx.hstack(
        access_badge(tool.access),
        rx.tooltip(rx.code(tool.name, size="1", variant="ghost"), content=tool.description),
        rx.text(tool.title, size="1", color_scheme="gray", trim="both"),
        spacing="2",
        align="center",
        class_name="ms365-tool",
        data_tool=tool.name,
        data_access=tool.access,
    )


def tool_group(group: ToolGroup) -> rx.Component:
    return rx.vstack(
        rx.text(group.label, size="2", weight="bold"),
        rx.foreach(group.tools, tool_item),
        spacing="1",
        align="start",
        min_width="0",
    )


def notice() -> rx.Component:
    return rx.cond(
        I.notice != "",
        rx.callout.root(
            rx.callout.icon(rx.icon(rx.cond(I.notice_kind == "error", "circle-alert", "circle-check"))),
            rx.hstack(
                rx.callout.text(I.notice, id="ms365-notice"),
                rx.spacer(),
                rx.icon_button(rx.icon("x", size=14), variant="ghost", size="1", on_click=I.dismiss_notice),
                width="100%",
            ),
            color_scheme=rx.cond(I.notice_kind == "error", "red", "green"),
            width="100%",
        ),
    )


def scope_badges(scopes: rx.Var, element_id: str) -> rx.Component:
    return rx.flex(
        rx.foreach(scopes, lambda scope: rx.badge(scope, variant="outline", color_scheme="gray", size="1")),
        wrap="wrap",
        gap="1",
        id=element_id,
    )


def connect_button(label: str) -> rx.Component:
    return rx.button(
        rx.icon("plug", size=16),
        label,
        on_click=I.connect,
        loading=I.connecting,
        id="ms365-connect",
    )


def not_connected_body() -> rx.Component:
    return rx.vstack(
        rx.text(
            "Connect your mailbox, calendar, OneDrive, SharePoint and Teams so the assistant can search, read "
            "and, when you confirm, send or create on your behalf. You will be asked to allow:",
            size="2",
        ),
        scope_badges(I.ms365_requested, "ms365-requested-scopes"),
        rx.cond(
            I.demo_tenant,
            rx.text("This installation uses the Demo tenant: pick a demo user on the consent page.", size="1",
                    color_scheme="gray"),
        ),
        connect_button("Connect Microsoft 365"),
        spacing="3",
        align="start",
    )


def connection_details() -> rx.Component:
    return rx.data_list.root(
        rx.data_list.item(
            rx.data_list.label("Account"),
            rx.data_list.value(
                rx.hstack(
                    rx.text(I.ms365_account_name, weight="medium"),
                    rx.text(I.ms365_account_email, color_scheme="gray"),
                    spacing="2",
                    wrap="wrap",
                    id="ms365-account",
                )
            ),
        ),
        rx.data_list.item(rx.data_list.label("Connected since"), rx.data_list.value(I.ms365_since, id="ms365-since")),
        rx.data_list.item(rx.data_list.label("Access token expires"),
                          rx.data_list.value(I.ms365_expires, id="ms365-expires")),
        rx.data_list.item(rx.data_list.label("Permissions"),
                          rx.data_list.value(scope_badges(I.ms365_scopes, "ms365-scopes"))),
        rx.cond(
            I.ms365_latency != "",
            rx.data_list.item(rx.data_list.label("Tool server"),
                              rx.data_list.value(rx.text(I.ms365_tool_count, " tools, answered in ",
                                                         I.ms365_latency, id="ms365-latency"))),
        ),
        size="2",
    )


def tools_section() -> rx.Component:
    return rx.cond(
        I.mcp_enabled,
        rx.cond(
            I.ms365_status == "connected",
            rx.vstack(
                rx.text("Tools the assistant can use", size="2", weight="bold"),
                rx.grid(rx.foreach(I.ms365_groups, tool_group), columns=rx.breakpoints(initial="1", md="2", xl="3"),
                         gap="4", width="100%"),
                spacing="2",
                id="ms365-tools",
                data_count=I.ms365_tool_count,
                width="100%",
            ),
        ),
        rx.callout(
            "Tool servers are turned off on this installation (MCP_ENABLED=false): the assistant works with CRM "
            "data only.",
            icon="info",
            color_scheme="gray",
            id="mcp-disabled",
        ),
    )


def confirm_dialog(title: str, description: rx.Component | str, confirm: str, *, on_confirm: rx.EventHandler,
                   id_prefix: str, **root_props: object) -> rx.Component:
    """An alert dialog asking to confirm a destructive action, with Cancel and a red confirm button."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(description),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray",
                                                 id=f"{id_prefix}-cancel")),
                rx.alert_dialog.action(rx.button(confirm, color_scheme="red", on_click=on_confirm,
                                                 id=f"{id_prefix}-confirm")),
                justify="end",
                spacing="3",
                margin_top="1rem",
            ),
        ),
        **root_props,
    )


def disconnect_dialog() -> rx.Component:
    return confirm_dialog(
        "Disconnect Microsoft 365?",
        "The stored sign-in is deleted and the assistant loses its Microsoft 365 tools. Your CRM contacts, "
        "companies and deals are not touched. You can connect again at any time.",
        "Disconnect",
        on_confirm=I.disconnect,
        id_prefix="ms365-disconnect",
        open=I.disconnect_open,
        on_open_change=I.set_disconnect_open,
    )


def connected_body() -> rx.Component:
    return rx.vstack(
        rx.cond(
            I.ms365_status == "reconnect_needed",
            rx.callout(I.ms365_error, icon="triangle-alert", color_scheme="red", id="ms365-error", width="100%"),
        ),
        rx.cond(
            I.ms365_status == "unavailable",
            rx.callout(I.ms365_error, icon="cloud-off", color_scheme="orange", id="ms365-error", width="100%"),
        ),
        connection_details(),
        tools_section(),
        rx.hstack(
            rx.cond(I.ms365_status == "reconnect_needed", connect_button("Reconnect")),
            rx.button(rx.icon("activity", size=16), "Test connection", variant="soft", on_click=I.test_ms365,
                      loading=I.testing, id="ms365-test"),
            rx.button(rx.icon("unplug", size=16), "Disconnect", variant="soft", color_scheme="red",
                      on_click=I.ask_disconnect, id="ms365-disconnect"),
            spacing="3",
            wrap="wrap",
        ),
        disconnect_dialog(),
        spacing="4",
        align="start",
        width="100%",
    )


def ms365_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("mail", size=20),
                rx.heading("Microsoft 365", size="4"),
                status_badge(I.ms365_status, "ms365-status"),
                rx.cond(I.demo_tenant, rx.badge("Demo tenant", color_scheme="amber", variant="soft")),
                align="center",
                spacing="3",
                wrap="wrap",
            ),
            notice(),
            rx.match(
                I.ms365_status,
                ("loading", rx.center(rx.spinner(), width="100%", padding="1rem")),
                ("not_connected", not_connected_body()),
                connected_body(),
            ),
            spacing="4",
            width="100%",
        ),
        width="100%",
        id="ms365-card",
    )


def server_item(row: ServerRow) -> rx.Component:
    number = row.number.to(str)
    return rx.box(
        rx.hstack(
            rx.vstack(
                rx.hstack(
                    rx.text(row.name, weight="bold"),
                    status_badge(row.status, "mcp-status-" + number),
                    spacing="2",
                    align="center",
                ),
                rx.text(row.url, size="1", color_scheme="gray", class_name="mcp-url"),
                rx.cond(row.header != "", rx.text("Sends the header ", rx.code(row.header), size="1",
                                                  color_scheme="gray")),
                rx.cond(
                    row.tool_count > 0,
                    rx.text(row.tool_count, " tools: ", row.tools, size="1", id="mcp-tools-" + number),
                ),
                rx.cond(row.error != "", rx.text(row.error, size="1", color_scheme="red", id="mcp-error-" + number)),
                spacing="1",
                align="start",
                min_width="0",
                flex="1",
            ),
            rx.hstack(
                rx.tooltip(
                    rx.switch(checked=row.enabled, on_change=lambda value: I.toggle_server(row.number, value),
                              id="mcp-toggle-" + number),
                    content="Let the assistant use this server",
                ),
                rx.button("Test", size="1", variant="soft", on_click=I.test_server(row.number),
                          loading=I.server_busy == row.number, id="mcp-test-" + number),
                rx.button("Remove", size="1", variant="soft", color_scheme="red",
                          on_click=I.ask_remove(row.number, row.name), id="mcp-remove-" + number),
                spacing="2",
                align="center",
            ),
            width="100%",
            align="start",
            spacing="3",
        ),
        padding="0.75rem",
        border=f"1px solid {rx.color('gray', 5)}",
        border_radius="var(--radius-3)",
        width="100%",
        class_name="mcp-server",
        data_name=row.name,
    )


def remove_dialog() -> rx.Component:
    return confirm_dialog(
        "Remove this tool server?",
        rx.text("“", I.remove_name, "” and its stored header value are deleted; the assistant stops using its tools."),
        "Remove",
        on_confirm=I.remove_server,
        id_prefix="mcp-remove",
        open=I.remove_number != 0,
        on_open_change=I.set_remove_open,
    )


def add_server_form() -> rx.Component:
    errors = I.server_errors
    return rx.form(
        rx.fragment(
            rx.grid(
                text_field("Name", "name", errors=errors, placeholder="Everything demo", id_prefix="mcp-add-",
                           max_length=100),
                text_field("MCP address", "url", errors=errors, placeholder="https://example.com/mcp",
                           id_prefix="mcp-add-", max_length=2000),
                text_field("Header name (optional)", "header_name", errors=errors, placeholder="X-API-Key",
                           id_prefix="mcp-add-", max_length=100),
                text_field("Header value (optional)", "header_value", errors=errors, type_="password",
                           id_prefix="mcp-add-", hint="Stored encrypted; never shown again."),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            key=I.server_form_version,
        ),
        rx.button(rx.icon("plus", size=16), "Add server", type="submit", margin_top="0.75rem", id="mcp-add-submit"),
        on_submit=I.add_server,
        reset_on_submit=False,
        id="mcp-add-form",
        width="100%",
    )


def servers_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.icon("server", size=20), rx.heading("Further MCP servers", size="4"), align="center",
                      spacing="3"),
            rx.text("Add any MCP server reachable over Streamable HTTP; the assistant gets its tools while it is "
                    "turned on.", size="2", color_scheme="gray"),
            rx.cond(
                I.servers.length() > 0,
                rx.vstack(rx.foreach(I.servers, server_item), spacing="2", width="100%", id="mcp-servers"),
                rx.text("No further servers yet.", size="2", color_scheme="gray", id="mcp-servers-empty"),
            ),
            rx.divider(),
            add_server_form(),
            remove_dialog(),
            spacing="4",
            width="100%",
        ),
        width="100%",
        id="mcp-card",
    )


def integrations_panel() -> rx.Component:
    """Both cards; the live status checks run while this panel is mounted."""
    return rx.vstack(
        rx.heading("Integrations", size="5", id="integrations-heading"),
        ms365_card(),
        servers_card(),
        discovery_card(),
        spacing="4",
        width="100%",
        on_mount=I.open_panel,
        on_unmount=I.close_panel,
        id="integrations-panel",
    )
