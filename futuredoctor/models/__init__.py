"""All models, importable from one place; one file per aggregate."""

from futuredoctor.models import append_only  # noqa: F401  (registers the append-only guard)
from futuredoctor.models.api_token import ApiToken
from futuredoctor.models.audit import AuditEvent
from futuredoctor.models.base import Base, utcnow
from futuredoctor.models.champion import (
    OFFER_LABELS,
    ChampionInterest,
    ChampionMessage,
    ChampionOffer,
    ChampionProfile,
    InterestKind,
    ProfileVisibility,
)
from futuredoctor.models.codesign import (
    AttendeeKind,
    CodesignAttendee,
    CodesignSession,
    FeedbackTag,
    feedback_item_tag,
)
from futuredoctor.models.content_stamp import ContentStamp
from futuredoctor.models.contributor import (
    INVOLVEMENT_LABELS,
    ContributorInvolvement,
    Involvement,
    PublicContributor,
)
from futuredoctor.models.dated_people import DatedCohort, DatedPeople, DatedStale
from futuredoctor.models.development import (
    ColleagueFeedbackInvitation,
    ColleagueFeedbackRequest,
    ColleagueFeedbackResponse,
    DevelopmentGoal,
    GoalStatus,
)
from futuredoctor.models.enrolment import (
    ConsentRecord,
    ConsentStatement,
    Enrolment,
    EnrolmentStatus,
)
from futuredoctor.models.export import EvaluationAccess, EvaluationProject, ExportRecord
from futuredoctor.models.feedback import (
    FeedbackItem,
    FeedbackReply,
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
from futuredoctor.models.mentoring import (
    MentoringFormat,
    MentoringMeeting,
    MentorOffer,
    Mentorship,
    PairingStatus,
)
from futuredoctor.models.milestones import (
    LEVELS,
    EducatorProfile,
    MilestoneDomain,
    MilestoneFramework,
    MilestoneRating,
    SelfAssessment,
    Subcompetency,
)
from futuredoctor.models.module import Module, ModuleVersion, module_version_domain
from futuredoctor.models.network import (
    FollowKind,
    NetworkComment,
    NetworkFollow,
    NetworkMember,
    NetworkPost,
    NetworkPostTag,
    PostReport,
    PostTagKind,
    UsefulMark,
)
from futuredoctor.models.notification import Notification
from futuredoctor.models.opportunity import (
    HOLDS_PLACE,
    AudienceKind,
    CalendarFeed,
    Opportunity,
    OpportunityAudience,
    OpportunityKind,
    Registration,
    RegistrationStatus,
)
from futuredoctor.models.progress import CompletionMethod, Progress, RecordCode
from futuredoctor.models.redaction import RedactionName, RedactionWatermark
from futuredoctor.models.region import Cohort, Pilot, Region
from futuredoctor.models.release import Release, ReleaseStatus
from futuredoctor.models.scheduler_job import SchedulerJobRun
from futuredoctor.models.summary import SummarySnapshot
from futuredoctor.models.user import CAREER_STAGES, ProfessionalGroup, Role, RoleGrant, User
from futuredoctor.models.user_session import UserSession

__all__ = [
    "CAREER_STAGES",
    "HOLDS_PLACE",
    "INVOLVEMENT_LABELS",
    "LEVELS",
    "OFFER_LABELS",
    "AccountClosureRequest",
    "ApiToken",
    "AttendeeKind",
    "AudienceKind",
    "AuditEvent",
    "Base",
    "CalendarFeed",
    "ChampionInterest",
    "ChampionMessage",
    "ChampionOffer",
    "ChampionProfile",
    "ClosureOutcome",
    "CodesignAttendee",
    "CodesignSession",
    "Cohort",
    "ColleagueFeedbackInvitation",
    "ColleagueFeedbackRequest",
    "ColleagueFeedbackResponse",
    "CompletionMethod",
    "ConsentRecord",
    "ConsentStatement",
    "ContentStamp",
    "ContributorInvolvement",
    "DatedCohort",
    "DatedPeople",
    "DatedStale",
    "DevelopmentGoal",
    "EducatorProfile",
    "Enrolment",
    "EnrolmentStatus",
    "EvaluationAccess",
    "EvaluationProject",
    "ExportRecord",
    "FeedbackItem",
    "FeedbackReply",
    "FeedbackSource",
    "FeedbackStatus",
    "FeedbackStatusChange",
    "FeedbackTag",
    "FollowKind",
    "Framework",
    "FrameworkDomain",
    "GoalStatus",
    "InterestKind",
    "Invitation",
    "Involvement",
    "JoinRequest",
    "JoinRequestStatus",
    "MentorOffer",
    "MentoringFormat",
    "MentoringMeeting",
    "Mentorship",
    "MilestoneDomain",
    "MilestoneFramework",
    "MilestoneRating",
    "Module",
    "ModuleVersion",
    "NetworkComment",
    "NetworkFollow",
    "NetworkMember",
    "NetworkPost",
    "NetworkPostTag",
    "Notification",
    "Opportunity",
    "OpportunityAudience",
    "OpportunityKind",
    "PairingStatus",
    "Pilot",
    "PostReport",
    "PostTagKind",
    "ProfessionalGroup",
    "ProfileVisibility",
    "Progress",
    "PublicContributor",
    "RecordCode",
    "RedactionName",
    "RedactionWatermark",
    "Region",
    "Registration",
    "RegistrationStatus",
    "Release",
    "ReleaseStatus",
    "Role",
    "RoleGrant",
    "SchedulerJobRun",
    "SelfAssessment",
    "Subcompetency",
    "SummarySnapshot",
    "UsefulMark",
    "User",
    "UserSession",
    "feedback_item_tag",
    "module_version_domain",
    "utcnow",
]
