"""kiosk.memory: glibc's malloc is told to give freed memory back (the soak measures the effect)."""

from __future__ import annotations

import subprocess
import sys


def test_malloc_is_set_to_give_freed_memory_back() -> None:
    code = "from kiosk.memory import return_freed_memory as r; print(r())"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "True"  # Debian's glibc took all three settings
