"""Keep the booth's resident memory at what it uses, not at its largest moment.

Saving a photo allocates full-resolution temporaries (the still as float32, the matte, the
crops: tens of MB each) on the saver thread and frees them a second later. glibc returns a
freed block of that size to the system only while it is above the *mmap threshold*, and by
default that threshold rises to the size of the largest block ever freed (up to 32 MiB on
64-bit): after the first save every later temporary comes from the heap, and the heap keeps
its high-water mark. Measured with the soak (``booth demo --headless --fast --frames 1500
--report``): RSS 229 MiB after warm-up grew to 399 MiB (peak 456) by default, to 270 MiB
(peak 345) with the threshold held at 1 MiB. (``MALLOC_MMAP_THRESHOLD_=1048576`` in the
environment does the same; this works however the booth is started.)
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

log = logging.getLogger(__name__)

#: mallopt(3) parameter number of M_MMAP_THRESHOLD (glibc's malloc.h)
M_MMAP_THRESHOLD = -3
#: blocks of this size or more are mapped, and unmapped when freed (fixing it disables the
#: dynamic threshold); a 1280x960 BGR frame is 3.5 MiB, an analysis-size one 0.9 MiB
MMAP_THRESHOLD_BYTES = 1 << 20


def return_large_blocks_to_the_system(threshold: int = MMAP_THRESHOLD_BYTES) -> bool:
    """Fix glibc's mmap threshold at ``threshold`` bytes. True when set; False where the C
    library is not glibc (musl, macOS): nothing changes there."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        log.debug("no mallopt in the C library: memory returns as that allocator decides")
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, threshold))
