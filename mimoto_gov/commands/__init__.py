"""Sub-commands of ``mimoto-gov``: each module defines ``register(subparsers)``."""
