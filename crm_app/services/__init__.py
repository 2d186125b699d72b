"""Use cases, free of Reflex: accounts, CRM records, integrations, the assistant turn."""

from crm_app.services import crm as _crm
from crm_app.tools import crm_tools as _crm_tools

_crm_tools.use_store(_crm)
