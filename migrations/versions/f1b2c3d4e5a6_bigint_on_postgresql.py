"""Whole numbers 64-bit on PostgreSQL as on SQLite: every integer column (and serial sequence) to bigint.

SQLite's INTEGER is already 64-bit, so this does nothing there. It covers every integer column there is,
as the models declare every `int` as BigInteger on PostgreSQL (server/extensions.py).

Revision ID: f1b2c3d4e5a6
Revises: e4b7c2a91f05
Create Date: 2026-12-02 00:55:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'f1b2c3d4e5a6'
down_revision = 'e4b7c2a91f05'
branch_labels = None
depends_on = None


def _retype(to: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return
    inspector = sa.inspect(bind)
    source = sa.BigInteger if to == 'INTEGER' else sa.INTEGER
    for table in inspector.get_table_names():
        if table == 'alembic_version':
            continue
        for column in inspector.get_columns(table):
            kind = column['type']
            if not isinstance(kind, source) or isinstance(kind, sa.SmallInteger):
                continue
            if to == 'BIGINT' and isinstance(kind, sa.BigInteger):
                continue
            op.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column["name"]}" TYPE {to}')
            sequence = bind.scalar(sa.text('SELECT pg_get_serial_sequence(:t, :c)'),
                                   {'t': f'"{table}"', 'c': column['name']})
            if sequence:
                op.execute(f'ALTER SEQUENCE {sequence} AS {to}')


def upgrade():
    _retype('BIGINT')


def downgrade():
    _retype('INTEGER')
