"""Routes remember the plan revision that built them and when the courier started

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('routes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('started_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('routes', schema=None) as batch_op:
        batch_op.drop_column('started_at')
        batch_op.drop_column('revision')
