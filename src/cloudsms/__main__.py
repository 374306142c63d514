"""``python -m cloudsms``: the same command as ``cloudsms``."""

from cloudsms.cli import main

raise SystemExit(main())
