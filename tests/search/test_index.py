"""The search index: kept in step by every write, and never changing what search finds.

On SQLite the FTS5 tables must hold exactly the base rows' values after each kind of write
(create, update, delete, restore, merge and its undo, import and its undo); on both engines search
with the index must find what the LIKE scan finds (tests below compare them for many queries).
"""

from datetime import date

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesflow.accounts import services as accounts
from salesflow.accounts.models import Account
from salesflow.contacts import services as contacts
from salesflow.contacts.models import Contact
from salesflow.extensions import db
from salesflow.imports.undo import undo_import
from salesflow.merges import services as merges
from salesflow.merges.models import MergeKind
from salesflow.search import index, queries
from salesflow.search.queries import search
from tests.conftest import sql_statements
from tests.factories import make_account, make_contact
from tests.imports.import_helpers import commit, csv_bytes, dry_run

PAD = "\x01\x01"
DIGITS = (
    "replace(replace(replace(replace(replace({0}, ' ', ''), '-', ''), '(', ''), ')', ''), '+', '')"
)


def _sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


def assert_index_in_step() -> None:
    """The FTS5 tables hold every account's and contact's values (SQLite; PostgreSQL's
    indexes are the database's own)."""
    if not _sqlite():
        return
    run = lambda sql: sorted(db.session.execute(sa.text(sql)).all())  # noqa: E731
    assert run("SELECT rowid, name FROM accounts_search") == run(
        f"SELECT id, name || '{PAD}' FROM accounts"
    )
    values = ", ".join(f"{c} || '{PAD}'" for c in ("name", "title", "email", "phone"))
    assert run("SELECT rowid, name, title, email, phone, phone_digits FROM contacts_search") == run(
        f"SELECT id, {values}, {DIGITS.format('phone')} || '{PAD}' FROM contacts"
    )


def _names(results) -> list[str]:
    return [hit.name for hit in results.accounts] + [hit.name for hit in results.contacts]


def test_the_index_is_there_on_sqlite(world):
    if not _sqlite():
        pytest.skip("PostgreSQL indexes the columns themselves")
    found = db.session.execute(
        sa.text(
            "SELECT name FROM sqlite_master WHERE name IN ('accounts_search', 'contacts_search')"
        )
    ).scalars()
    assert sorted(found) == ["accounts_search", "contacts_search"]
    assert_index_in_step()


def test_accounts_index_follows_create_update_delete_restore(world, now):
    account = accounts.create_account(
        {"name": "Pacific Rim Trading"}, actor=world.director_a, now=now
    )
    assert _names(search(world.director_a, "rim trad")) == ["Pacific Rim Trading"]
    accounts.update_account(
        account, {"name": "太平洋贸易", "version": account.version}, actor=world.director_a, now=now
    )
    assert search(world.director_a, "rim trad").empty
    assert _names(search(world.director_a, "洋贸")) == ["太平洋贸易"]
    assert_index_in_step()
    accounts.delete_account(account, actor=world.director_a, now=now)
    assert search(world.director_a, "洋贸").empty
    accounts.restore_account(account, actor=world.director_a, now=now)
    assert _names(search(world.director_a, "洋")) == ["太平洋贸易"]
    assert_index_in_step()


def test_contacts_index_follows_create_update_delete_restore(world, now):
    data = {
        "name": "欧阳明",
        "title": "采购总监",
        "email": "ouyang@pacific.example",
        "phone": "+86 139 0000 1111",
    }
    person = contacts.create_contact(world.account_a, data, actor=world.director_a, now=now)
    assert _names(search(world.rep_a, "欧阳")) == ["欧阳明"]
    assert _names(search(world.rep_a, "13900001111")) == ["欧阳明"]
    contacts.update_contact(
        person,
        {"title": "总经理", "email": None, "phone": "021-5555", "version": person.version},
        actor=world.director_a,
        now=now,
    )
    assert search(world.rep_a, "采购").empty and search(world.rep_a, "pacific.ex").empty
    assert _names(search(world.rep_a, "总经")) == ["欧阳明"]
    assert _names(search(world.rep_a, "0215555")) == ["欧阳明"]
    assert_index_in_step()
    contacts.delete_contact(person, actor=world.director_a, now=now)
    assert search(world.rep_a, "欧阳").empty
    contacts.restore_contact(person, actor=world.director_a, now=now)
    assert _names(search(world.rep_a, "欧阳")) == ["欧阳明"]
    assert_index_in_step()


def test_contacts_index_follows_a_merge_and_its_undo(world, now):
    keep = make_contact(account=world.account_a, name="Zhou Min", title="Buyer")
    other = make_contact(account=world.account_a, name="周敏", title="采购经理")
    merge = merges.merge_records(
        MergeKind.contacts,
        keep,
        {"other_ids": [other.id], "fields": {"title": other.id}, "version": keep.version},
        actor=world.director_a,
        now=now,
    )
    assert _names(search(world.rep_a, "采购经")) == ["Zhou Min"]
    assert search(world.rep_a, "周敏").empty and search(world.rep_a, "buyer").empty
    assert_index_in_step()
    merges.undo_merge(merge, actor=world.director_a, now=now)
    assert _names(search(world.rep_a, "采购经")) == ["周敏"]
    assert _names(search(world.rep_a, "buyer")) == ["Zhou Min"]
    assert_index_in_step()


def test_contacts_index_follows_an_import_and_its_undo(world, now):
    account = make_account(team=world.team_a, name="华东电力", members={world.rep_a: "AR"})
    data = csv_bytes(
        ["客户名称", "姓名", "职务", "邮箱", "手机"],
        ["华东电力", "司马光", "总工程师", "sima@hd.example.cn", "13812340000"],
        ["华东电力", "Ada Wong", "CFO", "ada.wong@hd.example.cn", "13812340001"],
    )
    imp = dry_run(data, world.director_a, now, kind="contacts")
    commit(imp, world.director_a, now)
    assert _names(search(world.rep_a, "司马")) == ["司马光"]
    assert _names(search(world.rep_a, "ADA.W")) == ["Ada Wong"]
    assert_index_in_step()
    undo_import(imp, actor=world.director_a, now=now)
    assert search(world.rep_a, "司马").empty and search(world.rep_a, "ada.w").empty
    assert account.name == "华东电力"
    assert_index_in_step()


# --- The index never changes what search finds --------------------------------------------------

NAMES = [
    "王芳",
    "王建国",
    "李王明",
    "Wang Fang",
    "wANG li",
    "Pacific Rim",
    "太平洋 Pacific",
    "Ab",
    "a",
]
TITLES = ["总经理", "General Manager", "CFO", None, "采购 Director", "100% owner", "r&d_lead"]
EMAILS = ["wang.fang@pacific.example", "li@x.cn", None, "PACIFIC@Rim.example", "a_b%c@d.e"]
PHONES = ["+86 138-1234 5678", "(021) 5555-0101", None, "13800001111", "+1 (415) 555 0199"]


@pytest.fixture
def corpus(world):
    """Accounts and contacts whose names, titles, e-mails and phones overlap in many ways."""
    for n, name in enumerate(NAMES):
        account = make_account(team=(world.team_a, world.team_b)[n % 2], name=f"{name} 集团")
        for m in range(3):
            person = make_contact(
                account=(account, world.account_a)[m % 2],
                name=NAMES[(n + m) % len(NAMES)],
                title=TITLES[(n + m) % len(TITLES)],
                left_on=date(2026, 1, 1) if (n + m) % 7 == 0 else None,
                deleted=(n * m) % 5 == 4,
            )
            person.email = EMAILS[(n * 3 + m) % len(EMAILS)]
            person.phone = PHONES[(n + 2 * m) % len(PHONES)]
    db.session.flush()
    return world


def _scan(user, query, monkeypatch, **kwargs):
    """Search without the index: the LIKE scan alone."""
    with monkeypatch.context() as patched:
        patched.setattr(index, "narrow", lambda *args: sa.true())
        return search(user, query, **kwargs)


def _same(user, query, monkeypatch, **kwargs) -> None:
    assert search(user, query, **kwargs) == _scan(user, query, monkeypatch, **kwargs), query


VALUES = [v for v in NAMES + TITLES + EMAILS + PHONES if v]
search_queries = st.one_of(
    # substrings of indexed values, of one to eight characters, in any ASCII case
    st.tuples(st.sampled_from(VALUES), st.integers(0, 30), st.integers(1, 8), st.booleans()).map(
        lambda t: t[0][t[1] : t[1] + t[2]].upper() if t[3] else t[0][t[1] : t[1] + t[2]]
    ),
    st.text(alphabet="王建国李aAbBnN 1380-+()%_@.\"'*:{}", min_size=1, max_size=5),
)


@settings(
    max_examples=150,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(query=search_queries)
def test_search_with_the_index_equals_the_like_scan(corpus, monkeypatch, query):
    for user in (corpus.leader, corpus.rep_a, corpus.director_b):
        _same(user, query, monkeypatch)
        _same(user, query, monkeypatch, limit=2)


@pytest.mark.parametrize(
    "query", ["王", "建国", "王建", "pacific", "PACIFIC", "Ab", "a", "1", "13800", "138-1234", "%"]
)
def test_common_queries_scan_and_still_find_the_same(corpus, monkeypatch, query):
    """Past MAX_CANDIDATES (or MAX_TERMS) candidates, or for a character in more than
    COMMON_SHARE of the records, the index is left aside for the scan."""
    _same(corpus.leader, query, monkeypatch)
    monkeypatch.setattr(index, "MAX_CANDIDATES", 1)
    monkeypatch.setattr(index, "MAX_TERMS", 1)
    monkeypatch.setattr(index, "COMMON_SHARE", -1.0)
    _same(corpus.leader, query, monkeypatch)


def test_next_pages_are_the_same_with_the_index(corpus, monkeypatch):
    for after in (None, ("wang", 0), ("王", 10**9)):
        _same(corpus.leader, "wang", monkeypatch, kinds=("contacts",), limit=2, after=after)


@pytest.mark.parametrize(
    ("query", "reads_terms", "narrowed"),
    [("pacific", False, True), ("王", True, True), ("建国", True, True), ("zzz", False, False)],
)
def test_sqlite_search_reads_the_index(corpus, query, reads_terms, narrowed):
    """Each kind asks the index for its candidates (for one or two characters, its vocabulary
    first), and reads only those records; nothing found in the index reads no records at all."""
    if not _sqlite():
        pytest.skip("PostgreSQL's planner uses its trigram indexes for the LIKE itself")
    with sql_statements() as sent:
        search(corpus.leader, query)
    assert any("_search_terms" in s for s in sent) == reads_terms
    assert sum("MATCH" in s and "count(*)" in s for s in sent) == 2
    assert sum("IN (SELECT rowid FROM contacts_search" in s for s in sent) == narrowed


def test_sqlite_search_of_a_very_common_query_scans(corpus, monkeypatch):
    if not _sqlite():
        pytest.skip("SQLite only")
    monkeypatch.setattr(index, "MAX_CANDIDATES", 1)
    with sql_statements() as sent:
        search(corpus.leader, "wang")
    assert not any("IN (SELECT rowid" in s for s in sent)


@pytest.mark.parametrize(
    ("query", "kind", "index_name"),
    [
        ("王", Contact, "ix_search_contacts_chars"),
        ("建国", Contact, "ix_search_contacts_chars"),
        ("pacific", Contact, "ix_search_contacts_email"),
        ("13812345678", Contact, "ix_search_contacts_phone_digits"),
        ("王", Account, "ix_search_accounts_chars"),
        ("pacific", Account, "ix_search_accounts_name"),
    ],
)
def test_postgresql_plans_can_use_the_indexes(corpus, query, kind, index_name):
    """The query's expressions are the indexes' own, to the letter: with scans discouraged, the
    planner reads each index (on full-size data it chooses them by itself)."""
    if _sqlite():
        pytest.skip("PostgreSQL only")
    db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
    if kind is Contact:
        where = queries._contact_match(query)
    else:
        where = sa.and_(
            queries._contains(Account.name, query),
            index.narrow(Account.id, "accounts_search", [(("name",), query)], [Account.name]),
        )
    statement = sa.select(kind.id).where(where)
    sql = statement.compile(db.session.get_bind(), compile_kwargs={"literal_binds": True})
    plan = "\n".join(db.session.execute(sa.text(f"EXPLAIN {sql}")).scalars())
    assert index_name in plan
