"""What each report shows: one module per report, built on the jobs and rendered by ``reports``."""
