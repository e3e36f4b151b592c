"""a module's and a region's newest network posts found from one index entry each

Revision ID: 0032
Revises: 0031

Serves the module page's "From the network" list (/modules/<slug>) and the region page's
recent posts (/regions/<code>): both ask for the five newest posts about one module or
region. With an index on the module (or region) alone, PostgreSQL walked every post by
date and skipped those about something else (1,454 rows read for 5 at national size);
ordered by date within the module (or region), the five are the first five entries.
The new indexes still serve every look-up by module or region, so the old ones go.
"""

from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade():
    for column in ("module_id", "region_id"):
        short = column.removesuffix("_id")
        op.create_index(
            f"ix_network_post_{short}_created_id", "network_post", [column, "created_at", "id"]
        )
        op.drop_index(f"ix_network_post_{column}", table_name="network_post")


def downgrade():
    for column in ("module_id", "region_id"):
        short = column.removesuffix("_id")
        op.create_index(f"ix_network_post_{column}", "network_post", [column])
        op.drop_index(f"ix_network_post_{short}_created_id", table_name="network_post")
