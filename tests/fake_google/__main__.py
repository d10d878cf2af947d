"""Serve a folder of .xlsx files as fake Google spreadsheets, for a demo by hand.

    python -m tests.fake_google --port 8765 --dir demo/sheets

Each file's id is its stem; point tonghop at it with TONGHOP_GOOGLE_API_URL=<printed URL>.
"""

from __future__ import annotations

import argparse
import contextlib
import threading
from pathlib import Path

from .server import FakeGoogle


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.fake_google")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--dir", type=Path, required=True, help="folder of .xlsx files")
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    fake = FakeGoogle(host=args.host, port=args.port)
    for path in sorted(args.dir.glob("*.xlsx")):
        fake.add_spreadsheet(path)
    with fake:
        print(fake.url, flush=True)
        for fid in fake.files:
            print(f"  {fid}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
