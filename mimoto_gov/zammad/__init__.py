"""Zammad: the REST client, the snapshot sync and the local Zammad-compatible sandbox.

``client`` talks to Zammad over HTTP, ``sync`` writes the Parquet snapshot, and
``sandbox`` (with its ``sandbox_*`` helpers) serves a synthetic dataset with Zammad's
contract for the demo, the tests and the benchmarks.
"""
