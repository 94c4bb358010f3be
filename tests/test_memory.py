"""kiosk.memory: glibc's malloc is told to give freed memory back (the soak measures the effect)."""

from __future__ import annotations

import subprocess
import sys


def test_malloc_is_set_to_give_freed_memory_back() -> None:
    code = "from kiosk.memory import return_freed_memory as r; print(r())"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "True"  # Debian's glibc took all three settings


TRIM = """
import ctypes, psutil
from kiosk.memory import return_freed_memory, trim_heap
return_freed_memory()
libc = ctypes.CDLL("libc.so.6")
libc.malloc.restype, libc.free.argtypes = ctypes.c_void_p, [ctypes.c_void_p]
blocks = [libc.malloc(100_000) for _ in range(1500)]  # 150 MB in the heap (below the mmap size)
for block in blocks:
    ctypes.memset(block, 1, 100_000)
for block in blocks[:-1]:  # the last one stays: the heap's top cannot simply shrink
    libc.free(block)
mb = lambda: psutil.Process().memory_info().rss / 2**20
freed = mb()
trim_heap()
print(freed, mb())
"""


def test_trim_heap_gives_free_pages_inside_the_heap_back() -> None:
    done = subprocess.run([sys.executable, "-c", TRIM], capture_output=True, text=True, check=True)
    freed, trimmed = map(float, done.stdout.split())
    assert freed - trimmed > 100, (freed, trimmed)  # ~150 MB held after free, given back by trim
