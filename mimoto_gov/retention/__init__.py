"""Retention: the schedule and its rules applied to the Zammad inventory."""
