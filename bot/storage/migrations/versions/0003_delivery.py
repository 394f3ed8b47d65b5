"""Durable delivery: which inbound messages still owe an answer, and which answers a platform got.

Rows that exist before this revision were answered and delivered by the
process that stored them, so they are marked so; recovery only looks at new ones.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("reply_to", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("pending_text", sa.Text(), nullable=True))
        batch.add_column(sa.Column("sent_parts", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_foreign_key(
            op.f("fk_messages_reply_to_messages"),
            "messages",
            ["reply_to"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index(op.f("ix_messages_reply_to"), ["reply_to"], unique=False)
        batch.create_index(op.f("ix_messages_answered_at"), ["answered_at"], unique=False)
        batch.create_index(op.f("ix_messages_delivered_at"), ["delivered_at"], unique=False)
    messages = sa.table(
        "messages",
        sa.column("direction", sa.String()),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("answered_at", sa.DateTime(timezone=True)),
        sa.column("delivered_at", sa.DateTime(timezone=True)),
    )
    op.execute(
        messages.update()
        .where(messages.c.direction == "in")
        .values(answered_at=messages.c.created_at)
    )
    op.execute(messages.update().values(delivered_at=messages.c.created_at))


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_index(op.f("ix_messages_delivered_at"))
        batch.drop_index(op.f("ix_messages_answered_at"))
        batch.drop_index(op.f("ix_messages_reply_to"))
        batch.drop_constraint(op.f("fk_messages_reply_to_messages"), type_="foreignkey")
        batch.drop_column("delivered_at")
        batch.drop_column("sent_parts")
        batch.drop_column("pending_text")
        batch.drop_column("answered_at")
        batch.drop_column("reply_to")
