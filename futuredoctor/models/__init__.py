"""All models, importable from one place; one file per aggregate."""

from futuredoctor.models import append_only  # noqa: F401  (registers the append-only guard)
from futuredoctor.models.api_token import ApiToken
from futuredoctor.models.audit import AuditEvent
from futuredoctor.models.base import Base, utcnow
from futuredoctor.models.codesign import CodesignSession, FeedbackTag, feedback_item_tag
from futuredoctor.models.enrolment import (
    ConsentRecord,
    ConsentStatement,
    Enrolment,
    EnrolmentStatus,
)
from futuredoctor.models.export import ExportRecord
from futuredoctor.models.feedback import (
    FeedbackItem,
    FeedbackSource,
    FeedbackStatus,
    FeedbackStatusChange,
)
from futuredoctor.models.framework import Framework, FrameworkDomain
from futuredoctor.models.invitation import (
    AccountClosureRequest,
    ClosureOutcome,
    Invitation,
    JoinRequest,
    JoinRequestStatus,
)
from futuredoctor.models.module import Module, ModuleVersion, module_version_domain
from futuredoctor.models.notification import Notification
from futuredoctor.models.progress import CompletionMethod, Progress, RecordCode
from futuredoctor.models.region import Cohort, Pilot, Region
from futuredoctor.models.release import Release, ReleaseStatus
from futuredoctor.models.scheduler_job import SchedulerJobRun
from futuredoctor.models.user import CAREER_STAGES, ProfessionalGroup, Role, RoleGrant, User
from futuredoctor.models.user_session import UserSession

__all__ = [
    "CAREER_STAGES",
    "AccountClosureRequest",
    "ApiToken",
    "AuditEvent",
    "Base",
    "ClosureOutcome",
    "CodesignSession",
    "Cohort",
    "CompletionMethod",
    "ConsentRecord",
    "ConsentStatement",
    "Enrolment",
    "EnrolmentStatus",
    "ExportRecord",
    "FeedbackItem",
    "FeedbackSource",
    "FeedbackStatus",
    "FeedbackStatusChange",
    "FeedbackTag",
    "Framework",
    "FrameworkDomain",
    "Invitation",
    "JoinRequest",
    "JoinRequestStatus",
    "Module",
    "ModuleVersion",
    "Notification",
    "Pilot",
    "ProfessionalGroup",
    "Progress",
    "RecordCode",
    "Region",
    "Release",
    "ReleaseStatus",
    "Role",
    "RoleGrant",
    "SchedulerJobRun",
    "User",
    "UserSession",
    "feedback_item_tag",
    "module_version_domain",
    "utcnow",
]
