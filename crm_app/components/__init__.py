"""Reusable UI pieces: layout, form fields, record tables, cards."""
