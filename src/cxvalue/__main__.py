"""``python -m cxvalue``: the same command line as ``cxvalue``."""

from cxvalue.cli import main

raise SystemExit(main())
