"""Greetings, help, and honest refusals of what the assistant cannot do."""

from __future__ import annotations

import re

from crm_app.assistant.intents import Intent, Plan
from crm_app.assistant.offline.common import CONFIDENT, Request, cut, plan, unsupported

HELP_SUGGESTIONS: list[str] = [
    "Show me emails from the last 3 days",
    "Find emails about the quarterly report",
    "Send an email to john.smith@acme.example about our meeting",
    "What's on my calendar tomorrow?",
    "Schedule a meeting with the team next Monday at 2pm",
    "List my recent OneDrive files",
    "Find the Q4 report in SharePoint",
    "Share the budget spreadsheet with the finance team",
    "Move the Acme deal to negotiation",
    "Add a note to the Acme deal: they want a discount",
]
MAIL_SUGGESTIONS = [
    "Show my unread emails",
    "Find emails about the quarterly report",
    "Show me emails from last week",
]
CALENDAR_SUGGESTIONS = [
    "What's on my calendar tomorrow?",
    "Schedule a meeting with the team next Monday at 2pm",
]
DEAL_SUGGESTIONS = [
    "Show my deals",
    "Show deals in negotiation",
    "Show deals in proposal",
]
FILE_SUGGESTIONS = [
    "List my recent OneDrive files",
    "Share the budget spreadsheet with the finance team",
]

_GREETING = re.compile(
    r"^(?:hi|hiya|hello|hey|howdy|yo|greetings|good (?:morning|afternoon|evening|day)|morning|evening|"
    r"hey there|hi there|hello there|thanks|thank you|thank you so much|thanks a lot|many thanks|cheers|"
    r"ta|great|cool|ok|okay|nice|perfect|awesome|got it|bye|goodbye|see you|how are you|how is it going|"
    r"what is up|sup)(?: (?:there|assistant|again|so much|a lot|very much|mate|everyone))*[ !.,?]*$"
)
_HELP = re.compile(
    r"^(?:help(?: me)?|what can (?:you|i) (?:do|ask(?: you)?|say)(?: here)?(?: for me| with you)?|"
    r"how (?:does|do) (?:this|you|it) work|how do i use (?:this|you|it)|what (?:commands|things|requests) "
    r"(?:do you (?:understand|know|support)|can i (?:use|ask|give you))|what are your (?:capabilities|features|commands)|"
    r"what do you do|show (?:me )?(?:the )?(?:commands|examples)|(?:give me )?(?:some )?examples|who are you|"
    r"what are you|what can you help (?:me )?with|what are you (?:able to do|capable of|good at|for)|what else can you do|"
    r"capabilities|commands)[ ?!.]*$"
)

_WORKSPACE_NOUNS = re.compile(
    r"\b(?:emails?|mail|inbox|messages?|files?|documents?|spreadsheets?|reports?|sharepoint|onedrive|calendar|meetings?)\b|@"
)
_TOPICAL = 6
_WEATHER = re.compile(
    r"\b(?:weather|temperature|raining|rain|sunny|snow|snowing)\b"
    r"|^(?:what is )?the forecast(?: for (?:today|tomorrow|tonight|the weekend|this week))?$"
)
_ASKED_LEAD = re.compile(
    r"^(?:(?:what|how much|how many|how) (?:is|are|was|were|will be|would be|do|does|did)|what|show(?: me)?|give me|tell me"
    r"|get(?: me)?|can i (?:see|get|have)|i (?:want|need|would like)(?: to see)?)\b(?: (?:our|my|the|a|an|me))*\b"
)
_ANALYTICS = re.compile(
    r"\b(?:revenue|forecasts?|forecasting|projections?|profits?|margins?|bookings|income|earnings|turnover|"
    r"quota attainment|win rate|conversion rate|churn|kpis?|dashboard|sales figures|sales report|pipeline value)\b"
)
_REFUSALS: list[tuple[re.Pattern[str], str, list[str]]] = [
    (
        re.compile(
            r"\b(?:flights?|hotels?|airbnb|train tickets?|taxi|uber|lyft|cab|car rental|rental car|plane tickets?|trip to)\b"
        ),
        "I can't book travel. I can schedule the time in your calendar or email someone about the trip.",
        CALENDAR_SUGGESTIONS,
    ),
    (
        _WEATHER,
        "I can't check the weather; I only work with your mail, calendar, files, Teams and CRM.",
        HELP_SUGGESTIONS[:4],
    ),
    (
        re.compile(
            r"\b(?:stock|stocks|share price|shares price|stock price|market cap|exchange rate|bitcoin|crypto)\b"
        ),
        "I can't look up market data; I only work with your mail, calendar, files, Teams and CRM.",
        HELP_SUGGESTIONS[:4],
    ),
    (
        re.compile(
            r"\b(?:news|headlines|football|soccer|match|score|scores|who won|election)\b"
        ),
        "I can't look up news or sports; I only work with your mail, calendar, files, Teams and CRM.",
        HELP_SUGGESTIONS[:4],
    ),
    (
        re.compile(
            r"\b(?:joke|jokes|poem|song|sing|music|playlist|spotify|movie|recipe)\b|^play\b"
        ),
        "I can't help with that; I work with your mail, calendar, files, Teams and CRM.",
        HELP_SUGGESTIONS[:4],
    ),
    (
        re.compile(
            r"^order\b(?! (?:by|of)\b)|\b(?:pizza|takeaway|food delivery|groceries)\b"
        ),
        "I can't order anything; I work with your mail, calendar, files, Teams and CRM.",
        HELP_SUGGESTIONS[:4],
    ),
    (
        re.compile(r"\btranslate\b|\btranslation\b"),
        "I can't translate text yet. I can open an email or a file so you can read it in full.",
        MAIL_SUGGESTIONS,
    ),
    (
        re.compile(
            r"^(?:what is |calculate |compute )?\d+(?:\.\d+)? ?(?:\+|-|\*|x|/|plus|minus|times|divided by) ?\d"
        ),
        "I can't do calculations; I work with your mail, calendar, files, Teams and CRM.",
        HELP_SUGGESTIONS[:4],
    ),
    (
        re.compile(
            r"\b(?:out of office|out-of-office|ooo|auto-?reply|automatic repl(?:y|ies)|vacation (?:responder|reply))\b"
        ),
        "I can't change your out-of-office settings. Please set it in Outlook.",
        MAIL_SUGGESTIONS,
    ),
    (
        re.compile(
            r"\b(?:delete|remove|trash|erase|purge|empty|clear|clean up|archive|move)\b.*\b(?:emails?|mails?|messages?|inbox|junk|spam|trash|deleted items|mailbox)\b"
            r"|\b(?:empty|clear|purge)\b.*\b(?:folder|bin)\b"
        ),
        "I can't delete, move or archive email. I can search your mail, show messages and send or reply.",
        MAIL_SUGGESTIONS,
    ),
    (
        re.compile(
            r"\bmark\b.*\b(?:as )?(?:read|unread|important|spam|junk)\b|\b(?:flag|unflag|unsubscribe)\b"
            r"|\bblock\b(?! (?:out|off|some|an?|one|two|three|half|\d+|time|my calendar)\b)"
        ),
        "I can't change flags or read status on email. I can search your mail and show messages.",
        MAIL_SUGGESTIONS,
    ),
    (
        re.compile(
            r"\b(?:auto-?)?forward(?:ing)? (?:all|every|each|everything|any and all)\b|\bauto-?forward|\b(?:forwarding|mail) rules?\b"
        ),
        "I can't forward mail in bulk or set up forwarding rules. I can forward one email at a time, "
        "after you confirm it: open the email, or name it, as in “forward the latest email from John Smith to …”.",
        MAIL_SUGGESTIONS,
    ),
    (
        re.compile(
            r"\b(?:cancel|delete|remove|decline|reschedule|postpone|move|push back|accept|rsvp)\b.*\b(?:meetings?|events?|appointments?|invites?|invitations?|calls?|standup)\b"
        ),
        "I can't cancel, move or answer calendar events yet. I can show your calendar and schedule new meetings.",
        CALENDAR_SUGGESTIONS,
    ),
    (
        re.compile(
            r"\b(?:delete|remove|trash|erase|rename|upload|move|copy|download|edit|print)\b.*\b(?:files?|spreadsheets?|sheets?|documents?|reports?|folders?|decks?|presentations?|pdfs?|workbooks?)\b"
        ),
        "I can't delete, rename, move or upload files. I can list, search, open and share them.",
        FILE_SUGGESTIONS,
    ),
    (
        re.compile(
            r"^(?:call|phone|ring|dial|text|sms|whatsapp|facetime)\b(?! (?:with|about)\b)"
        ),
        "I can't make phone calls or send texts. I can email the person or schedule a call in your calendar.",
        ["Email John Smith about …", "Schedule a call with John Smith tomorrow at 3pm"],
    ),
]


_NOT_OFFERED: list[tuple[re.Pattern[str], str, list[str]]] = [
    (
        re.compile(r"^(?:create|make|add|set up|rename|delete) (?:a |an |the |my )?(?:new )?(?:mail |outlook |email |inbox )?(?:sub)?folders?\b"),
        "I can't create, rename or delete mail folders. I can list your folders and search the mail in them.",
        ["Show my mail folders", *MAIL_SUGGESTIONS[:2]],
    ),
    (
        re.compile(r"^upload\b"),
        "I can't upload files. I can list, search, open and share the files already in OneDrive and SharePoint.",
        FILE_SUGGESTIONS + ["Find the Q4 report in SharePoint"],
    ),
    (
        re.compile(r"^(?:create|make|set up|start|add|build) (?:a |an )?(?:new )?(?:sharepoint |team )?sites?\b"),
        "I can't create SharePoint sites. I can list your sites and the files in them, and search SharePoint.",
        ["List my SharePoint sites", "Find the Q4 report in SharePoint"],
    ),
    (
        re.compile(r"^(?:change|reset|update|set|recover)\b.*\b(?:password|passcode|pin)\b"),
        "I can't change passwords or account settings. Please do that in your Microsoft account.",
        HELP_SUGGESTIONS[:3],
    ),
    (
        re.compile(r"^(?:recall|unsend|undo sending|take back)\b"),
        "I can't recall an email that was sent. I can show what you sent and help you write a follow-up.",
        ["Show the emails I sent this week", "Send an email to john.smith@acme.example about our meeting"],
    ),
    (
        re.compile(r"^(?:send|write|start)(?: a| an)? (?:direct message|dm|private message|private chat|chat message)\b"),
        "I can't send Teams chat messages to a person. I can post in a team's channel or email the person.",
        ["Post in the Sales team's General channel: …", "Email John Smith about …"],
    ),
]


def not_offered(req: Request) -> Plan | None:
    """Requests that start like a capability's but ask for what its tools do not offer (create a folder, recall)."""
    for pattern, reason, suggestions in _NOT_OFFERED:
        if pattern.search(req.n):
            return unsupported(reason, list(suggestions))
    return None


def greeting(req: Request) -> Plan | None:
    """A message that is only a greeting or thanks."""
    if _GREETING.match(req.full) or _GREETING.match(req.n):
        return plan(Intent.GREETING, {}, CONFIDENT)
    return None


def help_request(req: Request) -> Plan | None:
    """A request for what the assistant can do."""
    if not req.n.strip() or _HELP.match(req.n):
        return plan(Intent.HELP, {}, CONFIDENT, suggestions=list(HELP_SUGGESTIONS))
    return None


def asked(req: Request) -> str:
    """What the user asked for, in their own words, without the question's lead-in."""
    lead = _ASKED_LEAD.match(req.n)
    return cut(req, lead.end() if lead else 0, len(req.n)) or req.original(0, len(req.n))


def analytics(req: Request) -> Plan | None:
    """Forecasts, revenue and other figures the CRM does not compute, refused with the deal views it has."""
    n = req.n
    if _WORKSPACE_NOUNS.search(n) or _WEATHER.search(n) or not _ANALYTICS.search(n):
        return None
    return unsupported(
        f"I can't work out “{asked(req)}”: the CRM keeps deals, not forecasts or financial reports. "
        "I can show your deals by stage, each with its amount and expected close date.",
        list(DEAL_SUGGESTIONS),
    )


def refusal(req: Request) -> Plan | None:
    """Requests outside what the assistant's tools can do, refused with suggestions.

    Runs after the rules for writing email, CRM records and Teams posts, so words in a
    message body or note ("email Sam about the flight") never trigger a refusal.
    """
    figures = analytics(req)
    if figures is not None:
        return figures
    for position, (pattern, reason, suggestions) in enumerate(_REFUSALS):
        if position < _TOPICAL and _WORKSPACE_NOUNS.search(req.n):
            continue
        if pattern.search(req.n):
            return unsupported(reason, list(suggestions))
    return None


def fallback(req: Request, suggestions: list[str] | None = None) -> Plan:
    """What to say when no rule understood the message: what was asked, what can be done instead."""
    return unsupported(
        f"I can't do “{asked(req)}” yet. I can search and send email, check and schedule meetings, "
        "find and share files, post to Teams and update the CRM.",
        list(suggestions or HELP_SUGGESTIONS[:3]),
        confidence=0.3,
    )
