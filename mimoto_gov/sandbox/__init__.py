"""Stand-ins for live systems (Zammad, Gaug.es) and their synthetic data.

Imported only by commands, the demo, tests and benchmarks: never by the jobs.
"""
