"""What the wire format holds: the limits every reader and writer of cloudsms shares.

Decimals travel as text of at most 100 characters matching the JSON Schema's pattern;
integers stay within 64 bits, which every JSON reader can hold; a field marked
``SENSITIVE`` never shows its value in an error message.
"""

from __future__ import annotations

from cloudsms._foundation.exact import DECIMAL_TEXT

__all__ = ["SENSITIVE"]

SENSITIVE: dict[str, bool] = {"sensitive": True}
"""attrs field metadata marking a secret or personal value: error messages redact it.

Use it as ``token: str = attrs.field(metadata=SENSITIVE)``.
"""
LONGEST_NUMBER = 100
INT64 = (-(2**63), 2**63 - 1)  # what every JSON reader can hold
DECIMAL = DECIMAL_TEXT  # the JSON Schema's decimal pattern, ASCII digits only
