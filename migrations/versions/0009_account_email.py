"""An optional e-mail address on accounts, for matching students in an LMS's grade import: the
address as typed, and beside it the address lower-cased under a unique index (one account per
address, in any case; many accounts have none).

Expand only: a new nullable column, which the previous release's code (0008) never reads or
writes; it runs on this schema unchanged.

Revision ID: 0009_account_email
Revises: 0008_rejected_answers
Create Date: 2026-12-01 20:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_account_email'
down_revision = '0008_rejected_answers'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('users', sa.Column('email', sa.String(length=254), nullable=True))
    op.add_column('users', sa.Column('email_key', sa.String(length=254), nullable=True))
    op.create_index(op.f('ix_users_email_key'), 'users', ['email_key'], unique=True)


def downgrade():
    op.drop_index(op.f('ix_users_email_key'), table_name='users')
    with op.batch_alter_table('users') as batch_op:
        batch_op.drop_column('email_key')
        batch_op.drop_column('email')
