"""linli (邻里): community care and community policing for stations, townships and grid workers."""

from __future__ import annotations

__version__ = "0.1.0"
