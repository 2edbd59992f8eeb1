"""quizzes draw questions and shuffle options; first attempt score

Each answer keeps the option order its attempt showed (``quiz_answer.shown_options``; empty for
earlier attempts, which showed the file order), and each module summary keeps the year's first
attempt score beside the best (``module_completion.first_percent``), filled in here from the
attempts already recorded.

Revision ID: 8f7923417d04
Revises: c07f5f94c39f
Create Date: 2026-12-06 03:29:42.755784
"""

from alembic import op
import sqlalchemy as sa


revision = '8f7923417d04'
down_revision = 'c07f5f94c39f'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('module_completion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_percent', sa.Integer(), nullable=True))

    with op.batch_alter_table('quiz_answer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shown_options', sa.JSON(), nullable=True))

    # The first attempt of the year: the one submitted first (the lowest id on a tie). Plain SQL
    # that SQLite and PostgreSQL both run.
    op.execute(
        "UPDATE module_completion SET first_percent = ("
        " SELECT quiz_attempt.percent FROM quiz_attempt"
        " WHERE quiz_attempt.user_id = module_completion.user_id"
        " AND quiz_attempt.module_id = module_completion.module_id"
        " AND quiz_attempt.academic_year = module_completion.academic_year"
        " ORDER BY quiz_attempt.submitted_at, quiz_attempt.id LIMIT 1)"
    )


def downgrade() -> None:
    with op.batch_alter_table('quiz_answer', schema=None) as batch_op:
        batch_op.drop_column('shown_options')

    with op.batch_alter_table('module_completion', schema=None) as batch_op:
        batch_op.drop_column('first_percent')
