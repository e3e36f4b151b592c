"""Educators' own development: the Clinician Educator Milestones, self-assessment over
time, mentoring, and the aggregate view for regions."""
