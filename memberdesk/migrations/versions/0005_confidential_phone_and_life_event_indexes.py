"""blind indexes: members.confidential_phone_bidx (phone search finds a confidential phone
without decrypting), life_events.dedup_bidx unique per enrolment (the database refuses the
same event twice)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-09 10:00:00

Both columns are backfilled from the encrypted values, so this revision needs the key ring
when rows exist: run it through ``memberdesk db upgrade`` (which loads ``var/keys.json`` or
``MEMBERDESK_KEYRING``). The formulas below must stay those of ``bidx_phone`` and
``memberdesk.members.models.bidx_life_event``; a test compares them.
"""

from collections.abc import Iterator, Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

from memberdesk.compliance.crypto import KeyRing, keyring, normalize_phone

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000
DEDUP = "uq_life_events_member_id_dedup_bidx"
PHONE_INDEX = "ix_members_confidential_phone_bidx"

# Lightweight tables: the stored bytes, never the app's decrypting column types (which, like
# the models, may change after this revision is written).
members = sa.table(
    "members",
    sa.column("id", sa.Integer),
    sa.column("confidential_phone", sa.LargeBinary),
    sa.column("confidential_phone_bidx", sa.LargeBinary),
)
life_events = sa.table(
    "life_events",
    sa.column("id", sa.Integer),
    sa.column("member_id", sa.Integer),
    sa.column("event_type", sa.String),
    sa.column("event_date", sa.LargeBinary),
    sa.column("dedup_bidx", sa.LargeBinary),
)


def _ring() -> KeyRing:
    try:
        return keyring()
    except RuntimeError:
        raise RuntimeError(
            "revision 0005 computes blind indexes of encrypted values and needs the key ring: "
            "run it with `memberdesk db upgrade`"
        ) from None


def _batches(conn: sa.Connection, table: sa.TableClause, *cols: str) -> Iterator[list[sa.Row]]:
    """Rows whose last named column is set, by id, ``BATCH`` at a time."""
    last = 0
    while True:
        rows = conn.execute(
            sa.select(table.c.id, *(table.c[c] for c in cols))
            .where(table.c.id > last, table.c[cols[-1]].is_not(None))
            .order_by(table.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        yield list(rows)
        last = rows[-1][0]


def _backfill(conn: sa.Connection) -> None:
    set_phone = (
        sa.update(members)
        .where(members.c.id == sa.bindparam("row_id"))
        .values(confidential_phone_bidx=sa.bindparam("bidx"))
    )
    for rows in _batches(conn, members, "confidential_phone"):
        ring = _ring()
        values = [
            {
                "row_id": row_id,
                "bidx": ring.blind_index(
                    "phone",
                    normalize_phone(ring.decrypt(bytes(blob), "members.confidential_phone")),
                ),
            }
            for row_id, blob in rows
        ]
        conn.execute(set_phone, values)
    set_dedup = (
        sa.update(life_events)
        .where(life_events.c.id == sa.bindparam("row_id"))
        .values(dedup_bidx=sa.bindparam("bidx"))
    )
    for rows in _batches(conn, life_events, "event_type", "event_date"):
        ring = _ring()
        values = []
        for row_id, kind, blob in rows:
            when = date.fromisoformat(ring.decrypt(bytes(blob), "life_events.event_date"))
            values.append(
                {
                    "row_id": row_id,
                    "bidx": ring.blind_index("life_event", f"{kind}|{when.isoformat()}"),
                }
            )
        conn.execute(set_dedup, values)


def _refuse_duplicates(conn: sa.Connection) -> None:
    # Events recorded twice before the database could refuse them (the old read-then-insert
    # check raced). Which one to keep is a records decision, not the migration's: stop, name
    # the rows (internal ids only), and leave the database at 0004 (one transaction).
    dupes = conn.execute(
        sa.select(sa.func.min(life_events.c.id), sa.func.count())
        .group_by(life_events.c.member_id, life_events.c.dedup_bidx)
        .having(sa.func.count() > 1)
        .order_by(sa.func.min(life_events.c.id))
    ).all()
    if dupes:
        firsts = ", ".join(str(first) for first, _n in dupes[:20])
        more = f" and {len(dupes) - 20} more" if len(dupes) > 20 else ""
        raise RuntimeError(
            f"revision 0005: {len(dupes)} life events are recorded more than once on the same "
            f"enrolment (same type and date; first copies: life_events ids {firsts}{more}); "
            "remove the extra copies, then run `memberdesk db upgrade` again"
        )


def upgrade() -> None:
    # Adding a nullable column and an index never rebuilds a table, even on SQLite.
    with op.batch_alter_table("members") as batch_op:
        batch_op.add_column(
            sa.Column("confidential_phone_bidx", sa.LargeBinary(length=32), nullable=True)
        )
        batch_op.create_index(PHONE_INDEX, ["confidential_phone_bidx"], unique=False)
    with op.batch_alter_table("life_events") as batch_op:
        batch_op.add_column(sa.Column("dedup_bidx", sa.LargeBinary(length=32), nullable=True))
    conn = op.get_bind()
    _backfill(conn)
    _refuse_duplicates(conn)
    # SQLite rebuilds life_events here (NOT NULL, a table constraint); nothing references it.
    with op.batch_alter_table("life_events") as batch_op:
        batch_op.alter_column("dedup_bidx", existing_type=sa.LargeBinary(length=32), nullable=False)
        batch_op.create_unique_constraint(DEDUP, ["member_id", "dedup_bidx"])


def downgrade() -> None:
    with op.batch_alter_table("life_events") as batch_op:
        batch_op.drop_constraint(DEDUP, type_="unique")
        batch_op.drop_column("dedup_bidx")
    op.drop_index(PHONE_INDEX, table_name="members")
    # Not in batch mode: SQLite (3.35+) drops the column in place. Rebuilding members would
    # mean dropping a table every other member table references.
    op.drop_column("members", "confidential_phone_bidx")
