"""Keep the kiosk's resident memory from creeping up over a day of questions.

glibc's malloc raises its mmap threshold each time a large block is freed, so later large
blocks (numpy arrays, onnxruntime and CTranslate2 activations) come from the heap, where freed
space is kept rather than returned; and it gives each busy thread an arena of its own (up to 8
per core), each holding freed space. Fixing the threshold returns large blocks at once, and two
arenas are plenty for the kiosk's few busy threads. Measured on the benchmark's soak (120
sounds through `kiosk run`, with the environment variables of the same names): Whisper alone,
peak 401 -> 340 MB with the threshold; Whisper and Moonshine, 592 -> 514 MB with the
threshold and 461 MB with two arenas as well.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
from functools import cache
from typing import Any

log = logging.getLogger(__name__)

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD, M_ARENA_MAX = -1, -3, -8
"""mallopt parameters (glibc's malloc.h)."""
ARENAS = 2
"""Malloc arenas shared by all threads."""
MMAP_ABOVE = 1 << 20
"""Blocks of this size or more are mapped on their own, and unmapped when freed."""
TRIM_ABOVE = 4 << 20
"""Free heap space at the top beyond this is given back."""


@cache
def _glibc(function: str) -> Any | None:
    """A function of the C library, or None where it is not glibc (or lacks it); looked up once
    (find_library runs ldconfig)."""
    name = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(name or "libc.so.6"), function)
    except (OSError, AttributeError):
        log.debug("not glibc: no %s", function)
        return None


def trim_heap() -> None:
    """Give the heap's free space back to the system now (glibc's malloc_trim; nothing
    elsewhere): after a model is dropped, its small blocks leave free space in the heap, and
    each utterance heard leaves free pages scattered through it. About 3 ms with the kiosk's
    models loaded; 600 soak sounds had left 24 MB to give back."""
    malloc_trim = _glibc("malloc_trim")
    if malloc_trim is not None:
        malloc_trim(0)


def return_freed_memory() -> bool:
    """Set glibc's malloc to give large freed blocks back and to share two arenas among the
    threads (False where it is not glibc). Call it before the models load."""
    mallopt = _glibc("mallopt")
    if mallopt is None:
        return False
    settings = (
        (M_MMAP_THRESHOLD, MMAP_ABOVE),
        (M_TRIM_THRESHOLD, TRIM_ABOVE),
        (M_ARENA_MAX, ARENAS),
    )
    return all([bool(mallopt(parameter, value)) for parameter, value in settings])
