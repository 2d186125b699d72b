"""Text the mail generator draws from: topics with subject and paragraph templates.

Placeholders: {first} (the recipient's first name), {sender} / {sender_first} /
{sender_title} / {sender_company} / {sender_phone}, {company}, {deal}, {amount},
{weekday}, {number}, {quarter}, {product}, {month}.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    """A kind of email: subjects to pick from, body paragraphs, and likely attachments."""

    subjects: tuple[str, ...]
    paragraphs: tuple[str, ...]
    attachments: tuple[str, ...] = ()


CUSTOMER_TOPICS = (
    Topic(
        ("{company}: follow-up on our call", "Following up - {deal}", "Next steps on {deal}"),
        (
            "Thanks for taking the time to speak with us on {weekday}. As discussed, our team reviewed the "
            "proposal for {deal} and we are broadly aligned on scope. The open points are the rollout "
            "timeline and the support tier, which we would like to settle before the end of {month}.",
            "Could you send over the revised schedule and confirm who from your side will lead the "
            "implementation? We would also appreciate a short summary of the onboarding plan so that I can "
            "share it with our leadership team.",
            "If it helps, I can set up a 30-minute meeting with our operations lead next week to walk through "
            "the remaining questions.",
        ),
        ("{company} requirements.docx", "Implementation timeline.pdf"),
    ),
    Topic(
        ("Updated quote for {product}", "{company} - revised pricing", "Quote #{number} for {company}"),
        (
            "Please find attached the updated quote for {product}. The total comes to {amount}, which "
            "includes the volume discount we discussed and twelve months of premium support.",
            "Our finance team needs the purchase order number before we can confirm delivery dates, so "
            "please let me know when it is available. Prices are valid until the end of {month}.",
        ),
        ("Quote {number}.pdf", "Pricing {company}.xlsx"),
    ),
    Topic(
        ("Meeting notes - {company} {weekday}", "Notes from today's meeting", "Recap: {deal} workshop"),
        (
            "Here are my notes from the meeting. Attendees agreed that phase one covers the core modules "
            "and that reporting will follow in phase two. Action items: {sender_first} to share the data "
            "migration checklist, {first} to confirm licence counts, and both teams to hold a review "
            "meeting in two weeks.",
            "Let me know if I missed anything or if any of the action items need another owner.",
        ),
        ("Meeting notes {company}.docx",),
    ),
    Topic(
        ("{quarter} quarterly report", "Quarterly report - {company} usage", "Our {quarter} business review"),
        (
            "Ahead of our quarterly business review, I am sharing the quarterly report for {company}. "
            "Adoption grew steadily over the quarter, support tickets fell by a third, and the "
            "team is keen to extend the rollout to two more sites.",
            "We would like to use the review to agree on targets for the next quarter and to discuss "
            "{deal}. Could you bring the latest figures from your side?",
        ),
        ("{quarter} report {company}.pdf", "Usage {quarter}.xlsx"),
    ),
    Topic(
        ("Contract questions", "{deal}: contract redlines", "Legal review of the agreement"),
        (
            "Our legal team has gone through the agreement and returned a few redlines, mostly around "
            "liability caps and data processing terms. None of them should change the commercial terms.",
            "Could your counsel take a look this week? We are aiming to sign before the end of {month} so "
            "that the project can start on schedule.",
        ),
        ("Agreement redlines.docx",),
    ),
    Topic(
        ("Invoice {number}", "Payment confirmation - invoice {number}", "Question about invoice {number}"),
        (
            "We received invoice {number} for {amount}. Accounts payable has scheduled the payment for "
            "the next run, on {weekday}.",
            "Please make sure future invoices quote our purchase order number; it speeds up approval.",
        ),
        ("Invoice {number}.pdf",),
    ),
    Topic(
        ("Security questionnaire", "{company} security review", "Data protection questions"),
        (
            "As part of our vendor onboarding, our security team asked me to send over the attached "
            "questionnaire. Most questions cover encryption at rest, access reviews and incident response.",
            "If you already have a SOC 2 report or an ISO 27001 certificate, sharing it would answer many "
            "of the questions at once.",
        ),
        ("Security questionnaire.xlsx",),
    ),
    Topic(
        ("Quick question", "Re: {deal}", "Checking in"),
        ("Hi {first}, just checking whether you had a chance to look at my last email. No rush.",),
    ),
)

COLLEAGUE_TOPICS = (
    Topic(
        ("Weekly sales meeting", "Sales meeting agenda for {weekday}", "Pipeline review meeting"),
        (
            "Agenda for this week's sales meeting: pipeline review, forecast for {quarter}, and any "
            "deals at risk. Please update your opportunities in the CRM before the meeting.",
            "We will also look at the win/loss notes from last month.",
        ),
    ),
    Topic(
        ("Quarterly report figures", "{quarter} numbers for the quarterly report", "Input needed: quarterly report"),
        (
            "I am pulling together the quarterly report and need your closed-won figures and a one-line "
            "comment on each of your top three accounts by {weekday}.",
            "The finance team will consolidate everything into the board pack the following week.",
        ),
        ("Quarterly report template.xlsx",),
    ),
    Topic(
        ("Expense approval", "Travel expenses for {month}", "Expense report {number}"),
        (
            "Your expense report {number} for {amount} has been approved and will be paid with the next "
            "payroll. Receipts for the client dinner were attached correctly, thanks.",
        ),
    ),
    Topic(
        ("Budget 2027 planning", "Budget 2027 - sales headcount", "Input for the 2027 budget"),
        (
            "We are starting the budget 2027 cycle. Please send your assumptions for new logos, renewals "
            "and travel by the end of {month}. The draft spreadsheet is in the Finance site.",
            "Keep in mind that the renewal forecast should include Globex at the negotiated price.",
        ),
        ("Budget assumptions.xlsx",),
    ),
    Topic(
        ("Team lunch on Friday", "Office closed on {weekday}", "New starter joining the team"),
        ("Quick note for the team: {sender_first} is organising lunch on Friday at 12:30. Reply if you can make it.",),
    ),
    Topic(
        ("Can you cover the {company} call?", "Handover: {company}", "{company} account update"),
        (
            "I am out on {weekday}; could you cover the call with {company}? The main topic is {deal}. "
            "My notes are in the CRM and the latest proposal is in OneDrive.",
        ),
    ),
)

NEWSLETTER_TOPICS = (
    Topic(
        ("Industry Digest: five trends for {quarter}", "This week in B2B software", "Your weekly digest"),
        (
            "Five trends shaping the market this quarter: consolidation among mid-market vendors, usage-based "
            "pricing, AI assistants in sales tools, stricter data residency rules and longer procurement cycles.",
            "Read the full analysis on our website. You are receiving this email because you subscribed to the "
            "Industry Digest.",
        ),
    ),
)

PARTNER_TOPICS = (
    Topic(
        ("Partnership meeting next week?", "Joint webinar proposal", "Referral programme update"),
        (
            "Would you have time for a meeting next week to discuss a joint webinar for {quarter}? We think "
            "our customers in logistics and retail would benefit from a combined offer.",
        ),
    ),
)

TRAVEL_TOPICS = (
    Topic(
        ("Booking confirmation {number}", "Your itinerary for {weekday}", "Hotel reservation confirmed"),
        (
            "Your booking {number} is confirmed. Flight departs {weekday} at 08:40; please check in online "
            "24 hours before departure. Hotel: two nights, breakfast included.",
        ),
        ("Itinerary {number}.pdf",),
    ),
)

REPLY_PARAGRAPHS = (
    "Thanks {first}, that works for me. I will send the updated documents by {weekday}.",
    "Hi {first}, thanks for the update. Let me check with the team and come back to you tomorrow.",
    "Hi {first}, attached is what we discussed. Happy to set up a meeting if anything is unclear.",
    "Thanks {first}. Confirming we are on track for {month}; I have added the action items to the CRM.",
)

SHORT_BODIES = ("Thanks!", "See you then.", "Will do.", "Sounds good - thanks.", "Noted, thank you.")

PRODUCTS = ("the analytics add-on", "premium support", "the fleet module", "50 additional seats", "the POS connector")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)
SPAM_SUBJECTS = ("You have won a prize", "Cheap watches", "Urgent: claim your refund")
SPAM_SENDERS = (("Prize Center", "winner@prize-center.example"), ("Deals", "offers@cheap-deals.example"))
CATEGORIES = ("Red category", "Blue category", "Green category", "Orange category")
