"""foundation: users, teams, accounts, contacts, interactions, audit

Revision ID: 5596b987d9c7
Revises: 
Create Date: 2026-11-22 22:35:56.907939

"""
from alembic import op
import sqlalchemy as sa

import salesflow.db


# revision identifiers, used by Alembic.
revision = '5596b987d9c7'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=False),
    sa.Column('at', salesflow.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempts'))
    )
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_login_attempts_email_at', ['email', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_attempts_ip'), ['ip'], unique=False)

    op.create_table('teams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('director_id', sa.Integer(), nullable=True),
    sa.Column('created_at', salesflow.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', salesflow.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teams')),
    sa.UniqueConstraint('name', name=op.f('uq_teams_name'))
    )
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_teams_director_id'), ['director_id'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.Enum('rep', 'director', 'leadership', 'admin', name='role', native_enum=False, length=24), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=True),
    sa.Column('session_generation', sa.Integer(), nullable=False),
    sa.Column('created_at', salesflow.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', salesflow.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_users_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_team_id'), ['team_id'], unique=False)

    # teams.director_id and users.team_id refer to each other: add this one after both exist.
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_teams_director_id_users'), 'users', ['director_id'], ['id'])

    op.create_table('accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('industry', sa.String(length=80), nullable=True),
    sa.Column('region', sa.String(length=80), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('tier', sa.Enum('A', 'B', 'C', name='tier', native_enum=False, length=24), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('website', sa.String(length=300), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', salesflow.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', salesflow.db.UTCDateTime(), nullable=False),
    sa.Column('deleted_at', salesflow.db.UTCDateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_accounts_created_by_id_users')),
    sa.ForeignKeyConstraint(['parent_id'], ['accounts.id'], name=op.f('fk_accounts_parent_id_accounts')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_accounts_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounts'))
    )
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accounts_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_accounts_industry'), ['industry'], unique=False)
        batch_op.create_index(batch_op.f('ix_accounts_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_accounts_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_accounts_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_accounts_tier'), ['tier'], unique=False)

    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', salesflow.db.UTCDateTime(), nullable=False),
    sa.Column('expires_at', salesflow.db.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', salesflow.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('audit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', salesflow.db.UTCDateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('entity_type', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_entries_actor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries'))
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entries_account_id'), ['account_id'], unique=False)
        batch_op.create_index('ix_audit_entries_entity', ['entity_type', 'entity_id', 'id'], unique=False)

    op.create_table('account_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('AR', 'SR', 'FR', 'sponsor', 'member', name='teamrole', native_enum=False, length=24), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_account_members_account_id_accounts')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_account_members_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_members')),
    sa.UniqueConstraint('account_id', 'user_id', 'role', name=op.f('uq_account_members_account_id_user_id_role'))
    )
    with op.batch_alter_table('account_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_members_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_members_user_id'), ['user_id'], unique=False)

    op.create_table('contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=True),
    sa.Column('department', sa.String(length=120), nullable=True),
    sa.Column('level', sa.Enum('executive', 'management', 'operational', name='level', native_enum=False, length=24), nullable=True),
    sa.Column('reports_to_id', sa.Integer(), nullable=True),
    sa.Column('decision_role', sa.Enum('decision_maker', 'technical_evaluator', 'user', 'influencer', 'coach', 'gatekeeper', 'procurement', 'unknown', name='decisionrole', native_enum=False, length=24), nullable=False),
    sa.Column('influence', sa.Enum('high', 'medium', 'low', name='influence', native_enum=False, length=24), nullable=False),
    sa.Column('attitude', sa.Enum('champion', 'supporter', 'neutral', 'skeptic', 'opponent', 'unknown', name='attitude', native_enum=False, length=24), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('background', sa.Text(), nullable=True),
    sa.Column('education', sa.String(length=300), nullable=True),
    sa.Column('hometown', sa.String(length=120), nullable=True),
    sa.Column('interests', sa.Text(), nullable=True),
    sa.Column('preferences', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('created_at', salesflow.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', salesflow.db.UTCDateTime(), nullable=False),
    sa.Column('deleted_at', salesflow.db.UTCDateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_contacts_account_id_accounts')),
    sa.ForeignKeyConstraint(['reports_to_id'], ['contacts.id'], name=op.f('fk_contacts_reports_to_id_contacts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contacts'))
    )
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contacts_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contacts_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_contacts_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_contacts_reports_to_id'), ['reports_to_id'], unique=False)

    op.create_table('interactions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', salesflow.db.UTCDateTime(), nullable=False),
    sa.Column('kind', sa.Enum('visit', 'call', 'meeting', 'meal', 'tech_exchange', 'exec_visit', 'site_visit', 'email', 'event', 'other', name='kind', native_enum=False, length=24), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.Column('next_step', sa.String(length=500), nullable=True),
    sa.Column('next_step_due', sa.Date(), nullable=True),
    sa.Column('next_step_done_at', salesflow.db.UTCDateTime(), nullable=True),
    sa.Column('cost', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('created_at', salesflow.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', salesflow.db.UTCDateTime(), nullable=False),
    sa.Column('deleted_at', salesflow.db.UTCDateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_interactions_account_id_accounts')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_interactions_owner_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interactions'))
    )
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.create_index('ix_interactions_account_id_occurred_at', ['account_id', 'occurred_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_interactions_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index('ix_interactions_owner_id_next_step_due', ['owner_id', 'next_step_due'], unique=False)

    op.create_table('interaction_attendees',
    sa.Column('interaction_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_interaction_attendees_contact_id_contacts')),
    sa.ForeignKeyConstraint(['interaction_id'], ['interactions.id'], name=op.f('fk_interaction_attendees_interaction_id_interactions')),
    sa.PrimaryKeyConstraint('interaction_id', 'contact_id', name=op.f('pk_interaction_attendees'))
    )
    with op.batch_alter_table('interaction_attendees', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interaction_attendees_contact_id'), ['contact_id'], unique=False)

    op.create_table('interaction_participants',
    sa.Column('interaction_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['interaction_id'], ['interactions.id'], name=op.f('fk_interaction_participants_interaction_id_interactions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_interaction_participants_user_id_users')),
    sa.PrimaryKeyConstraint('interaction_id', 'user_id', name=op.f('pk_interaction_participants'))
    )
    with op.batch_alter_table('interaction_participants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interaction_participants_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('interaction_participants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interaction_participants_user_id'))

    op.drop_table('interaction_participants')
    with op.batch_alter_table('interaction_attendees', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interaction_attendees_contact_id'))

    op.drop_table('interaction_attendees')
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.drop_index('ix_interactions_owner_id_next_step_due')
        batch_op.drop_index(batch_op.f('ix_interactions_deleted_at'))
        batch_op.drop_index('ix_interactions_account_id_occurred_at')

    op.drop_table('interactions')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contacts_reports_to_id'))
        batch_op.drop_index(batch_op.f('ix_contacts_name'))
        batch_op.drop_index(batch_op.f('ix_contacts_deleted_at'))
        batch_op.drop_index(batch_op.f('ix_contacts_account_id'))

    op.drop_table('contacts')
    with op.batch_alter_table('account_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_members_user_id'))
        batch_op.drop_index(batch_op.f('ix_account_members_account_id'))

    op.drop_table('account_members')
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entries_entity')
        batch_op.drop_index(batch_op.f('ix_audit_entries_account_id'))

    op.drop_table('audit_entries')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accounts_tier'))
        batch_op.drop_index(batch_op.f('ix_accounts_team_id'))
        batch_op.drop_index(batch_op.f('ix_accounts_parent_id'))
        batch_op.drop_index(batch_op.f('ix_accounts_name'))
        batch_op.drop_index(batch_op.f('ix_accounts_industry'))
        batch_op.drop_index(batch_op.f('ix_accounts_deleted_at'))

    op.drop_table('accounts')
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_teams_director_id_users'), type_='foreignkey')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_team_id'))

    op.drop_table('users')
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_teams_director_id'))

    op.drop_table('teams')
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_attempts_ip'))
        batch_op.drop_index('ix_login_attempts_email_at')

    op.drop_table('login_attempts')
