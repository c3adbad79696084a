"""The policy files staff edit under ``data/policy/``: their readers and their git history."""
