"""CRM use cases: companies, contacts, deals and activities, with validation and paging.

Rows leave this module as plain dicts (the shapes the UI and the assistant's tools exchange),
never as table objects.
"""

from __future__ import annotations

from crm_app.models import PIPELINE

from crm_app.services.crm.common import (
    CURRENCIES, DEFAULT_PAGE_SIZE, DOMAIN_RE, MAX_NAME, MAX_PAGE_SIZE, MAX_SHORT, MAX_TEXT, PHONE_RE, Page
)
from crm_app.services.crm.companies import (
    COMPANY_SORTS, company_dict, company_options, contacts_of_company, create_company, delete_company,
    find_company_by_name, get_company, list_companies, update_company
)
from crm_app.services.crm.contacts import (
    CONTACT_SORTS, contact_summary, contacts_by_emails, create_contact, delete_contact, emails_for, find_contacts,
    get_contact, list_contacts, parse_emails, update_contact
)
from crm_app.services.crm.deals import (
    DEAL_SORTS, create_deal, deal_board, deal_dict, delete_deal, find_deals, get_deal, list_deals, move_deal,
    parse_stage, update_deal
)
from crm_app.services.crm.activities import (
    activity_dict, add_activity, delete_activity, email_already_logged, set_task_done, timeline
)
from crm_app.services.crm.summary import counts, search_all

__all__ = [
    "PIPELINE",
    "COMPANY_SORTS",
    "CONTACT_SORTS",
    "CURRENCIES",
    "DEAL_SORTS",
    "DEFAULT_PAGE_SIZE",
    "DOMAIN_RE",
    "MAX_NAME",
    "MAX_PAGE_SIZE",
    "MAX_SHORT",
    "MAX_TEXT",
    "PHONE_RE",
    "Page",
    "activity_dict",
    "add_activity",
    "company_dict",
    "company_options",
    "contact_summary",
    "contacts_by_emails",
    "contacts_of_company",
    "counts",
    "create_company",
    "create_contact",
    "create_deal",
    "deal_board",
    "deal_dict",
    "delete_activity",
    "delete_company",
    "delete_contact",
    "delete_deal",
    "email_already_logged",
    "emails_for",
    "find_company_by_name",
    "find_contacts",
    "find_deals",
    "get_company",
    "get_contact",
    "get_deal",
    "list_companies",
    "list_contacts",
    "list_deals",
    "move_deal",
    "parse_emails",
    "parse_stage",
    "search_all",
    "set_task_done",
    "timeline",
    "update_company",
    "update_contact",
    "update_deal",
]
