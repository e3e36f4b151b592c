"""Enrolment: cohorts' capacity and waitlists, bulk CSV enrolment, invitations, requests to
join, research consent and the pilot administrator's rosters."""
