"""Teams channels and messages; /me, users, groups and people."""

from __future__ import annotations

import pytest
from sandbox_it_support import AVERY, JORDAN, SAM

TEAMS = ["Team.ReadBasic.All", "Channel.ReadBasic.All", "ChannelMessage.Read.All", "ChannelMessage.Send"]


def team_and_channel(client, team_name="Sales", channel_name="Deals"):
    team = next(t for t in client.get("/me/joinedTeams").json()["value"] if t["displayName"] == team_name)
    channels = client.get(f"/teams/{team['id']}/channels").json()["value"]
    return team, next(c for c in channels if c["displayName"] == channel_name)


def test_joined_teams_and_channels(graph):
    client = graph(AVERY, TEAMS)
    teams = client.get("/me/joinedTeams").json()["value"]
    assert {t["displayName"] for t in teams} == {"Sales", "Finance"}
    assert {t["displayName"] for t in graph(JORDAN, TEAMS).get("/me/joinedTeams").json()["value"]} == {"Sales"}
    team, channel = team_and_channel(client)
    assert channel["id"].startswith("19:") and channel["membershipType"] == "standard"
    assert client.get(f"/teams/{team['id']}").json()["displayName"] == "Sales"
    assert client.get(f"/teams/{team['id']}/channels/{channel['id']}").json()["displayName"] == "Deals"


def test_channel_messages_post_reply_and_paging(graph):
    client = graph(AVERY, TEAMS)
    team, channel = team_and_channel(client)
    base = f"/teams/{team['id']}/channels/{channel['id']}/messages"
    listed = client.get(base).json()["value"]
    assert len(listed) == 4
    created = [m["createdDateTime"] for m in listed]
    assert created == sorted(created, reverse=True)
    assert listed[0]["from"]["user"]["userIdentityType"] == "aadUser" and listed[0]["messageType"] == "message"
    posted = client.post(base, json={"body": {"contentType": "html", "content": "<p>Globex signed!</p>"}})
    assert posted.status_code == 201
    message = posted.json()
    assert message["body"] == {"contentType": "html", "content": "<p>Globex signed!</p>"}
    assert message["from"]["user"]["displayName"] == "Avery Chen" and message["id"].isdigit()
    assert message["channelIdentity"] == {"teamId": team["id"], "channelId": channel["id"]}
    assert client.get(base, params={"$top": "1"}).json()["value"][0]["id"] == message["id"]
    reply = client.post(f"{base}/{message['id']}/replies", json={"body": {"content": "Well done"}})
    assert reply.status_code == 201 and reply.json()["replyToId"] == message["id"]
    assert client.get(f"{base}/{message['id']}/replies").json()["value"][0]["body"]["content"] == "Well done"
    expanded = client.get(base, params={"$top": "1", "$expand": "replies"}).json()["value"][0]
    assert len(expanded["replies"]) == 1
    first = client.get(base, params={"$top": "2"}).json()
    second = client.get(first["@odata.nextLink"]).json()
    assert {m["id"] for m in first["value"]}.isdisjoint(m["id"] for m in second["value"])
    assert client.get(base, params={"$top": "51"}).status_code == 400
    assert client.get(base, params={"$filter": "subject eq 'x'"}).status_code == 400
    assert client.post(base, json={"body": {"content": "  "}}).status_code == 400


def test_membership_and_scopes(graph):
    finance_team = next(t for t in graph(AVERY, TEAMS).get("/me/joinedTeams").json()["value"]
                        if t["displayName"] == "Finance")
    denied = graph(JORDAN, TEAMS).get(f"/teams/{finance_team['id']}/channels")
    assert denied.status_code == 403 and "not a member" in denied.json()["error"]["message"]
    read_only = graph(AVERY, ["Team.ReadBasic.All", "Channel.ReadBasic.All", "ChannelMessage.Read.All"])
    team, channel = team_and_channel(read_only)
    assert read_only.post(f"/teams/{team['id']}/channels/{channel['id']}/messages",
                          json={"body": {"content": "x"}}).status_code == 403
    assert graph(AVERY, ["Team.ReadBasic.All"]).get(f"/teams/{team['id']}/channels").status_code == 403
    assert read_only.get("/teams/00000000-0000-4000-8000-000000000000").status_code == 404


def test_me_and_users(graph):
    me = graph(AVERY, ["User.Read"]).get("/me").json()
    assert me["displayName"] == "Avery Chen" and me["userPrincipalName"] == AVERY
    assert graph(AVERY, ["User.Read"]).get("/me", params={"$select": "displayName"}).json().keys() == {
        "@odata.context", "id", "displayName"}
    client = graph(AVERY, ["User.ReadBasic.All"])
    everyone = client.get("/users").json()["value"]
    assert len(everyone) == 4
    started = client.get("/users", params={"$filter": "startswith(displayName,'sa')"}).json()["value"]
    assert [u["mail"] for u in started] == [SAM]
    needs_header = client.get("/users", params={"$search": '"displayName:jor"'})
    assert needs_header.status_code == 400 and "ConsistencyLevel: eventual" in needs_header.json()["error"]["message"]
    searched = client.get("/users", params={"$search": '"displayName:jor" OR "mail:sam"', "$count": "true"},
                          headers={"ConsistencyLevel": "eventual"}).json()
    assert {u["mail"] for u in searched["value"]} == {JORDAN, SAM} and searched["@odata.count"] == 2
    assert client.get(f"/users/{JORDAN}").json()["displayName"] == "Jordan Patel"
    missing = client.get("/users/nobody@northwind.example")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "Request_ResourceNotFound"
    assert graph(AVERY, ["User.Read"]).get("/users").status_code == 403


@pytest.mark.parametrize("scopes", [["GroupMember.Read.All"], ["Group.Read.All"]])
def test_groups_resolve_finance_team(graph, scopes):
    client = graph(AVERY, scopes)
    groups = client.get("/groups", params={"$filter": "startswith(displayName,'Finance')"}).json()["value"]
    assert [(g["displayName"], g["mail"]) for g in groups] == [("Finance team", "finance@northwind.example")]
    searched = client.get("/groups", params={"$search": '"displayName:finance"'},
                          headers={"ConsistencyLevel": "eventual"}).json()["value"]
    assert [g["mail"] for g in searched] == ["finance@northwind.example"]
    members = client.get(f"/groups/{groups[0]['id']}/members").json()["value"]
    assert {m["mail"] for m in members} == {SAM, "morgan.lee@northwind.example"}


def test_groups_need_a_group_scope(graph):
    denied = graph(AVERY, ["User.ReadBasic.All"]).get("/groups")
    assert denied.status_code == 403 and "GroupMember.Read.All" in denied.json()["error"]["message"]


def test_people(graph):
    client = graph(AVERY, ["People.Read"])
    finance = client.get("/me/people", params={"$search": "finance"}).json()["value"]
    assert [(p["displayName"], p["personType"]["class"]) for p in finance] == [("Finance team", "Group")]
    john = client.get("/me/people", params={"$search": '"john"'}).json()["value"]
    assert {p["scoredEmailAddresses"][0]["address"] for p in john} == {"john.smith@acme.example",
                                                                       "john.baker@globex.example"}
    assert len(client.get("/me/people").json()["value"]) == 10
