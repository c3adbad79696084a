"""Audits of what the workbook does not own: the website, and its own copies of personal data."""
