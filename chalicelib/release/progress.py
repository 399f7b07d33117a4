"""How a long build reports progress, without depending on who shows it.

The CLI passes click progress bars when stderr is a terminal; everyone else passes nothing
and gets ``no_progress``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

# A progress reporter: progress(label, length) gives a context manager whose value
# has update(n). The CLI passes click progress bars when stderr is a terminal.
Progress = Callable[[str, int], AbstractContextManager[Any]]


class _NoBar:
    def update(self, n: int) -> None:
        pass


def no_progress(label: str, length: int) -> AbstractContextManager[Any]:
    """The progress reporter that reports nothing."""
    return contextlib.nullcontext(_NoBar())
