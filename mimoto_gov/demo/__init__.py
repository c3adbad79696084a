"""The demo: every job end to end on the built-in sandboxes, with example registers and a site."""
