"""Structured tool outputs. Their JSON schemas are published as each tool's output schema."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

BodyKind = Literal["preview", "full", "empty"]


class Output(BaseModel):
    """Base of every output shape: field aliases on the wire, names accepted in Python."""

    model_config = ConfigDict(serialize_by_alias=True, validate_by_name=True, validate_by_alias=True)


class Recipient(Output):
    name: str = Field(description="Display name, may be empty")
    address: str = Field(description="Email address")


RECIPIENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["name", "address"],
    "description": "A person: {\"name\": display name (may be empty), \"address\": email address}",
}
# Recipients are published as an object with its two required keys rather than with a schema per
# key: every client validates each tool result against the output schema, and this keeps that
# check cheap for results that list many people.
OptionalPerson = Annotated[Recipient | None, WithJsonSchema({**RECIPIENT_SCHEMA, "type": ["object", "null"]})]
People = Annotated[list[Recipient], WithJsonSchema({"type": "array", "items": RECIPIENT_SCHEMA})]


class Email(Output):
    id: str = Field(description="Message id; pass it to outlook_get_email or outlook_reply_email")
    subject: str
    from_: OptionalPerson = Field(alias="from", description="Sender: {\"name\", \"address\"}")
    to: People
    cc: People
    received_at: str | None = Field(description="When it was received, ISO-8601 UTC")
    is_read: bool
    has_attachments: bool
    importance: str
    conversation_id: str | None
    web_link: str | None = Field(description="Opens the message in Outlook on the web")
    body: str = Field(description="Body text: a preview or the full body, as body_kind says")
    body_kind: BodyKind = Field(
        description="'preview': Graph's 255-character preview only; 'full': the whole body as plain text; "
        "'empty': the message has no body text"
    )
    body_truncated: bool = Field(description="True when body holds less than the whole message text")


class Attachment(Output):
    name: str
    size: int | None = Field(description="Size in bytes")
    content_type: str | None


class FullEmail(Email):
    attachments: list[Attachment]


class EmailSearchResult(Output):
    emails: list[Email]
    count: int
    has_more: bool = Field(description="True when more messages matched than were returned")
    dropped_mismatches: int = Field(
        description="Messages Graph returned that did not match the requested sender, dates or unread flag, "
        "and were therefore left out"
    )


class EmailResult(Output):
    email: FullEmail


class MailFolder(Output):
    id: str
    display_name: str
    parent_folder_id: str | None
    unread_count: int | None
    total_count: int | None
    child_folder_count: int | None


class FolderList(Output):
    folders: list[MailFolder]
    count: int
    has_more: bool


class DraftResult(Output):
    status: Literal["draft_created"]
    draft: Email


class SendResult(Output):
    status: Literal["sent"]
    to: People
    cc: People
    subject: str


class ForwardResult(Output):
    status: Literal["forwarded"]
    message_id: str
    subject: str
    to: People = Field(description="Who the email was forwarded to")


class ReplyResult(Output):
    status: Literal["replied"]
    message_id: str
    reply_all: bool
    subject: str
    to: People = Field(description="Who the reply went to")


class Attendee(Output):
    name: str
    address: str
    type: str = Field(description="required, optional or resource")
    response: str = Field(description="none, accepted, tentativelyAccepted, declined, notResponded or organizer")


class Event(Output):
    id: str
    subject: str
    start: str | None = Field(description="ISO-8601 with the offset of time_zone")
    end: str | None = Field(description="ISO-8601 with the offset of time_zone")
    time_zone: str
    is_all_day: bool
    location: str
    attendees: list[Attendee]
    organizer: OptionalPerson
    is_online_meeting: bool
    online_meeting_url: str | None
    web_link: str | None = Field(description="Opens the event in Outlook on the web")
    body_preview: str


class EventList(Output):
    events: list[Event]
    count: int
    has_more: bool


class EventResult(Output):
    event: Event


class AttendeeAvailability(Output):
    address: str
    availability: str = Field(description="free, tentative, busy, oof, workingElsewhere or unknown")


class MeetingSuggestion(Output):
    start: str | None
    end: str | None
    confidence: float | None = Field(description="0-100: how likely all attendees can attend")
    organizer_availability: str | None
    attendee_availability: list[AttendeeAvailability]
    reason: str | None


class MeetingTimes(Output):
    suggestions: list[MeetingSuggestion]
    count: int
    time_zone: str
    empty_reason: str | None = Field(description="Why there is no suggestion, when there is none")


class File(Output):
    id: str
    name: str
    size: int | None
    is_folder: bool
    mime_type: str | None
    last_modified_at: str | None
    last_modified_by: str | None
    web_url: str | None
    path: str | None = Field(description="Folder path inside the drive, e.g. /Documents/Q4 report.xlsx")
    drive_id: str | None = Field(description="Drive holding the item; pass it with item_id to read or share")
    site_name: str | None = Field(default=None, description="The SharePoint site holding the item, for site files")


class FileList(Output):
    files: list[File]
    count: int
    has_more: bool


class FileContent(Output):
    file: File
    content: str
    truncated: bool = Field(description="True when content holds only the start of the file")
    content_kind: Literal["text"]


class ShareResult(Output):
    status: Literal["shared"]
    file_name: str
    web_url: str | None
    recipients: list[str]
    role: str
    link: str | None = Field(None, description="Sharing link, when Graph returned one")


class NamedItem(Output):
    """A site, team or channel: an id, a name, a description and a browser link."""

    id: str
    display_name: str | None
    description: str | None
    web_url: str | None


class Site(NamedItem):
    name: str | None


class SiteList(Output):
    sites: list[Site]
    count: int
    has_more: bool


class Team(NamedItem):
    pass


class TeamList(Output):
    teams: list[Team]
    count: int
    has_more: bool


class Channel(NamedItem):
    pass


class ChannelList(Output):
    channels: list[Channel]
    count: int
    has_more: bool


class ChannelPost(Output):
    id: str
    author: str = Field(description="Who posted it (a person's or an app's display name)")
    created_at: str | None = Field(description="UTC, ISO-8601")
    subject: str | None
    body: str = Field(description="The message as plain text (HTML converted and sanitised)")
    web_url: str | None = Field(description="Opens the message in Teams")


class ChannelMessageList(Output):
    team: Team
    channel: Channel
    channel_messages: list[ChannelPost] = Field(description="Newest first; replies are not included")
    count: int
    has_more: bool


class PostedMessage(Output):
    id: str
    web_url: str | None
    created_at: str | None


class PostResult(Output):
    message: PostedMessage


class Person(Output):
    id: str
    kind: Literal["user", "group", "contact"] = Field(
        description="'user': someone in the organisation; 'group': a mail-enabled group; "
        "'contact': an external person the user corresponds with"
    )
    display_name: str | None
    address: str | None = Field(description="Email address to use in to, cc, attendees or recipients")
    job_title: str | None
    description: str | None = Field(description="A group's description, or a contact's company")


class PeopleResult(Output):
    people: list[Person]
    count: int
