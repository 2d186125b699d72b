"""Tools shaped like a Graph-generated MS365 MCP server's (kebab-case resource names, camelCase path ids,
OData query options), registered in an order that puts the wrong tool first for every capability."""

from __future__ import annotations

from typing import Any

from crm_app.tools.base import BaseTool, ToolContext, ToolRegistry, ToolResult, ToolSchema

ODATA = {
    "top": {"type": "integer"}, "skip": {"type": "integer"}, "search": {"type": "string"},
    "filter": {"type": "string"}, "count": {"type": "boolean"},
    "orderby": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
    "select": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
}
SELECT = {"select": ODATA["select"]}


class ScriptedTool(BaseTool):
    """A registry tool that records its calls and answers with a fixed payload."""

    def __init__(self, name: str, description: str, properties: dict[str, Any], required: tuple[str, ...] = (),
                 read_only: bool = True, answer: dict[str, Any] | None = None, source: str = "ms365") -> None:
        self.schema = ToolSchema(name=name, description=description, source=source, read_only=read_only,
                                 parameters={"type": "object", "properties": properties, "required": list(required)})
        self.answer = answer or {"value": []}
        self.calls: list[dict[str, Any]] = []

    async def run(self, ctx: ToolContext, arguments: dict[str, Any]) -> ToolResult:
        self.calls.append(dict(arguments))
        return ToolResult(ok=True, tool=self.name, source=self.schema.source, data=self.answer)


def ids(*names: str) -> dict[str, Any]:
    return {n: {"type": "string"} for n in names}


def graph_tools() -> list[ScriptedTool]:
    w = False
    return [
        ScriptedTool("list-chat-messages", "Retrieve the list of messages in a chat.", {**ODATA, **ids("chatId")}, ("chatId",)),
        ScriptedTool("get-chat-message", "Retrieve a single message or a message reply in a channel or a chat.",
                     {**SELECT, **ids("chatId", "chatMessageId")}, ("chatId", "chatMessageId")),
        ScriptedTool("list-shared-mailbox-messages", "The messages in a mailbox or folder.", {**ODATA, **ids("userId")},
                     ("userId",)),
        ScriptedTool("list-mail-messages", "List, search, and filter Outlook email messages in the signed-in user's "
                     "mailbox across all folders.", dict(ODATA)),
        ScriptedTool("get-mail-message", "Get a single Outlook email message by its message ID, including full body.",
                     {**SELECT, **ids("messageId")}, ("messageId",)),
        ScriptedTool("get-group-calendar-view", "Get the occurrences of events in a calendar view defined by a time "
                     "range.", {**ODATA, **ids("startDateTime", "endDateTime", "groupId")},
                     ("startDateTime", "endDateTime", "groupId")),
        ScriptedTool("list-calendar-events", "Get a list of event objects in the user's mailbox.", dict(ODATA)),
        ScriptedTool("get-calendar-view", "Get the occurrences, exceptions, and single instances of events in a "
                     "calendar view defined by a time range.", {**ODATA, **ids("startDateTime", "endDateTime")},
                     ("startDateTime", "endDateTime")),
        ScriptedTool("get-drive-item", "All items contained in the drive.", {**SELECT, **ids("driveId", "driveItemId")},
                     ("driveId", "driveItemId")),
        ScriptedTool("list-drives", "Retrieve the list of Drive resources available for a target User, Group, or Site.",
                     dict(ODATA), answer={"value": [{"id": "b!site", "driveType": "documentLibrary"},
                                                    {"id": "b!mine", "driveType": "business"}]}),
        ScriptedTool("list-folder-files", "Return a collection of DriveItems in the children relationship of a "
                     "DriveItem.", {**ODATA, **ids("driveId", "driveItemId")}, ("driveId", "driveItemId")),
        ScriptedTool("search-onedrive-files", "Search the hierarchy of items for items matching a query.",
                     {**ODATA, **ids("driveId", "q")}, ("driveId", "q")),
        ScriptedTool("create-outlook-contact", "Add a contact to the root Contacts folder.", {"body": {"type": "object"}},
                     ("body",), read_only=w),
        ScriptedTool("create-draft-email", "Create a draft Outlook email message in the signed-in user's Drafts folder.",
                     {"body": {"type": "object"}}, ("body",), read_only=w),
        ScriptedTool("list-groups", "List all the groups in an organization.", dict(ODATA)),
        ScriptedTool("list-users", "Retrieve a list of user objects.", {**ODATA, "ConsistencyLevel": {"type": "string"}}),
    ]


def registry_of(tools: list[BaseTool]) -> ToolRegistry:
    registry = ToolRegistry()
    for tool in tools:
        registry.register(tool)
    return registry
