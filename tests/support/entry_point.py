"""The ``teller-client`` console script pip installed into this environment (what branch IT runs)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ENTRY_POINT = Path(sys.executable).with_name("teller-client.exe" if os.name == "nt" else "teller-client")
