"""Resource schemas: which properties exist, their types, and which can be filtered or sorted."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

EDM_NAMES = {
    "string": "Edm.String",
    "bool": "Edm.Boolean",
    "datetime": "Edm.DateTimeOffset",
    "number": "Edm.Int64",
    "null": "null",
    "object": "Edm.ComplexType",
    "collection": "Collection",
}


@dataclass(frozen=True)
class FieldType:
    """The type of one property: a scalar kind, an object with fields, or a collection of ``element``."""

    kind: str
    fields: Mapping[str, FieldType] = field(default_factory=dict)
    element: FieldType | None = None
    filterable: bool = True
    sortable: bool = True

    @property
    def edm(self) -> str:
        return EDM_NAMES[self.kind]


@dataclass(frozen=True)
class EntitySchema:
    """A Graph resource type: ``type_name`` as it appears in error messages, and its properties."""

    type_name: str
    fields: Mapping[str, FieldType]

    def has(self, name: str) -> bool:
        return name in self.fields


STRING = FieldType("string")
BOOL = FieldType("bool", sortable=True)
DATETIME = FieldType("datetime")
NUMBER = FieldType("number")
OPAQUE = FieldType("object", filterable=False, sortable=False)
OPAQUE_LIST = FieldType("collection", element=OPAQUE, filterable=False, sortable=False)
TEXT_ONLY = FieldType("string", filterable=False, sortable=False)


def obj(**fields: FieldType) -> FieldType:
    return FieldType("object", fields=fields, sortable=False)


def collection(element: FieldType) -> FieldType:
    return FieldType("collection", element=element, sortable=False)


EMAIL_ADDRESS = obj(name=STRING, address=STRING)
RECIPIENT = obj(emailAddress=EMAIL_ADDRESS)
ITEM_BODY = obj(contentType=STRING, content=TEXT_ONLY)
DATE_TIME_TIMEZONE = obj(dateTime=STRING, timeZone=STRING)
IDENTITY = obj(id=STRING, displayName=STRING)
IDENTITY_SET = obj(user=obj(id=STRING, displayName=STRING, email=STRING))
# The properties every Outlook item (message, event) has, as Graph's outlookItem base type defines them.
OUTLOOK_ITEM = {
    "@odata.etag": TEXT_ONLY,
    "id": STRING,
    "createdDateTime": DATETIME,
    "lastModifiedDateTime": DATETIME,
    "changeKey": STRING,
    "categories": collection(STRING),
}

MESSAGE = EntitySchema(
    "microsoft.graph.message",
    {
        **OUTLOOK_ITEM,
        "receivedDateTime": DATETIME,
        "sentDateTime": DATETIME,
        "hasAttachments": BOOL,
        "internetMessageId": STRING,
        "subject": STRING,
        "bodyPreview": STRING,
        "importance": STRING,
        "parentFolderId": STRING,
        "conversationId": STRING,
        "conversationIndex": TEXT_ONLY,
        "isDeliveryReceiptRequested": BOOL,
        "isReadReceiptRequested": BOOL,
        "isRead": BOOL,
        "isDraft": BOOL,
        "webLink": TEXT_ONLY,
        "inferenceClassification": STRING,
        "body": ITEM_BODY,
        "uniqueBody": ITEM_BODY,
        "sender": RECIPIENT,
        "from": RECIPIENT,
        "toRecipients": collection(RECIPIENT),
        "ccRecipients": collection(RECIPIENT),
        "bccRecipients": collection(RECIPIENT),
        "replyTo": collection(RECIPIENT),
        "flag": obj(flagStatus=STRING),
        "attachments": OPAQUE_LIST,
    },
)

MAIL_FOLDER = EntitySchema(
    "microsoft.graph.mailFolder",
    {
        "id": STRING,
        "displayName": STRING,
        "parentFolderId": STRING,
        "childFolderCount": NUMBER,
        "unreadItemCount": NUMBER,
        "totalItemCount": NUMBER,
        "sizeInBytes": NUMBER,
        "isHidden": BOOL,
    },
)

ATTENDEE = obj(type=STRING, status=obj(response=STRING, time=STRING), emailAddress=EMAIL_ADDRESS)

EVENT = EntitySchema(
    "microsoft.graph.event",
    {
        **OUTLOOK_ITEM,
        "transactionId": STRING,
        "originalStartTimeZone": STRING,
        "originalEndTimeZone": STRING,
        "iCalUId": STRING,
        "reminderMinutesBeforeStart": NUMBER,
        "isReminderOn": BOOL,
        "hasAttachments": BOOL,
        "subject": STRING,
        "bodyPreview": STRING,
        "importance": STRING,
        "sensitivity": STRING,
        "isAllDay": BOOL,
        "isCancelled": BOOL,
        "isOrganizer": BOOL,
        "responseRequested": BOOL,
        "seriesMasterId": STRING,
        "showAs": STRING,
        "type": STRING,
        "webLink": TEXT_ONLY,
        "onlineMeetingUrl": STRING,
        "isOnlineMeeting": BOOL,
        "onlineMeetingProvider": STRING,
        "allowNewTimeProposals": BOOL,
        "isDraft": BOOL,
        "hideAttendees": BOOL,
        "responseStatus": obj(response=STRING, time=STRING),
        "body": ITEM_BODY,
        "start": DATE_TIME_TIMEZONE,
        "end": DATE_TIME_TIMEZONE,
        "location": obj(displayName=STRING, locationType=STRING, uniqueId=STRING, uniqueIdType=STRING),
        "locations": OPAQUE_LIST,
        "recurrence": OPAQUE,
        "attendees": collection(ATTENDEE),
        "organizer": RECIPIENT,
        "onlineMeeting": OPAQUE,
    },
)

USER = EntitySchema(
    "microsoft.graph.user",
    {
        "id": STRING,
        "displayName": STRING,
        "givenName": STRING,
        "surname": STRING,
        "mail": STRING,
        "userPrincipalName": STRING,
        "jobTitle": STRING,
        "department": STRING,
        "officeLocation": STRING,
        "mobilePhone": STRING,
        "businessPhones": collection(STRING),
        "preferredLanguage": STRING,
    },
)

GROUP = EntitySchema(
    "microsoft.graph.group",
    {
        "id": STRING,
        "displayName": STRING,
        "description": STRING,
        "mail": STRING,
        "mailNickname": STRING,
        "mailEnabled": BOOL,
        "securityEnabled": BOOL,
        "groupTypes": collection(STRING),
        "visibility": STRING,
        "createdDateTime": DATETIME,
    },
)

PERSON = EntitySchema(
    "microsoft.graph.person",
    {
        "id": STRING,
        "displayName": STRING,
        "givenName": STRING,
        "surname": STRING,
        "jobTitle": STRING,
        "companyName": STRING,
        "department": STRING,
        "userPrincipalName": STRING,
        "scoredEmailAddresses": collection(obj(address=STRING, relevanceScore=NUMBER)),
        "phones": OPAQUE_LIST,
        "personType": obj(**{"class": STRING, "subclass": STRING}),
    },
)

DRIVE_ITEM = EntitySchema(
    "microsoft.graph.driveItem",
    {
        "id": STRING,
        "name": STRING,
        "size": NUMBER,
        "createdDateTime": DATETIME,
        "lastModifiedDateTime": DATETIME,
        "webUrl": TEXT_ONLY,
        "eTag": TEXT_ONLY,
        "cTag": TEXT_ONLY,
        "description": STRING,
        "parentReference": OPAQUE,
        "file": OPAQUE,
        "folder": OPAQUE,
        "fileSystemInfo": OPAQUE,
        "createdBy": OPAQUE,
        "lastModifiedBy": OPAQUE,
        "shared": OPAQUE,
        "remoteItem": OPAQUE,
        "@microsoft.graph.downloadUrl": TEXT_ONLY,
    },
)

SITE = EntitySchema(
    "microsoft.graph.site",
    {
        "id": STRING,
        "name": STRING,
        "displayName": STRING,
        "description": STRING,
        "webUrl": TEXT_ONLY,
        "createdDateTime": DATETIME,
        "lastModifiedDateTime": DATETIME,
        "siteCollection": OPAQUE,
        "root": OPAQUE,
    },
)

TEAM = EntitySchema(
    "microsoft.graph.team",
    {
        "id": STRING,
        "displayName": STRING,
        "description": STRING,
        "isArchived": BOOL,
        "tenantId": STRING,
        "webUrl": TEXT_ONLY,
        "createdDateTime": DATETIME,
        "visibility": STRING,
        "internalId": STRING,
    },
)

CHANNEL = EntitySchema(
    "microsoft.graph.channel",
    {
        "id": STRING,
        "displayName": STRING,
        "description": STRING,
        "email": STRING,
        "webUrl": TEXT_ONLY,
        "membershipType": STRING,
        "createdDateTime": DATETIME,
        "isFavoriteByDefault": BOOL,
        "tenantId": STRING,
    },
)

CHAT_MESSAGE = EntitySchema(
    "microsoft.graph.chatMessage",
    {
        "id": STRING,
        "replyToId": STRING,
        "etag": STRING,
        "messageType": STRING,
        "createdDateTime": DATETIME,
        "lastModifiedDateTime": DATETIME,
        "lastEditedDateTime": DATETIME,
        "deletedDateTime": DATETIME,
        "subject": STRING,
        "summary": STRING,
        "chatId": STRING,
        "importance": STRING,
        "locale": STRING,
        "webUrl": TEXT_ONLY,
        "from": OPAQUE,
        "body": ITEM_BODY,
        "channelIdentity": OPAQUE,
        "attachments": OPAQUE_LIST,
        "mentions": OPAQUE_LIST,
        "reactions": OPAQUE_LIST,
        "policyViolation": OPAQUE,
        "eventDetail": OPAQUE,
        "messageHistory": OPAQUE_LIST,
    },
)
