"""opportunities still to end found through an index on when they end

Revision ID: 0035
Revises: 0034

Serves the opportunity lists (/opportunities, the region page's, a person's, the public
one): each shows the opportunities still to end, soonest first, and read every
opportunity ever held to find them. With 50,000 past opportunities (a rolled-back copy of
the national data) PostgreSQL planned that scan at a cost high enough to compile it first
(JIT): 323 ms a list; through this index, 0.8 ms.
"""

from alembic import op

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_opportunity_ends_at", "opportunity", ["ends_at"])


def downgrade():
    op.drop_index("ix_opportunity_ends_at", table_name="opportunity")
