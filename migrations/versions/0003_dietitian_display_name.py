"""dietitian display name, shown on share pages instead of the login

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 13:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """A nullable ``display_name``: existing accounts have none ("your dietitian")."""
    with op.batch_alter_table("dietitians", schema=None) as batch_op:
        batch_op.add_column(sa.Column("display_name", sa.String(length=80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dietitians", schema=None) as batch_op:
        batch_op.drop_column("display_name")
