"""A deterministic synthetic Zammad dataset: people, tickets, articles and text."""
