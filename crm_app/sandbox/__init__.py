"""Microsoft 365 sandbox: a local stand-in for Microsoft Entra ID and Microsoft Graph v1.0.

It serves an identity provider (OpenID Connect discovery, a sign-in and consent page,
the token endpoint), a Graph v1.0 emulator over a seeded demo tenant (mail, calendar,
OneDrive, SharePoint, Teams, directory), read-only viewer pages for the ``webLink`` and
``webUrl`` of its items, and a loopback-only admin API for tests. Run it with
``python -m crm_app.sandbox``.
"""

from __future__ import annotations
