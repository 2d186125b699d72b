"""Delegated Microsoft Graph permissions the sandbox knows, with the text the consent page shows."""

from __future__ import annotations

from dataclasses import dataclass

from crm_app.sandbox.errors import OAuthError

GRAPH_RESOURCE = "https://graph.microsoft.com"
DEFAULT_SCOPE = ".default"
OIDC_SCOPES = {
    "openid": "Sign you in",
    "profile": "View your basic profile",
    "email": "View your email address",
    "offline_access": "Maintain access to data you have given it access to",
}
GRAPH_SCOPES = {
    "User.Read": "Sign you in and read your profile",
    "User.ReadBasic.All": "Read the basic profiles of all users in your organization",
    "User.Read.All": "Read the full profiles of all users",
    "People.Read": "Read the people most relevant to you",
    "Directory.Read.All": "Read directory data",
    "Group.Read.All": "Read all groups",
    "GroupMember.Read.All": "Read group memberships",
    "Mail.ReadBasic": "Read basic information of your mail (no bodies)",
    "Mail.Read": "Read your mail",
    "Mail.ReadWrite": "Read, update, create and delete your mail",
    "Mail.Send": "Send mail as you",
    "Calendars.ReadBasic": "Read basic information of your calendar events",
    "Calendars.Read": "Read your calendars",
    "Calendars.ReadWrite": "Have full access to your calendars",
    "Calendars.Read.Shared": "Read your calendars and calendars shared with you, including free/busy of colleagues",
    "Calendars.ReadWrite.Shared": "Read and write your calendars and calendars shared with you",
    "Files.Read": "Read your files",
    "Files.Read.All": "Read all files that you can access",
    "Files.ReadWrite": "Have full access to your files",
    "Files.ReadWrite.All": "Have full access to all files you can access",
    "Sites.Read.All": "Read items in all site collections",
    "Sites.ReadWrite.All": "Edit or delete items in all site collections",
    "Team.ReadBasic.All": "Read the names and descriptions of your teams",
    "Channel.ReadBasic.All": "Read the names and descriptions of channels",
    "ChannelMessage.Read.All": "Read the messages in your teams' channels",
    "ChannelMessage.Send": "Send channel messages as you",
}
_CANONICAL = {name.lower(): name for name in [*GRAPH_SCOPES, *OIDC_SCOPES]}


@dataclass(frozen=True)
class ScopeRequest:
    """A parsed ``scope`` parameter: OpenID Connect scopes and Graph permissions (canonical names)."""

    oidc: tuple[str, ...]
    graph: tuple[str, ...]

    @property
    def offline(self) -> bool:
        return "offline_access" in self.oidc

    def describe(self) -> list[tuple[str, str]]:
        """``(name, human description)`` for the consent page."""
        return [(name, GRAPH_SCOPES[name]) for name in self.graph] + [
            (name, OIDC_SCOPES[name]) for name in self.oidc
        ]

    def granted(self) -> str:
        """The ``scope`` value of a token response."""
        return " ".join([*self.graph, *(s for s in self.oidc if s != "offline_access")])


def parse_scopes(value: str | list[str] | None) -> ScopeRequest:
    """Read ``Mail.Read``, ``https://graph.microsoft.com/Mail.Read``, ``.default`` and OIDC scopes.

    Raises an ``invalid_scope`` (AADSTS70011) error for anything else.
    """
    items = value.split() if isinstance(value, str) else list(value or [])
    oidc: list[str] = []
    graph: list[str] = []
    for item in items:
        name = item
        lowered = item.lower()
        if lowered.startswith(GRAPH_RESOURCE + "/"):
            name = item[len(GRAPH_RESOURCE) + 1 :]
        elif lowered.startswith(("https://", "api://")):
            raise OAuthError(
                "invalid_scope", 70011,
                f"The provided value for the input parameter 'scope' is not valid. The scope '{item}' is not "
                f"a Microsoft Graph permission; this identity provider only issues tokens for {GRAPH_RESOURCE}.",
            )
        if name == DEFAULT_SCOPE:
            graph.extend(scope for scope in GRAPH_SCOPES if scope not in graph)
            continue
        canonical = _CANONICAL.get(name.lower())
        if canonical is None:
            raise OAuthError(
                "invalid_scope", 70011,
                f"The provided value for the input parameter 'scope' is not valid. The scope '{item}' does not "
                "exist. Use delegated Microsoft Graph permissions such as Mail.Read or User.Read.",
            )
        bucket = oidc if canonical in OIDC_SCOPES else graph
        if canonical not in bucket:
            bucket.append(canonical)
    if not oidc and not graph:
        raise OAuthError(
            "invalid_request", 900144,
            "The request body must contain the following parameter: 'scope'. Pass the Graph permissions the app needs.",
        )
    return ScopeRequest(tuple(oidc), tuple(graph))
