"""SQLModel tables. Importing this package registers every table on `SQLModel.metadata`."""

from crm_app.models.chat import AuditEntry, ChatMessage, Conversation
from crm_app.models.crm import (
    DEFAULT_PROBABILITY,
    PIPELINE,
    Activity,
    ActivityKind,
    Company,
    Contact,
    ContactEmail,
    Deal,
    DealStage,
)
from crm_app.models.integration import Integration, McpServer, OAuthState
from crm_app.models.user import AuthSession, SignInAttempt, User

__all__ = [
    "Activity",
    "ActivityKind",
    "AuditEntry",
    "AuthSession",
    "ChatMessage",
    "Company",
    "Contact",
    "ContactEmail",
    "Conversation",
    "DEFAULT_PROBABILITY",
    "Deal",
    "DealStage",
    "Integration",
    "McpServer",
    "OAuthState",
    "PIPELINE",
    "SignInAttempt",
    "User",
]
