"""The demo district: an invented Vĩnh Lợi roster, config and filled unit workbooks with a
realistic mix of statuses and mistakes, kept out of the job's way.

``district`` writes the files; ``content`` makes valid reports, ``mistakes`` the errors units
make, ``text`` reads the Vietnamese text banks (``text.toml``); ``fill`` types values into a
template the way a unit would.
"""

from .district import DEMO_AS_OF, make_demo
from .fill import PERCENT_FORMAT, fill_workbook

__all__ = ["DEMO_AS_OF", "PERCENT_FORMAT", "fill_workbook", "make_demo"]
