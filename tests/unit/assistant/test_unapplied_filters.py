"""A reply never states a filter the tool did not apply: the grounding check, and the replies that say
plainly what was applied on our side and what was not."""

from __future__ import annotations

from crm_app.assistant import replies
from crm_app.assistant.grounding import unapplied_filter_claims
from crm_app.assistant.intents import Intent, Plan

ARGS = {"sender": "john.smith@acme.example", "start": "2026-03-22T00:00:00+00:00",
        "end": "2026-03-25T00:00:00+00:00", "unread_only": True, "query": "pricing"}
PLAN = Plan(Intent.MAIL_SEARCH, ARGS)
CARDS = [{"kind": "email", "id": "1", "title": "t"}]


def test_a_reply_stating_an_unapplied_filter_is_caught():
    claims = replies.filter_claims(ARGS, "John Smith", ["sender", "unread_only", "query", "start"])
    stated = replies.results_reply("mail.search", PLAN, CARDS, ARGS, sender_label="John Smith")
    assert set(unapplied_filter_claims(stated, claims)) == {"sender", "unread_only", "query", "start"}


def test_an_honest_sentence_is_not_a_claim():
    claims = replies.filter_claims(ARGS, "John Smith", ["sender"])
    honest = ("I found 1 email — emails. The list_emails tool can't filter by emails from John Smith, so that part "
              "of your request is not applied to these results.")
    assert unapplied_filter_claims(honest, claims) == []
    assert unapplied_filter_claims("Here are the emails from John Smith.", claims) == ["sender"]
    assert unapplied_filter_claims("Here are the emails from JOHN  smith.", claims) == ["sender"]


def test_only_the_filters_that_were_not_applied_are_checked():
    claims = replies.filter_claims(ARGS, "John Smith", ["query"])
    stated = replies.results_reply("mail.search", PLAN, CARDS, ARGS, sender_label="John Smith")
    assert unapplied_filter_claims(stated, claims) == ["query"]
    shown = {k: v for k, v in ARGS.items() if k != "query"}
    honest = replies.results_reply("mail.search", PLAN, CARDS, shown, sender_label="John Smith")
    assert unapplied_filter_claims(honest, claims) == [] and "from John Smith" in honest


def test_the_note_names_what_was_checked_here_and_what_was_not_applied():
    note = replies.limits_note("mailbox_lookup", ["sender", "start", "end"], ["query", "folder"], ARGS)
    assert note == ("The mailbox_lookup tool can't filter by sender and date, so I filtered what it returned by that "
                    "myself. The mailbox_lookup tool can't filter by the words “pricing” and folder, so that part of "
                    "your request is not applied to these results.")
    assert replies.limits_note("t", [], [], ARGS) == ""
    assert unapplied_filter_claims(note, replies.filter_claims(ARGS, "", ["query"])) == []
