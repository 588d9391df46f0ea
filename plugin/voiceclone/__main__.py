"""`python -m voiceclone`: the same command line as the `voiceclone` script."""

import sys

from .cli import main

sys.exit(main())
