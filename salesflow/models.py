"""Every domain's models, so Alembic and the tests see all the metadata."""

from salesflow.accounts.models import Account, AccountMember, TeamRole, Tier
from salesflow.audit.models import AuditEntry
from salesflow.auth.models import ApiToken, LoginThrottle, Role, ThrottleScope, User
from salesflow.calendar.models import CalendarFeed
from salesflow.contacts.models import Attitude, Contact, DecisionRole, Influence, Level
from salesflow.dependency.models import AccountSnapshot
from salesflow.handovers.models import Handover, HandoverAccount
from salesflow.imports.models import Import, ImportFile, ImportKey, ImportMapping, ImportRow
from salesflow.interactions.models import Interaction, Kind
from salesflow.key_accounts.deal_roles_models import OpportunityContact
from salesflow.key_accounts.expectations_models import AccountExpectation, PerceptionRecord
from salesflow.key_accounts.plans_models import AccountPlan, PlanObjective
from salesflow.key_accounts.spend_models import AccountBudget
from salesflow.key_accounts.tiering_models import AccountTierChange
from salesflow.merges.models import Merge, MergedRecord, MergeKind
from salesflow.notifications.models import Notification
from salesflow.opportunities.models import (
    Approval,
    ChecklistTick,
    Decision,
    Move,
    Opportunity,
    OpportunityRole,
    StageChange,
    Status,
    TriangleRole,
)
from salesflow.pipeline.models import PipelineSnapshot
from salesflow.playbooks.models import PlaybookVersion
from salesflow.requests.models import InternalRequest, RequestChange
from salesflow.scheduler.models import JobRun
from salesflow.teams.models import Team
from salesflow.ties.models import TieChange, TieTouch

__all__ = [
    "AccountBudget",
    "AccountExpectation",
    "PerceptionRecord",
    "AccountPlan",
    "PlanObjective",
    "AccountTierChange",
    "AccountSnapshot",
    "Handover",
    "HandoverAccount",
    "Import",
    "InternalRequest",
    "ImportFile",
    "ImportKey",
    "ImportMapping",
    "ImportRow",
    "JobRun",
    "Merge",
    "MergedRecord",
    "MergeKind",
    "PipelineSnapshot",
    "Notification",
    "TieChange",
    "TieTouch",
    "TriangleRole",
    "Status",
    "StageChange",
    "PlaybookVersion",
    "RequestChange",
    "OpportunityContact",
    "OpportunityRole",
    "Opportunity",
    "Move",
    "Decision",
    "ChecklistTick",
    "Approval",
    "Account",
    "AccountMember",
    "ApiToken",
    "Attitude",
    "AuditEntry",
    "CalendarFeed",
    "Contact",
    "DecisionRole",
    "Influence",
    "Interaction",
    "Kind",
    "Level",
    "LoginThrottle",
    "Role",
    "Team",
    "TeamRole",
    "ThrottleScope",
    "Tier",
    "User",
]
