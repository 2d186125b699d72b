"""Seeded calendars: past and coming weeks of meetings, shared between demo users."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from crm_app.sandbox.data.ids import IdFactory
from crm_app.sandbox.data.tenant import Person, Tenant, User
from crm_app.sandbox.links import Links
from crm_app.sandbox.store.calendar import Calendar, StoredEvent, attendee, build_event
from crm_app.sandbox.timezones import resolve

PAST_WEEKS = 3
COMING_WEEKS = 4
VENDOR = Person("Vendor Sync", "vendor@vendor-sync.example")


class Scheduler:
    """Places meetings in the organizer's calendar and copies them to demo attendees' calendars."""

    def __init__(self, tenant: Tenant, ids: IdFactory, links: Links, rng: random.Random, now: datetime) -> None:
        self.tenant = tenant
        self.ids = ids
        self.links = links
        self.rng = rng
        self.now = now
        self.calendars = {user.mail.lower(): Calendar(user.mail, ids.outlook()) for user in tenant.users}
        self.zone = tenant.main_user.time_zone
        self.today = now.astimezone(resolve(self.zone)).date()

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=resolve(self.zone)).astimezone(UTC)

    def day(self, offset: int) -> date:
        return self.today + timedelta(days=offset)

    def next_weekday(self, weekday: int) -> date:
        ahead = (weekday - self.today.weekday()) % 7 or 7
        return self.today + timedelta(days=ahead)

    def meeting(
        self,
        organizer: Person,
        subject: str,
        day: date,
        hour: int,
        minute: int = 0,
        minutes: int = 60,
        attendees: list[Person] | None = None,
        **kwargs: Any,
    ) -> StoredEvent:
        start = self.at(day, hour, minute)
        end = start + timedelta(minutes=minutes)
        return self.place(organizer, subject, start, end, attendees or [], **kwargs)

    def all_day(self, organizer: Person, subject: str, day: date, **kwargs: Any) -> StoredEvent:
        start = self.at(day, 0)
        return self.place(organizer, subject, start, self.at(day + timedelta(days=1), 0), [], is_all_day=True,
                          **kwargs)

    def place(self, organizer: Person, subject: str, start: datetime, end: datetime, people: list[Person],
              **kwargs: Any) -> StoredEvent:
        attendees = [attendee(person) for person in people]
        created = min(start, self.now) - timedelta(days=self.rng.randint(1, 10))
        ical_uid = "040000008200E00074C5B7101A82E00800000000" + self.ids.hex(32).upper()
        placed: StoredEvent | None = None
        for owner in [organizer, *people]:
            calendar = self.calendars.get(owner.address.lower())
            if calendar is None:
                continue
            event = build_event(
                self.ids, self.links, subject=subject, organizer=organizer, owner_mail=owner.address, start=start,
                end=end, created=created, zone=self.zone, attendees=attendees, ical_uid=ical_uid, **kwargs,
            )
            calendar.add(event)
            placed = placed or event
        if placed is None:
            raise ValueError(f"No demo calendar for '{subject}'")
        return placed


def _weekdays(scheduler: Scheduler, first: int, last: int) -> list[date]:
    days = (scheduler.day(offset) for offset in range(first, last + 1))
    return [d for d in days if d.weekday() < 5]


def generate_calendars(tenant: Tenant, ids: IdFactory, links: Links, rng: random.Random,
                       now: datetime) -> dict[str, Calendar]:
    """Every user's calendar, keyed by lower-case address."""
    s = Scheduler(tenant, ids, links, rng, now)
    users = {user.local_part.split(".")[0]: user for user in tenant.users}
    main: User = tenant.main_user
    me = main.person
    colleagues = [u.person for u in tenant.users if u is not main]
    jordan = users["jordan"].person if "jordan" in users else colleagues[0]
    sam = users["sam"].person if "sam" in users else colleagues[-1]
    morgan = users["morgan"].person if "morgan" in users else colleagues[-1]
    contacts = {c.emails[0]: c.person for c in tenant.contacts}
    by_company = {c.company: c.person for c in reversed(tenant.contacts)}
    deals = {d.company: d for d in tenant.deals}

    def contact(company: str, index: int = 0) -> Person:
        matches = [c.person for c in tenant.contacts if c.company == company]
        return matches[min(index, len(matches) - 1)] if matches else by_company.get(company, me)

    s.meeting(me, "Pipeline review", s.day(0), 9, 30, 30, [jordan], location="Room 4.02")
    acme = deals.get("Acme Corporation")
    s.meeting(me, f"{acme.title.capitalize() if acme else 'Acme'} - call with {contact('Acme Corporation').name}",
              s.day(0), 14, 0, 45, [contact("Acme Corporation"), contact("Acme Corporation", 1)], online=True,
              location="Microsoft Teams Meeting",
              paragraphs=["Agenda: maintenance terms after year one, training sessions, purchase order timing."])
    s.meeting(me, "Focus time", s.day(0), 16, 0, 30, show_as="busy")
    s.meeting(me, "Globex renewal negotiation", s.day(1), 11, 0, 60,
              [contacts.get(deals["Globex"].contact, contact("Globex")) if "Globex" in deals else contact("Globex"),
               contact("Globex"), jordan], online=True, location="Globex HQ, San Francisco",
              paragraphs=["Pricing for a three-year term, analytics add-on, support arrangement."])
    partner = next((p for p in tenant.external_senders if "partner" in p.address), None)
    if partner:
        s.meeting(me, f"Lunch with {partner.name}", s.day(1), 12, 30, 60, [partner], location="The Crown, London")
    s.meeting(me, "Initech pilot kickoff meeting", s.next_weekday(0), 10, 0, 60,
              [contact("Initech"), contact("Initech", 1)], online=True, location="Microsoft Teams Meeting")
    s.meeting(me, "Umbrella Health steering meeting", s.day(2), 15, 0, 60,
              [contact("Umbrella Health"), contact("Umbrella Health", 1)], online=True)
    s.meeting(me, "Acme quarterly business review", s.day(8), 13, 0, 120, [contact("Acme Corporation"), jordan],
              location="Acme Corporation, Manchester")
    s.meeting(me, "Stark fleet analytics go-live review", s.day(-10), 15, 0, 60, [contact("Stark Logistics")])
    s.meeting(me, "Wayne Retail POS demo", s.day(-22), 11, 0, 90, [contact("Wayne Retail")])
    s.meeting(me, "Acme QBR (old time)", s.day(-1), 13, 0, 60, [contact("Acme Corporation")], is_cancelled=True)
    s.all_day(me, "Sales team offsite", s.day(14), show_as="oof", location="Brighton")
    s.meeting(sam, "Budget 2027 review", s.day(3), 14, 0, 60, [me, morgan], location="Finance room",
              paragraphs=["Walk through the Budget 2027 spreadsheet: sales assumptions and headcount."])
    s.meeting(VENDOR, "<img src=x onerror=alert(1)> Vendor sync", s.day(5), 16, 0, 30, [me],
              body_html="<p>Agenda attached.</p><script>alert('event')</script>"
                        "<a href=\"javascript:alert(1)\">Join meeting</a>",
              text="Agenda attached.\nJoin meeting")
    for day in _weekdays(s, -7 * PAST_WEEKS, 7 * COMING_WEEKS):
        if day.weekday() == 3:
            s.meeting(me, "Weekly sales meeting", day, 10, 0, 60, [jordan], location="Room 4.02")
        if day.weekday() < 5 and day != s.today and rng.random() < 0.5:
            company = rng.choice(tenant.companies)["name"]
            s.meeting(me, f"Customer call - {company}", day, rng.choice((9, 11, 15, 16)), 0, 30, [contact(company)],
                      online=True)
        if rng.random() < 0.25:
            s.meeting(me, "Prep: proposal review", day, 8, 30, 30)
    for day in _weekdays(s, 0, 7):
        s.meeting(jordan, "Focus time", day, 14, 0, 120)
        s.meeting(sam, "Finance stand-up", day, 9, 0, 15, [morgan])
    s.all_day(morgan, "Out of office", s.day(2), show_as="oof")
    return s.calendars
