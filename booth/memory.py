"""Keep the booth's resident memory at what it uses, not at its largest moment.

Saving a photo allocates full-resolution temporaries (the still as float32, the matte, the
crops: tens of MB each) on the saver thread and frees them a second later. glibc keeps freed
memory for reuse, and after the first large free its mmap threshold rises (up to 32 MiB on
64-bit), so later temporaries come from the heap, whose high-water mark stays resident. The
saver therefore hands the free memory back after each save with ``malloc_trim(0)`` (a few ms,
off the loop). Holding the mmap threshold low instead (``mallopt``) returned the memory too but
made every simulated frame's arrays page-fault in afresh: the demo's camera fell from 28.4 to
27.8 fps on this machine.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
from typing import Callable

log = logging.getLogger(__name__)


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        fn = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc (musl, macOS): that allocator decides
        return None
    fn.argtypes = (ctypes.c_size_t,)
    fn.restype = ctypes.c_int
    return fn


_TRIM = _malloc_trim()


def return_free_memory() -> bool:
    """Give the C heap's free memory back to the system (every arena). True when something
    was returned; False when nothing was or the C library has no ``malloc_trim``."""
    return bool(_TRIM(0)) if _TRIM is not None else False
