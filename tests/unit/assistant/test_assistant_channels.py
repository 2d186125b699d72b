"""Reading a Teams channel: the team and channel named in several ways, and what the rule leaves alone."""

from __future__ import annotations

import pytest

from crm_app.assistant.intents import Intent


@pytest.mark.parametrize("text,team,channel", [
    ("what's new in the sales general channel", "sales", "general"),
    ("Anything new on the Finance Month-end close channel?", "Finance", "Month-end close"),
    ("read the Deals channel of the Sales team", "Sales", "Deals"),
    ("latest posts in the Sales team's General channel", "Sales", "General"),
])
def test_channel_and_team(run, text, team, channel):
    plan = run(text)
    assert plan.intent == Intent.TEAMS_MESSAGES
    assert plan.args == {"team_name": team, "channel_name": channel}


def test_a_channel_without_its_team_is_a_question(run):
    plan = run("what's new in the general channel")
    assert plan.intent == Intent.CLARIFY
    assert "Which team" in plan.question and plan.args["pending_intent"] == "teams.messages"
    assert plan.args["partial"] == {"channel_name": "general"}


@pytest.mark.parametrize("text,intent", [
    ("list the channels of sales", Intent.TEAMS_CHANNELS),
    ("post 'Demo moved to 3pm' in the General channel of the Sales team", Intent.TEAMS_POST),
    ("show messages about the channel partner program", Intent.MAIL_SEARCH),
])
def test_listing_posting_and_mail_are_left_to_their_rules(run, text, intent):
    assert run(text).intent == intent
