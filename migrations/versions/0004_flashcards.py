"""Flashcards: card states and reviews.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 14:58:21.008468

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('card_states',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('bank_slug', sa.String(length=100), nullable=False),
    sa.Column('card_id', sa.String(length=100), nullable=False),
    sa.Column('state', sa.Integer(), nullable=False),
    sa.Column('step', sa.Integer(), nullable=True),
    sa.Column('stability', sa.Double(), nullable=True),
    sa.Column('difficulty', sa.Double(), nullable=True),
    sa.Column('due', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_review', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reps', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retired', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_card_states_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_card_states')),
    sa.UniqueConstraint('user_id', 'bank_slug', 'card_id', name=op.f('uq_card_states_user_id'))
    )
    with op.batch_alter_table('card_states', schema=None) as batch_op:
        batch_op.create_index('ix_card_states_bank_due', ['user_id', 'bank_slug', 'retired', 'due'], unique=False)
        batch_op.create_index('ix_card_states_due', ['user_id', 'retired', 'due'], unique=False)

    op.create_table('card_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('card_state_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('state_before', sa.Integer(), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['card_state_id'], ['card_states.id'], name=op.f('fk_card_reviews_card_state_id_card_states'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_card_reviews_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_card_reviews'))
    )
    with op.batch_alter_table('card_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_card_reviews_card_state_id'), ['card_state_id'], unique=False)
        batch_op.create_index('ix_card_reviews_user_time', ['user_id', 'reviewed_at'], unique=False)



def downgrade():
    with op.batch_alter_table('card_reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_card_reviews_user_time')
        batch_op.drop_index(batch_op.f('ix_card_reviews_card_state_id'))

    op.drop_table('card_reviews')
    with op.batch_alter_table('card_states', schema=None) as batch_op:
        batch_op.drop_index('ix_card_states_due')
        batch_op.drop_index('ix_card_states_bank_due')

    op.drop_table('card_states')
