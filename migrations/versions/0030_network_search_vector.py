"""network search by words: a trigger-kept full-text vector of each post, indexed; the
champion directory's disabled accounts, indexed

Revision ID: 0030
Revises: 0029

Serves /network?text=... on PostgreSQL. The trigram index of migration 0022 made every
common word a recheck of tens of thousands of posts (``handover`` is in 17,000 of 100,000
at national size); the words' own index finds the posts holding all the words at once,
and a page of the newest can read the stored vector instead of parsing each post again.
The trigram index stays for searches with no such words ("the", "%"). SQLite keeps
matching with LIKE and leaves the column empty.

Serves /champions on PostgreSQL: the directory lists profiles whose account is not one of
the disabled ones, a handful read from a partial index, instead of looking up the account
of every profile (2,000 probes to count 2,000 champions); a search finds the accounts
whose name holds the words by trigram instead of reading every champion's name.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

# The application reads a search's words with the same configuration (``network.py``):
# English words reduced to their stems, so "huddle" finds "huddles" and "huddled".
_TRIGGER = (
    "CREATE TRIGGER tg_network_post_search_vector BEFORE INSERT OR UPDATE OF title, body "
    "ON network_post FOR EACH ROW EXECUTE FUNCTION "
    "tsvector_update_trigger(search_vector, 'pg_catalog.english', title, body)"
)


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    kind = postgresql.TSVECTOR() if postgres else sa.Text()
    with op.batch_alter_table("network_post") as batch:
        batch.add_column(sa.Column("search_vector", kind, nullable=True))
    if postgres:
        op.execute(_TRIGGER)
        op.execute(
            "UPDATE network_post SET search_vector = "
            "to_tsvector('pg_catalog.english', coalesce(title, '') || ' ' || coalesce(body, ''))"
        )
        op.execute(
            "CREATE INDEX ix_network_post_search_vector ON network_post USING gin (search_vector)"
        )
        op.execute(
            "CREATE INDEX ix_user_account_disabled ON user_account (id) WHERE is_enabled IS false"
        )
        op.execute(
            "CREATE INDEX ix_user_account_name_trgm ON user_account USING gin "
            "(lower((((given_name)::text || ' '::text) || (family_name)::text)) gin_trgm_ops)"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_user_account_name_trgm")
        op.execute("DROP INDEX ix_user_account_disabled")
        op.execute("DROP INDEX ix_network_post_search_vector")
        op.execute("DROP TRIGGER tg_network_post_search_vector ON network_post")
    with op.batch_alter_table("network_post") as batch:
        batch.drop_column("search_vector")
