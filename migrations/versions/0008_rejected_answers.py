"""Rejected answers: a learner's wording of a text question's answer that a bank's editor judged
wrong in the item analysis, per bank, question and normalised answer, with who and when.

Expand only: a new table, which the previous release's code (0007) never reads; it runs on this
schema unchanged.

Revision ID: 0008_rejected_answers
Revises: 0007
Create Date: 2026-12-01 19:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_rejected_answers'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rejected_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank_slug', sa.String(length=100), nullable=False),
    sa.Column('question_id', sa.String(length=100), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('answer_sha256', sa.String(length=64), nullable=False),
    sa.Column('rejected_by', sa.Integer(), nullable=True),
    sa.Column('rejected_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['rejected_by'], ['users.id'], name=op.f('fk_rejected_answers_rejected_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rejected_answers')),
    sa.UniqueConstraint('bank_slug', 'question_id', 'answer_sha256', name=op.f('uq_rejected_answers_bank_slug'))
    )


def downgrade():
    op.drop_table('rejected_answers')
