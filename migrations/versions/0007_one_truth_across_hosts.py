"""Several hosts, one truth: the site's settings (its time zone, the oldest code the schema still
serves) live in the database, and every bank revision has a number in its bank's history, unique,
so two hosts that both build on the same version cannot both save.

Expand only: a host running the previous release's code (0006) keeps working on this schema.
It leaves ``seq`` empty on the revisions it saves, which the unique constraint allows.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 13:30:00.000000

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

NUMBER_REVISIONS = """
UPDATE bank_revisions SET seq = (
    SELECT count(*) FROM bank_revisions r2
    WHERE r2.bank_slug = bank_revisions.bank_slug AND r2.id <= bank_revisions.id
)
"""

# Expand only: the previous release's code (0006) still runs on this schema (docs/migrations.md).
# Inserted only if missing, so that running it again changes nothing.
OLDEST_CODE = """
INSERT INTO site_settings (name, value, updated_at)
SELECT 'schema.oldest_code', '0006', :now
WHERE NOT EXISTS (SELECT 1 FROM site_settings WHERE name = 'schema.oldest_code')
"""


def upgrade():
    op.create_table('site_settings',
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_site_settings'))
    )
    now = sa.bindparam('now', datetime.now(timezone.utc), type_=sa.DateTime(timezone=True))
    op.execute(sa.text(OLDEST_CODE).bindparams(now))
    with op.batch_alter_table('bank_revisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
    op.execute(NUMBER_REVISIONS)
    with op.batch_alter_table('bank_revisions', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_bank_revisions_bank_slug'), ['bank_slug', 'seq'])


def downgrade():
    with op.batch_alter_table('bank_revisions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_bank_revisions_bank_slug'), type_='unique')
        batch_op.drop_column('seq')
    op.drop_table('site_settings')
