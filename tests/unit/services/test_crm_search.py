"""Indexed search (FTS5 trigram on SQLite, pg_trgm on PostgreSQL) finds exactly what a LIKE scan finds."""

from __future__ import annotations

import random

import pytest
import sqlalchemy as sa
from sqlalchemy import func, or_
from sqlmodel import select

from crm_app.db import get_engine, session_scope, utcnow
from crm_app.migrations import downgrade, upgrade
from crm_app.models import Company, Contact, ContactEmail, Deal
from crm_app.services import crm, crm_search

FIRST = ("Alex", "Sam", "Jo", "Émile", "Kim", "Lee", "Ana-Maria", "O'Neil", "Zoë", "Bo")
LAST = ("Smith", "Garcia", "Okafor", "Chen", "Silva", "van der Berg", "Fischer", "100%_Sure", 'Quote"d', "Back\\slash")
WORDS = ("Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay", "Pied Piper", "Soylent")
INDUSTRIES = ("Software", "Retail", "Energy", "Finance", None)
QUERIES = (
    "a", "al", "ale", "alex", "ALEX", "smith", "Okafor1", "okafor12", "x sm", "alex smith", "ex sm",
    "@c1", "person1", ".example", "acme", "ACME corp", "iper", "pied piper 3", "software", "retail",
    "%", "_", "100%", "%_s", "quote\"", "\"d", "back\\", "\\slash", "o'n", "ana-m", "van der", "r b",
    "émile", "zoë", "deal 7", "renewal", "expansion 1", "zzz-nothing", "  smith  ",
)


def _seed(n_companies: int = 40, n_contacts: int = 400, n_deals: int = 200, seed: int = 14) -> None:
    rng = random.Random(seed)
    now = utcnow()
    with session_scope() as s:
        companies = [Company(name=f"{rng.choice(WORDS)} {word} {i}", domain=f"c{i}.example" if i % 3 else None,
                             industry=rng.choice(INDUSTRIES), created_at=now, updated_at=now)
                     for i, word in enumerate(rng.choice(("Corp", "Ltd", "GmbH", "Labs")) for _ in range(n_companies))]
        s.add_all(companies)
        s.flush()
        for i in range(n_contacts):
            c = Contact(first_name=rng.choice(FIRST), last_name=f"{rng.choice(LAST)}{i if i % 4 else ''}",
                        company_id=rng.choice(companies).id if i % 5 else None, created_at=now, updated_at=now)
            s.add(c)
            s.flush()
            for k in range(i % 3):
                s.add(ContactEmail(contact_id=c.id, email=f"person{i}.{k}@c{i % 50}.example", is_primary=k == 0))
        for i in range(n_deals):
            s.add(Deal(title=f"{rng.choice(('Renewal', 'Expansion', 'Pilot', 'Deal'))} {i}",
                       company_id=rng.choice(companies).id if i % 4 else None, created_at=now, updated_at=now))


def _like(column, q: str):
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")


def _scan_ids(model, q: str) -> set[int]:
    """The plain LIKE scan the indexed search replaces, written out independently of it."""
    q = q.strip()
    with session_scope() as s:
        company_names = select(Company.id).where(_like(Company.name, q))
        if model is Contact:
            full = func.lower(Contact.first_name + " " + Contact.last_name)
            escaped = q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            cond = or_(_like(Contact.first_name, q), _like(Contact.last_name, q), full.like(f"%{escaped}%", escape="\\"),
                       Contact.id.in_(select(ContactEmail.contact_id).where(_like(ContactEmail.email, q))),
                       Contact.company_id.in_(company_names))
        elif model is Company:
            cond = or_(_like(Company.name, q), _like(Company.domain, q), _like(Company.industry, q))
        else:
            cond = or_(_like(Deal.title, q), Deal.company_id.in_(company_names))
        return set(s.exec(select(model.id).where(cond)).all())


def _service_ids(list_fn, q: str) -> tuple[set[int], int]:
    ids: set[int] = set()
    page, total = 1, None
    while True:
        result = list_fn(q=q, page=page, page_size=crm.MAX_PAGE_SIZE)
        total = result.total
        ids.update(row["id"] for row in result.rows)
        if page >= result.pages:
            return ids, total
        page += 1


@pytest.mark.parametrize(("model", "list_fn"), [(Contact, crm.list_contacts), (Company, crm.list_companies),
                                                 (Deal, crm.list_deals)], ids=["contacts", "companies", "deals"])
def test_indexed_search_matches_the_like_scan(database, model, list_fn):
    _seed()
    nonempty = 0
    for q in QUERIES:
        expected = _scan_ids(model, q)
        found, total = _service_ids(list_fn, q)
        assert found == expected, f"{model.__name__} search {q!r}: extra {found - expected}, missing {expected - found}"
        assert total == len(expected)
        nonempty += bool(expected)
    assert nonempty >= 5  # the comparison covers real matches, not only empty results
    assert _scan_ids(model, "zzz-nothing") == set()


def test_search_follows_inserts_updates_and_deletes(database):
    user = None
    globex = crm.create_company({"name": "Globex Zephyr"}, user)
    person = crm.create_contact({"first_name": "Quincy", "last_name": "Marlowe", "emails": "qm@zephyr.example"}, user)
    deal = crm.create_deal({"title": "Harbour pilot", "company_id": globex["id"]}, user)
    assert [r["id"] for r in crm.list_contacts(q="quincy mar").rows] == [person["id"]]
    assert [r["id"] for r in crm.list_contacts(q="zephyr.exa").rows] == [person["id"]]
    assert [r["id"] for r in crm.list_deals(q="zephyr").rows] == [deal["id"]]

    crm.update_contact(person["id"], {"first_name": "Quentin", "last_name": "Marlowe", "emails": "qm@other.example",
                                      "company_id": globex["id"]})
    assert crm.list_contacts(q="quincy").total == 0
    assert crm.list_contacts(q="zephyr.exa").total == 0
    assert [r["id"] for r in crm.list_contacts(q="quentin m").rows] == [person["id"]]
    assert [r["id"] for r in crm.list_contacts(q="globex zep").rows] == [person["id"]]  # through its company

    crm.update_company(globex["id"], {"name": "Initrode"})
    assert crm.list_companies(q="globex").total == 0
    assert crm.list_contacts(q="globex").total == 0
    assert [r["id"] for r in crm.list_companies(q="nitro").rows] == [globex["id"]]
    crm.update_deal(deal["id"], {"title": "Harbour expansion"})
    assert crm.list_deals(q="pilot").total == 0 and crm.list_deals(q="r expan").total == 1

    crm.delete_deal(deal["id"])
    crm.delete_contact(person["id"])
    crm.delete_company(globex["id"])
    for list_fn in (crm.list_contacts, crm.list_companies, crm.list_deals):
        for q in ("quentin", "marlowe", "qm@other", "initrode", "harbour"):
            assert list_fn(q=q).total == 0


def test_migration_fills_the_index_from_existing_rows_and_downgrades(database):
    _seed(n_companies=5, n_contacts=30, n_deals=10)
    expected = _scan_ids(Contact, "okafor")
    assert expected
    downgrade(database, "0002")
    engine = get_engine()
    with engine.connect() as conn:
        names = set(sa.inspect(conn).get_table_names())
        indexes = {ix["name"] for table in ("contacts", "contact_emails", "companies", "deals")
                   for ix in sa.inspect(conn).get_indexes(table)}
    assert not {n for n in names if n.endswith("_fts") or "_fts_" in n}
    assert not {n for n in indexes if n and n.endswith("_trgm")}
    upgrade(database)
    assert _service_ids(crm.list_contacts, "okafor")[0] == expected


def _plan(statement, *, scans_priced_out: bool = False) -> str:
    engine = get_engine()
    with engine.connect() as conn:
        compiled = statement.compile(engine, compile_kwargs={"literal_binds": True})
        if engine.dialect.name == "sqlite":
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}").all()
            return "\n".join(str(row[-1]) for row in rows)
        if scans_priced_out:
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        return "\n".join(row[0] for row in conn.exec_driver_sql(f"EXPLAIN {compiled}").all())


def _grow(n: int) -> None:
    now = utcnow()
    with get_engine().begin() as conn:
        conn.execute(sa.insert(Company), [{"name": f"Firm {i}", "domain": f"f{i}.example", "created_at": now,
                                           "updated_at": now} for i in range(n // 10)])
        conn.execute(sa.insert(Contact), [{"first_name": f"Given{i}", "last_name": f"Family{i}", "created_at": now,
                                           "updated_at": now} for i in range(n)])
        ids = conn.execute(sa.select(Contact.id)).scalars().all()
        conn.execute(sa.insert(ContactEmail), [{"contact_id": cid, "email": f"p{cid}@f{cid % 50}.example",
                                                "is_primary": True} for cid in ids])
        conn.execute(sa.insert(Deal), [{"title": f"Deal {i}", "amount": 0, "currency": "USD", "stage": "lead",
                                        "probability": 10, "created_at": now, "updated_at": now} for i in range(n // 4)])


def test_searches_are_served_by_the_index(database):
    _grow(40_000)
    if get_engine().dialect.name == "postgresql":
        with get_engine().execution_options(isolation_level="AUTOCOMMIT").connect() as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")  # as autovacuum would after a bulk load: statistics, GIN pending list
    with session_scope() as s:
        dialect = s.get_bind().dialect.name
        contacts = _plan(select(Contact.id).where(crm_search.contact_condition(s, "family123")))
        # A few thousand companies or deals are cheaper to scan, and PostgreSQL rightly does; with scans priced
        # out, the plan shows whether the indexes can serve these exact conditions at all.
        companies = _plan(select(Company.id).where(crm_search.company_condition(s, "firm 1234")), scans_priced_out=True)
        deals = _plan(select(Deal.id).where(crm_search.deal_condition(s, "deal 7777")), scans_priced_out=True)
        short = _plan(select(Contact.id).where(crm_search.contact_condition(s, "fa")))
    if dialect == "sqlite":
        for fts, plan in (("contacts_fts", contacts), ("contact_emails_fts", contacts), ("companies_fts", contacts),
                          ("companies_fts", companies), ("deals_fts", deals), ("companies_fts", deals)):
            assert f"SCAN {fts} VIRTUAL TABLE INDEX" in plan, plan
        assert "SCAN contacts\n" not in contacts + "\n", contacts  # no full scan of the contacts table
        assert "_fts" not in short  # below three characters the trigram index cannot answer; a scan does
    else:
        for index, plan in (("ix_contacts_full_name_trgm", contacts),
                            ("ix_contact_emails_email_trgm", contacts), ("ix_companies_name_trgm", companies),
                            ("ix_companies_domain_trgm", companies), ("ix_deals_title_trgm", deals)):
            assert f"Bitmap Index Scan on {index}" in plan, plan
        assert "Seq Scan on contacts" not in contacts, contacts


def _page_statement(list_fn, **kwargs) -> tuple[str, object]:
    """The statement ``list_fn`` runs for its page, and its parameters, as sent to the database."""
    sent = []

    def grab(conn, cursor, statement, parameters, context, executemany):
        sent.append((statement, parameters))

    engine = get_engine()
    sa.event.listen(engine, "before_cursor_execute", grab)
    try:
        list_fn(**kwargs)
    finally:
        sa.event.remove(engine, "before_cursor_execute", grab)
    return sent[0]


def test_a_contact_search_page_reads_only_the_matching_contacts(database):
    _grow(40_000)
    engine = get_engine()
    if engine.dialect.name == "postgresql":
        with engine.execution_options(isolation_level="AUTOCOMMIT").connect() as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    # 1,111 matches, all together in the order by name: a plan that walks that order, or scans the
    # whole table to join the matches back, reads the 40,000 contacts rather than the matches.
    for sort in ("name", "company", "created"):
        statement, parameters = _page_statement(crm.list_contacts, q="family12", sort=sort)
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
                plan = "\n".join(str(row[-1]) for row in rows)
                assert "SCAN contacts\n" not in plan + "\n", plan
            else:
                plan = "\n".join(row[0] for row in conn.exec_driver_sql(f"EXPLAIN {statement}", parameters).all())
                assert "Seq Scan on contacts" not in plan, plan
                assert "Index Scan using contacts_pkey on contacts" in plan, plan
                assert "ix_contacts_last_first" not in plan, plan
    assert crm.list_contacts(q="family12").total == 1111


def test_contact_search_pages_come_in_the_order_of_the_like_scan(database):
    _seed()
    with session_scope() as s:
        order = (Contact.last_name, Contact.first_name, Contact.id)
        everyone = s.exec(select(Contact.id).order_by(*order)).all()
    for q in ("okafor", "a", "@c1", "acme", "smith", "%"):
        expected = [cid for cid in everyone if cid in _scan_ids(Contact, q)]
        pages = [crm.list_contacts(q=q, page=page, page_size=10).rows for page in (1, 2, 3)]
        assert [row["id"] for rows in pages for row in rows] == expected[:30], q
