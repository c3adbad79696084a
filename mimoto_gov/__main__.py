"""``python -m mimoto_gov`` runs the command line."""

from mimoto_gov.cli import main

raise SystemExit(main())
