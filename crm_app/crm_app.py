"""The Reflex app: pages, theme, the JSON API and start-up work (migrations, demo seed)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import reflex as rx

from crm_app import api, logging_setup
from crm_app.pages.auth import signin_page, signup_page
from crm_app.pages.chat import chat_page
from crm_app.pages.companies import companies_page, company_detail_page
from crm_app.pages.contacts import contact_detail_page, contacts_page
from crm_app.pages.deals import deal_detail_page, deals_page
from crm_app.pages.home import home_page
from crm_app.pages.settings import settings_page
from crm_app.settings import get_settings
from crm_app.state.auth import SignInState
from crm_app.state.chat import ChatState
from crm_app.state.crm import CompaniesState, ContactsState
from crm_app.state.deals import DealsState
from crm_app.state.home import HomeState
from crm_app.state.record_detail import CompanyDetailState, ContactDetailState, DealDetailState
from crm_app.state.record_inbox import RecordInboxState
from crm_app.state.session import SessionState
from crm_app.state_manager import bound_state_memory

log = logging.getLogger("crm_app")


def prepare_database(seed_demo: bool) -> None:
    """Migrations, then (demo) the seeded workspace — one worker or instance at a time."""
    from crm_app.migrations import exclusive, upgrade
    from crm_app.services.demo import seed_demo_workspace

    with exclusive():
        upgrade(lock=False)
        if seed_demo and seed_demo_workspace():
            log.info("Seeded the demo workspace")


@contextlib.asynccontextmanager
async def lifespan():
    """Start: apply migrations and, in the demo setup, seed the demo workspace. Stop: close MCP sessions."""
    settings = get_settings()
    logging_setup.configure(settings.log_level)
    await asyncio.to_thread(prepare_database, settings.is_demo)
    try:
        yield
    finally:
        from crm_app.services import mcp_runtime

        await mcp_runtime.shutdown()


def index() -> rx.Component:
    return rx.center(rx.spinner(size="3"), height="100vh")


app = rx.App(
    stylesheets=["/styles.css"],
    # notices sit at the top, clear of the chat input and its Send button at the bottom of the page
    toaster=rx.toast.provider(position="top-center", close_button=True),
    api_transformer=api.build(),
    head_components=[rx.el.meta(name="description", content="crm_app: an AI CRM for your Microsoft 365"),
                     rx.el.link(rel="icon", href="/favicon.svg", type="image/svg+xml")],
)
bound_state_memory(app)
app.register_lifespan_task(lifespan)

app.add_page(index, route="/", title="crm_app", on_load=SessionState.check_session_and_home)
app.add_page(signin_page, route="/signin", title="Sign in · crm_app", on_load=SignInState.on_load)
app.add_page(signup_page, route="/signup", title="Create account · crm_app")
app.add_page(home_page, route="/home", title="Home · crm_app", on_load=HomeState.load)
app.add_page(chat_page, route="/chat", title="Assistant · crm_app", on_load=ChatState.load)
app.add_page(contacts_page, route="/contacts", title="Contacts · crm_app", on_load=ContactsState.load)
app.add_page(contact_detail_page, route="/contacts/[contact_id]", title="Contact · crm_app", on_load=[ContactDetailState.load, RecordInboxState.load])
app.add_page(companies_page, route="/companies", title="Companies · crm_app", on_load=CompaniesState.load)
app.add_page(company_detail_page, route="/companies/[company_id]", title="Company · crm_app", on_load=[CompanyDetailState.load, RecordInboxState.load])
app.add_page(deals_page, route="/deals", title="Deals · crm_app", on_load=DealsState.load)
app.add_page(deal_detail_page, route="/deals/[deal_id]", title="Deal · crm_app", on_load=[DealDetailState.load, RecordInboxState.load])
app.add_page(settings_page, route="/settings", title="Settings · crm_app", on_load=SessionState.check_session)
