"""``python -m tape``: train a two-layer net (``--model cnn``: a convolutional net) with tape on
handwritten digits (see `tape.demo`)."""

from __future__ import annotations

import sys

from .demo import main

if __name__ == "__main__":
    sys.exit(main())
