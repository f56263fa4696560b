"""Attempts in context: the assignment an attempt counts for, deadlines, drafts, review options,
extra time.

Existing attempts are given the assignment they can be shown to belong to, and the rest become
practice. An attempt belongs to an assignment of its quiz when its learner is (still) enrolled in
that assignment's class, joined it before the attempt began, and the attempt lies inside the
window: begun at or after the opening and submitted (or, unsubmitted, begun) no later than the
closing. Where several assignments qualify (a learner in two classes that set the same quiz), the
one set first (lowest id) takes it.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 09:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

ASSIGN_EXISTING = """
UPDATE attempts SET assignment_id = (
    SELECT min(a.id)
    FROM assignments a
    JOIN enrollments e ON e.classroom_id = a.classroom_id AND e.user_id = attempts.user_id
    WHERE a.bank_slug = attempts.bank_slug
      AND a.quiz_id = attempts.quiz_id
      AND e.joined_at <= attempts.started_at
      AND (a.opens_at IS NULL OR a.opens_at <= attempts.started_at)
      AND (a.closes_at IS NULL OR COALESCE(attempts.submitted_at, attempts.started_at) <= a.closes_at)
)
"""

LOG_ASSIGNMENTS = """
UPDATE regrade_logs SET assignment_id = (
    SELECT a.id FROM assignments a
    WHERE a.classroom_id = regrade_logs.classroom_id
      AND a.bank_slug = regrade_logs.bank_slug
      AND a.quiz_id = regrade_logs.quiz_id
)
"""

DEADLINES = """
UPDATE attempts SET deadline = (SELECT a.closes_at FROM assignments a WHERE a.id = attempts.assignment_id)
WHERE submitted_at IS NULL AND assignment_id IS NOT NULL
"""


def upgrade():
    op.create_table('extra_time',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_extra_time_assignment_id_assignments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_extra_time_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_extra_time')),
    sa.UniqueConstraint('assignment_id', 'user_id', name=op.f('uq_extra_time_assignment_id'))
    )
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review', sa.JSON(none_as_null=True), nullable=True))

    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assignment_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('time_limit', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('deadline', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('draft_version', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('drafted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('auto_submitted', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index(batch_op.f('ix_attempts_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attempts_deadline'), ['deadline'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_attempts_assignment_id_assignments'), 'assignments', ['assignment_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('regrade_logs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assignment_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_regrade_logs_assignment_id_assignments'), 'assignments', ['assignment_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('draft', sa.JSON(none_as_null=True), nullable=True))
        batch_op.add_column(sa.Column('flagged', sa.Boolean(), server_default=sa.false(), nullable=False))

    op.execute(ASSIGN_EXISTING)
    op.execute(LOG_ASSIGNMENTS)
    op.execute(DEADLINES)


def downgrade():
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_column('flagged')
        batch_op.drop_column('draft')

    with op.batch_alter_table('regrade_logs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_regrade_logs_assignment_id_assignments'), type_='foreignkey')
        batch_op.drop_column('assignment_id')

    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_attempts_assignment_id_assignments'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_attempts_deadline'))
        batch_op.drop_index(batch_op.f('ix_attempts_assignment_id'))
        batch_op.drop_column('auto_submitted')
        batch_op.drop_column('drafted_at')
        batch_op.drop_column('draft_version')
        batch_op.drop_column('deadline')
        batch_op.drop_column('time_limit')
        batch_op.drop_column('assignment_id')

    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_column('review')

    op.drop_table('extra_time')
