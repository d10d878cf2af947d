"""`python -m jobs` is the `tonghop` command."""

import sys

from .commands.cli import main

sys.exit(main())
