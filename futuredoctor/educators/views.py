"""The educators blueprint with every view module's routes attached."""

from futuredoctor.educators import (  # noqa: F401  (each module adds routes to bp)
    assessment_views,
    feedback_views,
    mentoring_views,
    overview_views,
    plan_views,
)
from futuredoctor.educators.blueprint import bp

__all__ = ["bp"]
