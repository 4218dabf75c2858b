"""The loss-reason migration maps the old free texts of lost deals to the playbook's reasons
(a name in either language, any case, or a key), the rest to "other" with the text as its note,
and gives the words back when walked back — on both engines."""

from datetime import UTC, datetime

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from salesflow.extensions import db
from tests.conftest import drop_database, fresh_database_url, make_app

BEFORE, AFTER = "bb4ef3d88019", "5a1c0d2e7f43"
AT = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
# id → (status, the old close_reason)
DEALS = {
    1: ("lost", "价格"),
    2: ("lost", "  price "),
    3: ("lost", "LOST TO A COMPETITOR"),
    4: ("lost", "Lost to competitor: Acme"),
    5: ("lost", None),
    6: ("won", "Best price"),
    7: ("open", None),
    8: ("lost", "no_budget"),
}


def _seed(connection: sa.Connection) -> None:
    meta = sa.MetaData()
    tables = ["teams", "accounts", "playbook_versions", "opportunities", "stage_changes"]
    meta.reflect(connection, only=tables)
    stamps = {"created_at": AT, "updated_at": AT}
    connection.execute(sa.insert(meta.tables["teams"]), {"id": 1, "name": "North", **stamps})
    connection.execute(
        sa.insert(meta.tables["accounts"]),
        {"id": 1, "name": "Grid", "team_id": 1, "tier": "A", "version": 1, **stamps},
    )
    connection.execute(
        sa.insert(meta.tables["playbook_versions"]),
        {
            "id": 1,
            "key": "enterprise",
            "version": 1,
            "content_hash": "0" * 64,
            "name": {"en": "Enterprise deal"},
            "source": "",
            "loaded_at": AT,
        },
    )
    connection.execute(
        sa.insert(meta.tables["opportunities"]),
        [
            {
                "id": deal_id,
                "account_id": 1,
                "playbook_version_id": 1,
                "name": f"Deal {deal_id}",
                "currency": "CNY",
                "stage_key": "validate",
                "stage_entered_at": AT,
                "status": status,
                "close_reason": reason,
                "closed_at": None if status == "open" else AT,
                "version": 1,
                **stamps,
            }
            for deal_id, (status, reason) in DEALS.items()
        ],
    )
    connection.execute(  # deal 1's closing, as the stage history recorded it
        sa.insert(meta.tables["stage_changes"]),
        {
            "opportunity_id": 1,
            "at": AT,
            "move": "lost",
            "to_stage": "validate",
            "gates": [],
            "gates_met": True,
            "overridden": False,
            "reason": "价格",
        },
    )


def _deals(connection: sa.Connection, *columns: str) -> dict[int, tuple]:
    rows = connection.execute(
        sa.text(f"SELECT id, {', '.join(columns)} FROM opportunities ORDER BY id")
    )
    return {row[0]: tuple(row[1:]) for row in rows}


def test_old_loss_texts_become_keys_and_come_back_on_downgrade(tmp_path):
    url = fresh_database_url(str(tmp_path), "loss_reasons")
    app = make_app(url)
    try:
        with app.app_context():
            upgrade(revision=BEFORE)
            with db.engine.begin() as connection:
                _seed(connection)
            upgrade(revision=AFTER)
            with db.engine.connect() as connection:
                assert _deals(connection, "loss_reason", "close_reason") == {
                    1: ("price", None),  # the Chinese name
                    2: ("price", None),  # the key, spaces around it
                    3: ("competitor", None),  # the English name in capitals
                    4: ("other", "Lost to competitor: Acme"),  # no reason's name: kept as note
                    5: ("other", None),
                    6: (None, "Best price"),  # won: its words stay
                    7: (None, None),
                    8: ("no_budget", None),
                }
            downgrade(revision=BEFORE)
            with db.engine.connect() as connection:
                assert _deals(connection, "close_reason") == {
                    1: ("价格",),  # the words of its closing in the stage history
                    2: ("Price",),  # none there: the reason's name
                    3: ("Lost to a competitor",),
                    4: ("Lost to competitor: Acme",),
                    5: ("Other",),
                    6: ("Best price",),
                    7: (None,),
                    8: ("No budget",),
                }
            db.session.remove()
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        drop_database(url)
