"""imports: each uploaded file with its mapping and state, its bytes until committed, one outcome
per data row (with the cells of failed rows, before-images and versions for undo), the external
ids a source gave its records, the mapping last used per set of headers; the cause of an audit
entry (an import); where an imported deal came from

Revision ID: 21c5bbd0cdb0
Revises: fd914106e5ec
Create Date: 2026-12-01 16:15:06.711892

"""
from alembic import op
import sqlalchemy as sa

import salesflow.db


# revision identifiers, used by Alembic.
revision = '21c5bbd0cdb0'
down_revision = 'fd914106e5ec'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('import_mappings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('header_key', sa.String(length=64), nullable=False),
    sa.Column('mapping', sa.JSON(), nullable=False),
    sa.Column('updated_at', salesflow.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_mappings')),
    sa.UniqueConstraint('kind', 'header_key', name=op.f('uq_import_mappings_kind_header_key'))
    )
    op.create_table('imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('accounts', 'contacts', 'interactions', 'opportunities', name='importkind', native_enum=False, length=24), nullable=False),
    sa.Column('mode', sa.Enum('create', 'fill', 'overwrite', name='importmode', native_enum=False, length=24), nullable=False),
    sa.Column('status', sa.Enum('previewed', 'running', 'committed', 'undone', 'failed', name='importstatus', native_enum=False, length=24), nullable=False),
    sa.Column('progress', sa.Double(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('file_type', sa.String(length=10), nullable=False),
    sa.Column('encoding', sa.String(length=40), nullable=True),
    sa.Column('sheet', sa.String(length=100), nullable=True),
    sa.Column('sheets', sa.JSON(), nullable=False),
    sa.Column('header_row', sa.Integer(), nullable=False),
    sa.Column('columns', sa.JSON(), nullable=False),
    sa.Column('mapping', sa.JSON(), nullable=False),
    sa.Column('source', sa.String(length=120), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('continues_id', sa.Integer(), nullable=True),
    sa.Column('total_rows', sa.Integer(), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('committed_at', salesflow.db.UTCDateTime(), nullable=True),
    sa.Column('heartbeat_at', salesflow.db.UTCDateTime(), nullable=True),
    sa.Column('undone_at', salesflow.db.UTCDateTime(), nullable=True),
    sa.Column('undo_counts', sa.JSON(), nullable=True),
    sa.Column('failure', sa.Text(), nullable=True),
    sa.Column('created_at', salesflow.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', salesflow.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_imports_account_id_accounts')),
    sa.ForeignKeyConstraint(['continues_id'], ['imports.id'], name=op.f('fk_imports_continues_id_imports')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_imports_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_imports'))
    )
    with op.batch_alter_table('imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_imports_continues_id'), ['continues_id'], unique=False)
        batch_op.create_index('ix_imports_created_by_id_id', ['created_by_id', 'id'], unique=False)

    op.create_table('import_files',
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['imports.id'], name=op.f('fk_import_files_import_id_imports')),
    sa.PrimaryKeyConstraint('import_id', name=op.f('pk_import_files'))
    )
    op.create_table('import_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['import_id'], ['imports.id'], name=op.f('fk_import_keys_import_id_imports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_keys')),
    sa.UniqueConstraint('source', 'kind', 'external_id', name=op.f('uq_import_keys_source_kind_external_id'))
    )
    with op.batch_alter_table('import_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_keys_import_id'), ['import_id'], unique=False)

    op.create_table('import_rows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('row', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.Enum('create', 'update', 'unchanged', 'skip', 'error', name='outcome', native_enum=False, length=24), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('matched_by', sa.String(length=20), nullable=True),
    sa.Column('errors', sa.JSON(), nullable=True),
    sa.Column('notes', sa.JSON(), nullable=True),
    sa.Column('values', sa.JSON(), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after_version', sa.Integer(), nullable=True),
    sa.Column('linked', sa.JSON(), nullable=True),
    sa.Column('undo', sa.String(length=10), nullable=True),
    sa.ForeignKeyConstraint(['import_id'], ['imports.id'], name=op.f('fk_import_rows_import_id_imports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_rows'))
    )
    with op.batch_alter_table('import_rows', schema=None) as batch_op:
        batch_op.create_index('ix_import_rows_import_id_outcome', ['import_id', 'outcome', 'row'], unique=False)

    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cause', sa.JSON(), nullable=True))

    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=300), nullable=True))



def downgrade():
    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.drop_column('source')

    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_column('cause')

    with op.batch_alter_table('import_rows', schema=None) as batch_op:
        batch_op.drop_index('ix_import_rows_import_id_outcome')

    op.drop_table('import_rows')
    with op.batch_alter_table('import_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_keys_import_id'))

    op.drop_table('import_keys')
    op.drop_table('import_files')
    with op.batch_alter_table('imports', schema=None) as batch_op:
        batch_op.drop_index('ix_imports_created_by_id_id')
        batch_op.drop_index(batch_op.f('ix_imports_continues_id'))

    op.drop_table('imports')
    op.drop_table('import_mappings')
