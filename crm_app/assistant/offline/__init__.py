"""The offline, deterministic request parser's building blocks (see ``crm_app.assistant.parser``)."""
