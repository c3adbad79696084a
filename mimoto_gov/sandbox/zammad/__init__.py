"""A local Zammad-compatible server following zammad-api.md section 9."""
