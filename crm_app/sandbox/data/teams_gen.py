"""Seeded teams ("Sales", "Finance"), channels and channel messages."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from crm_app.sandbox.data.ids import IdFactory
from crm_app.sandbox.data.tenant import Tenant, User
from crm_app.sandbox.links import Links
from crm_app.sandbox.odata.values import format_datetime
from crm_app.sandbox.store.teams import Channel, ChannelMessage, Team, chat_message

CHANNEL_MESSAGES = {
    ("Sales", "General"): [
        ("jordan", "Reminder: weekly sales meeting moves to Thursday 10:00 this week."),
        ("avery", "Acme board supports the plant expansion proposal - decision expected within a month."),
        ("jordan", "Great news. Please log the next steps in the CRM."),
        ("avery", "<p>Updated pricing sheet is in the Sales site: <a href=\"https://northwind.sharepoint.com/sites/Sales\">Pricing 2027.xlsx</a></p>"),
    ],
    ("Sales", "Deals"): [
        ("avery", "Globex renewal: Hannah asked about a three-year term and the analytics add-on."),
        ("jordan", "We can offer 5% off per year for three years. Check with finance first."),
        ("avery", "<p>Heads-up: a phishing mail with <code>&lt;script&gt;</code> tags is going around - do not click 'Pay now'.</p>"),
        ("jordan", "Initech pilot kickoff meeting is next Monday; Peter brings three engineers."),
    ],
    ("Sales", "Renewals"): [
        ("jordan", "Renewals due this quarter: Globex (negotiation)."),
        ("avery", "Globex wants SSO confirmed before renewing."),
    ],
    ("Finance", "General"): [
        ("sam", "Month-end close: expense reports and credit notes by Thursday please."),
        ("morgan", "Forecast for Q1 uploaded to the Finance site."),
    ],
    ("Finance", "Budget 2027"): [
        ("sam", "First pass of the Budget 2027 spreadsheet is ready for review."),
        ("morgan", "Sales tab needs renewal assumptions for Globex and Initech."),
        ("avery", "Globex at USD 85,000 for two years; Initech pilot USD 15,000."),
        ("sam", "Thanks Avery - budget 2027 review meeting is on the calendar."),
    ],
    ("Finance", "Month-end close"): [
        ("morgan", "Intercompany reconciliation done."),
        ("sam", "<img src=x onerror=alert('teams')> Revenue recognition reviewed - all clear."),
    ],
}
TEAMS = (
    ("Sales", "Sales team: pipeline, deals and renewals.", ("General", "Deals", "Renewals"), ("avery", "jordan")),
    ("Finance", "Finance team: budget, forecasts and month-end close.", ("General", "Budget 2027", "Month-end close"),
     ("sam", "morgan", "avery")),
)


def generate_teams(tenant: Tenant, ids: IdFactory, links: Links, rng: random.Random, now: datetime) -> list[Team]:
    """The demo tenant's teams with channels and messages, newest last in each channel."""
    users: dict[str, User] = {user.local_part.split(".")[0]: user for user in tenant.users}
    teams = []
    for name, description, channel_names, member_keys in TEAMS:
        team_id = ids.guid()
        created = now - timedelta(days=rng.randint(200, 500))
        team = Team(
            {
                "id": team_id,
                "createdDateTime": format_datetime(created),
                "displayName": name,
                "description": description,
                "internalId": ids.channel(),
                "classification": None,
                "specialization": "none",
                "visibility": "private",
                "webUrl": links.team(team_id),
                "isArchived": False,
                "tenantId": tenant.id,
            },
            tuple(users[key].mail.lower() for key in member_keys if key in users),
        )
        for channel_name in channel_names:
            channel_id = ids.channel()
            channel = Channel({
                "id": channel_id,
                "createdDateTime": format_datetime(created + timedelta(days=1)),
                "displayName": channel_name,
                "description": f"{channel_name} channel of the {name} team.",
                "isFavoriteByDefault": channel_name == "General",
                "email": f"{channel_name.lower().replace(' ', '')}.{name.lower()}@{tenant.domain}",
                "webUrl": links.channel(team_id, channel_id),
                "membershipType": "standard",
                "tenantId": tenant.id,
            })
            entries = CHANNEL_MESSAGES.get((name, channel_name), [])
            moment = now - timedelta(days=len(entries) * 2 + 1)
            for author_key, text in entries:
                author = users.get(author_key, tenant.main_user)
                moment += timedelta(days=rng.randint(1, 2), minutes=rng.randint(1, 600))
                moment = min(moment, now - timedelta(minutes=5))
                message_id = channel.next_message_id(moment)
                html = text.startswith("<")
                channel.messages.append(ChannelMessage(chat_message(
                    message_id, team_id=team_id, channel_id=channel_id, tenant_id=tenant.id,
                    author={"id": author.id, "displayName": author.display_name}, content=text,
                    content_type="html" if html else "text", created=moment,
                    web_url=links.chat_message(team_id, channel_id, message_id),
                )))
            team.channels[channel_id] = channel
        teams.append(team)
    return teams
