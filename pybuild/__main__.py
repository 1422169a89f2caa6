"""``python -m pybuild`` is the ``pybuild`` command."""

from .cli import main

raise SystemExit(main())
