"""The shape of a list cursor: its bytes and the pattern of its text.

The query engine (``query.py``) signs and reads cursors; OpenAPI states their pattern. Both
read the layout here, so the list routes can be described without importing the engine.
"""

from __future__ import annotations

import re
import string
import struct

CURSOR = struct.Struct(">BI")  # version, position
CURSOR_VERSION, TAG_BYTES = 1, 12


def _cursor_pattern() -> str:
    """The text of every cursor ``query.encode_cursor`` can make, as a regular expression:
    unpadded URL-safe base64 of the body and tag, whose last character's spare bits are zero.
    Whether a cursor of this shape was signed for its query and release cannot be written as a
    pattern."""
    alphabet = string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_"
    bits = (CURSOR.size + TAG_BYTES) * 8
    length = -(-bits // 6)
    spare = length * 6 - bits
    last = "".join(alphabet[i] for i in range(0, 64, 2**spare))
    return f"^[A-Za-z0-9_-]{{{length - 1}}}[{re.escape(last)}]$"


CURSOR_PATTERN = _cursor_pattern()
