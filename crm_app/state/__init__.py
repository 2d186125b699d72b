"""Reflex state, one module per feature. Handlers stay thin and call `crm_app.services`."""
