"""A merge of duplicate records, kept with everything needed to undo it (PRODUCT.md, capability 7).

One `Merge` per merge: the surviving record, the survivor's fields as they were and became, and a
journal with the before-image of every row that was repointed or dropped. The merged records
stay, soft-deleted, each with a `MergedRecord` pointing at the survivor: their old pages and API
addresses lead there, and undoing the merge (within UNDO_DAYS) puts every row back.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from salesflow.db import str_enum
from salesflow.extensions import db


class MergeKind(StrEnum):
    """What was merged; the value is the table of the records."""

    accounts = "accounts"
    contacts = "contacts"


class Merge(db.Model):
    __tablename__ = "merges"
    __table_args__ = (sa.Index("ix_merges_kind_survivor_id", "kind", "survivor_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[MergeKind] = so.mapped_column(str_enum(MergeKind))
    survivor_id: so.Mapped[int]
    # The account the merge belongs to (the survivor, or the contacts' account): its scope.
    account_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("accounts.id"), index=True)
    actor_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    at: so.Mapped[datetime] = so.mapped_column(index=True)
    # The survivor's fields that changed: {field: [old, new]} (JSON values, as in the audit).
    fields: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)
    # What moved (merges.journal): repointed rows with their old values, dropped duplicates.
    journal: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)
    # How many related records moved, by what they are ({"contacts": 3, ...}), for people.
    moved: so.Mapped[dict[str, int]] = so.mapped_column(sa.JSON, default=dict)
    undone_at: so.Mapped[datetime | None]
    undone_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    # What the undo left as it found it because it changed after the merge.
    kept: so.Mapped[dict[str, Any] | None] = so.mapped_column(sa.JSON)

    actor: so.Mapped["User"] = so.relationship(foreign_keys=[actor_id])  # noqa: F821
    undone_by: so.Mapped["User | None"] = so.relationship(foreign_keys=[undone_by_id])  # noqa: F821
    records: so.Mapped[list["MergedRecord"]] = so.relationship(
        back_populates="merge", cascade="all, delete-orphan", order_by="MergedRecord.id"
    )

    @property
    def merged_ids(self) -> list[int]:
        return [r.record_id for r in self.records]

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None

    def __repr__(self) -> str:
        return f"<Merge {self.id} {self.kind} {self.merged_ids}→{self.survivor_id}>"


class MergedRecord(db.Model):
    """A record merged into another: the pointer its old addresses follow while the merge
    stands (not undone)."""

    __tablename__ = "merged_records"
    __table_args__ = (sa.Index("ix_merged_records_kind_record_id", "kind", "record_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    merge_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("merges.id"), index=True)
    kind: so.Mapped[MergeKind] = so.mapped_column(str_enum(MergeKind))
    record_id: so.Mapped[int]

    merge: so.Mapped[Merge] = so.relationship(back_populates="records")
