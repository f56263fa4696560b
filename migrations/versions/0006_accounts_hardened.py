"""Accounts hardened: session generations, login lockout, password resets, bank owners and
editors, bank policies, the admin role.

Existing banks made through the app are owned by the instructor who created them (the author of
the newest "create" version of each slug); banks that only ever came from disk have no owner and
become site banks, which admins edit and every instructor may set.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 11:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

CREATORS_OWN = """
INSERT INTO bank_members (bank_slug, user_id, role, granted_at)
SELECT r.bank_slug, r.author_id, 'owner', r.created_at
FROM bank_revisions r
WHERE r.action = 'create' AND r.author_id IS NOT NULL
  AND r.id = (SELECT max(r2.id) FROM bank_revisions r2 WHERE r2.bank_slug = r.bank_slug AND r2.action = 'create')
"""


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('failed_since', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))

    op.create_table('bank_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank_slug', sa.String(length=100), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('granted_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['granted_by'], ['users.id'], name=op.f('fk_bank_members_granted_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_bank_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_members')),
    sa.UniqueConstraint('bank_slug', 'user_id', name=op.f('uq_bank_members_bank_slug'))
    )
    with op.batch_alter_table('bank_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_members_bank_slug'), ['bank_slug'], unique=False)
        batch_op.create_index(batch_op.f('ix_bank_members_user_id'), ['user_id'], unique=False)

    op.create_table('bank_policies',
    sa.Column('bank_slug', sa.String(length=100), nullable=False),
    sa.Column('practice', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.PrimaryKeyConstraint('bank_slug', name=op.f('pk_bank_policies'))
    )

    op.create_table('password_resets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_sha256', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_password_resets_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_password_resets_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_resets')),
    sa.UniqueConstraint('code_sha256', name=op.f('uq_password_resets_code_sha256'))
    )
    with op.batch_alter_table('password_resets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_resets_user_id'), ['user_id'], unique=False)

    op.execute(CREATORS_OWN)


def downgrade():
    with op.batch_alter_table('password_resets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_resets_user_id'))
    op.drop_table('password_resets')
    op.drop_table('bank_policies')
    with op.batch_alter_table('bank_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bank_members_user_id'))
        batch_op.drop_index(batch_op.f('ix_bank_members_bank_slug'))
    op.drop_table('bank_members')
    op.execute("UPDATE users SET role = 'instructor' WHERE role = 'admin'")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_since')
        batch_op.drop_column('failed_logins')
        batch_op.drop_column('session_generation')
