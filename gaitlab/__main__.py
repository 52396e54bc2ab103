"""``python -m gaitlab``: the same as the ``gaitlab`` command."""

import sys

from gaitlab.cli.main import main

sys.exit(main())
