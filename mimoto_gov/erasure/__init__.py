"""Erasure on request: the plan (the deletion checklist), its execution, verification and purge."""
