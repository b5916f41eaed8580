"""Handoff: getting each headshot to its owner.

- :mod:`.badge`: attendee IDs from a keyboard-wedge scanner (pygame keys or evdev), validated.
- :mod:`.server`: the booth-local download page behind an unguessable, expiring link.
- :mod:`.qr`: the QR code for that link.
- :mod:`.outbox`: durable, idempotent upload of each capture to S3-compatible storage.
- :mod:`.retention`: deleting local photos once they may go.

The app uses :class:`Handoff` (see :mod:`.service`); the store uses :func:`badge_safe_name`.
"""

from .badge import BadgeScanBuffer, BadgeValidator, ScanResult, badge_safe_name, capture_stem
from .service import Handoff

__all__ = ["Handoff", "BadgeScanBuffer", "BadgeValidator", "ScanResult", "badge_safe_name", "capture_stem"]
