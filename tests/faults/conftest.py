"""The fault-injection rig's fixture (the rig itself: faultrig.py)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from faultrig import make_rig  # noqa: E402,F401
