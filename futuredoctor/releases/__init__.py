"""Scheduled module releases: planning them in UK local time, the region calendar, the
cohort preview, the region dashboard and the due-release notifications."""
