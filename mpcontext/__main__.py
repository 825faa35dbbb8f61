"""``python -m mpcontext``: see ``mpcontext._cli``."""

from mpcontext._cli import main

raise SystemExit(main())
