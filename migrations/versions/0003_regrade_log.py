"""Regrade log.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 14:54:20.434687

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('regrade_logs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('classroom_id', sa.Integer(), nullable=True),
    sa.Column('bank_slug', sa.String(length=100), nullable=False),
    sa.Column('quiz_id', sa.String(length=100), nullable=False),
    sa.Column('instructor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('bank_sha256', sa.String(length=64), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['classroom_id'], ['classrooms.id'], name=op.f('fk_regrade_logs_classroom_id_classrooms'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['instructor_id'], ['users.id'], name=op.f('fk_regrade_logs_instructor_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_regrade_logs'))
    )
    with op.batch_alter_table('regrade_logs', schema=None) as batch_op:
        batch_op.create_index('ix_regrade_logs_quiz', ['bank_slug', 'quiz_id'], unique=False)



def downgrade():
    with op.batch_alter_table('regrade_logs', schema=None) as batch_op:
        batch_op.drop_index('ix_regrade_logs_quiz')

    op.drop_table('regrade_logs')
