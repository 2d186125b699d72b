"""The identity provider: Entra ID v2 endpoints, consent, tokens and scopes."""
