"""`python -m jobs` is the `tonghop` command."""

import sys

from .cli import main

sys.exit(main())
