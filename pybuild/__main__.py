"""``python -m pybuild`` is the ``pybuild`` command."""

import sys

try:
    from .cli import main
except KeyboardInterrupt:  # Ctrl-C while it loads: told as during the command (pybuild.cli)
    sys.stderr.write("interrupted\n")
    raise SystemExit(130) from None

raise SystemExit(main())
