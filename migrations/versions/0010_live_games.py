"""Live games: a quiz played together against the server's clock (docs/live.md). The game, with
the questions as played and its state; its players (a class's students, or nicknames in an open
game); and each player's answer to each question, timed on arrival.

Expand only: three new tables, which the previous release's code (0009) never reads; it runs on
this schema unchanged.

Revision ID: 0010_live_games
Revises: 0009_account_email
Create Date: 2026-12-01 22:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_live_games'
down_revision = '0009_account_email'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('live_games',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pin', sa.String(length=6), nullable=True),
    sa.Column('host_id', sa.Integer(), nullable=False),
    sa.Column('classroom_id', sa.Integer(), nullable=True),
    sa.Column('assignment_id', sa.Integer(), nullable=True),
    sa.Column('bank_slug', sa.String(length=100), nullable=False),
    sa.Column('quiz_id', sa.String(length=100), nullable=False),
    sa.Column('quiz_title', sa.String(length=300), nullable=False),
    sa.Column('bank_sha256', sa.String(length=64), nullable=False),
    sa.Column('questions', sa.JSON(), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=10), server_default='lobby', nullable=False),
    sa.Column('position', sa.Integer(), server_default='-1', nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='0', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_live_games_assignment_id_assignments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['classroom_id'], ['classrooms.id'], name=op.f('fk_live_games_classroom_id_classrooms'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['host_id'], ['users.id'], name=op.f('fk_live_games_host_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_games')),
    sa.UniqueConstraint('pin', name=op.f('uq_live_games_pin'))
    )
    op.create_index(op.f('ix_live_games_classroom_id'), 'live_games', ['classroom_id'], unique=False)
    op.create_index(op.f('ix_live_games_closes_at'), 'live_games', ['closes_at'], unique=False)
    op.create_index(op.f('ix_live_games_host_id'), 'live_games', ['host_id'], unique=False)

    op.create_table('live_players',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('game_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('nickname', sa.String(length=20), nullable=False),
    sa.Column('nickname_key', sa.String(length=40), nullable=False),
    sa.Column('score', sa.Integer(), server_default='0', nullable=False),
    sa.Column('streak', sa.Integer(), server_default='0', nullable=False),
    sa.Column('kicked', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['game_id'], ['live_games.id'], name=op.f('fk_live_players_game_id_live_games'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_live_players_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_players')),
    sa.UniqueConstraint('game_id', 'nickname_key', name='uq_live_players_nickname_key'),
    sa.UniqueConstraint('game_id', 'user_id', name='uq_live_players_user_id')
    )
    op.create_index(op.f('ix_live_players_user_id'), 'live_players', ['user_id'], unique=False)

    op.create_table('live_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('game_id', sa.Integer(), nullable=False),
    sa.Column('player_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('answer', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('elapsed_ms', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=12), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['game_id'], ['live_games.id'], name=op.f('fk_live_answers_game_id_live_games'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['player_id'], ['live_players.id'], name=op.f('fk_live_answers_player_id_live_players'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_answers')),
    sa.UniqueConstraint('player_id', 'position', name=op.f('uq_live_answers_player_id'))
    )
    op.create_index('ix_live_answers_game_position', 'live_answers', ['game_id', 'position'], unique=False)


def downgrade():
    op.drop_table('live_answers')
    op.drop_table('live_players')
    op.drop_table('live_games')
