"""``python -m booth.cli ...`` is ``booth ...``."""

import sys

from . import main

sys.exit(main())
