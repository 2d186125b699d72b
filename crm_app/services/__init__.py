"""Use cases, free of Reflex: accounts, CRM records, integrations, the assistant turn."""
