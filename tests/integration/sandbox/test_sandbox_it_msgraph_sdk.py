"""Fidelity: the official msgraph-sdk, which nobody here wrote, lists, filters, pages and sends mail,
and reads calendar and files from the sandbox."""

from __future__ import annotations

from typing import Any

import pytest
from kiota_abstractions.api_error import APIError
from kiota_abstractions.authentication import (
    AccessTokenProvider,
    AllowedHostsValidator,
    BaseBearerTokenAuthenticationProvider,
)
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.generated.models.body_type import BodyType
from msgraph.generated.models.email_address import EmailAddress
from msgraph.generated.models.item_body import ItemBody
from msgraph.generated.models.message import Message
from msgraph.generated.models.recipient import Recipient
from msgraph.generated.users.item.calendar_view.calendar_view_request_builder import (
    CalendarViewRequestBuilder,
)
from msgraph.generated.users.item.messages.messages_request_builder import (
    MessagesRequestBuilder,
)
from msgraph.generated.users.item.send_mail.send_mail_post_request_body import (
    SendMailPostRequestBody,
)
from msgraph_core import PageIterator
from sandbox_it_support import AVERY, JORDAN


class StaticToken(AccessTokenProvider):
    def __init__(self, token: str) -> None:
        self.token = token

    async def get_authorization_token(self, uri: str, additional_authentication_context: Any = None) -> str:
        return self.token

    def get_allowed_hosts_validator(self) -> AllowedHostsValidator:
        return AllowedHostsValidator(["127.0.0.1"])


def sdk(sandbox, token: str) -> GraphServiceClient:
    adapter = GraphRequestAdapter(BaseBearerTokenAuthenticationProvider(StaticToken(token)))
    adapter.base_url = f"{sandbox.url}/v1.0"
    return GraphServiceClient(request_adapter=adapter)


@pytest.fixture
def client(sandbox, mint):
    return sdk(sandbox, mint(AVERY)["access_token"])


async def test_list_filter_select_count_and_page(client):
    query = MessagesRequestBuilder.MessagesRequestBuilderGetQueryParameters(
        filter="from/emailAddress/address eq 'john.smith@acme.example'", top=4,
        select=["subject", "from", "receivedDateTime"], count=True)
    first = await client.me.messages.get(RequestConfiguration(query_parameters=query))
    assert first.odata_count >= 10 and len(first.value) == 4
    assert all(m.from_.email_address.address == "john.smith@acme.example" for m in first.value)
    assert first.value[0].received_date_time.tzinfo is not None
    second = await client.me.messages.with_url(first.odata_next_link).get()
    assert {m.id for m in second.value}.isdisjoint(m.id for m in first.value)

    page = await client.me.messages.get(RequestConfiguration(
        query_parameters=MessagesRequestBuilder.MessagesRequestBuilderGetQueryParameters(top=100, select=["subject"])))
    ids: list[str] = []
    await PageIterator(page, client.request_adapter).iterate(lambda message: ids.append(message.id) or True)
    assert len(ids) == 500 and len(set(ids)) == 500


async def test_full_message_with_html_body(client):
    query = MessagesRequestBuilder.MessagesRequestBuilderGetQueryParameters(
        filter="subject eq 'Globex renewal - SSO requirements'")
    [summary] = (await client.me.messages.get(RequestConfiguration(query_parameters=query))).value
    message = await client.me.messages.by_message_id(summary.id).get()
    assert message.body.content_type == BodyType.Html and "SCIM" in message.body.content
    assert message.conversation_index and message.web_link.startswith("http://127.0.0.1:")


async def test_errors_surface_as_odata_errors(client):
    query = MessagesRequestBuilder.MessagesRequestBuilderGetQueryParameters(
        search='"report"', orderby=["receivedDateTime desc"])
    with pytest.raises(APIError) as caught:
        await client.me.messages.get(RequestConfiguration(query_parameters=query))
    assert caught.value.response_status_code == 400
    assert caught.value.error.code == "SearchWithOrderBy"


async def test_send_mail(client, sandbox, mint):
    body = SendMailPostRequestBody(
        message=Message(subject="Sent with the SDK", body=ItemBody(content_type=BodyType.Text, content="Hello Jordan"),
                        to_recipients=[Recipient(email_address=EmailAddress(address=JORDAN))]),
        save_to_sent_items=True,
    )
    await client.me.send_mail.post(body)
    sent = await client.me.mail_folders.by_mail_folder_id("sentitems").messages.get()
    assert sent.value[0].subject == "Sent with the SDK"
    jordan = sdk(sandbox, mint(JORDAN)["access_token"])
    inbox = await jordan.me.mail_folders.by_mail_folder_id("inbox").messages.get()
    assert inbox.value[0].subject == "Sent with the SDK" and inbox.value[0].body_preview == "Hello Jordan"


async def test_calendar_view(client):
    query = CalendarViewRequestBuilder.CalendarViewRequestBuilderGetQueryParameters(
        start_date_time="2026-03-04T00:00:00Z", end_date_time="2026-03-06T00:00:00Z", top=50)
    events = (await client.me.calendar_view.get(RequestConfiguration(query_parameters=query))).value
    subjects = [e.subject for e in events]
    assert "Pipeline review" in subjects and "Globex renewal negotiation" in subjects
    negotiation = next(e for e in events if e.subject == "Globex renewal negotiation")
    assert negotiation.start.time_zone == "UTC" and negotiation.attendees and negotiation.is_online_meeting


async def test_files(client):
    drive = await client.me.drive.get()
    children = (await client.drives.by_drive_id(drive.id).items.by_drive_item_id("root").children.get()).value
    assert [c.name for c in children] == ["Documents", "Notes", "Reports", "Welcome.txt"]
    assert children[0].folder.child_count == 3
    welcome = next(c for c in children if c.name == "Welcome.txt")
    content = await client.drives.by_drive_id(drive.id).items.by_drive_item_id(welcome.id).content.get()
    assert content.startswith(b"Welcome to your OneDrive")
