"""the champion directory's search reads one stored, lower-cased text per profile

Revision ID: 0031
Revises: 0030

Serves /champions?text=... A search lower-cased the four text fields of every listed
profile (2,000 at national size) at every request, most of the query's time for a common
word such as "mentoring"; the profile now keeps them lower-cased in a generated column,
written with the profile. On PostgreSQL a trigram index of it finds the few profiles of a
rarer word without reading the others.
"""

import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None

# As ``futuredoctor.models.champion.SEARCH_TEXT``, copied so this migration keeps its
# meaning if the model changes.
SEARCH_TEXT = "lower(profession || '\n' || job_title || '\n' || about || '\n' || availability)"


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    # SQLite cannot add a stored generated column in place: the table is rebuilt there.
    with op.batch_alter_table("champion_profile", recreate="auto" if postgres else "always") as b:
        b.add_column(sa.Column("search_text", sa.Text(), sa.Computed(SEARCH_TEXT, persisted=True)))
    if postgres:
        op.execute(
            "CREATE INDEX ix_champion_profile_search_text ON champion_profile "
            "USING gin (search_text gin_trgm_ops)"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_champion_profile_search_text")
    with op.batch_alter_table("champion_profile") as batch:
        batch.drop_column("search_text")
