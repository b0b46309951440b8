"""``python -m evo``: the CLI; Ctrl-C while its libraries load exits 130 without a traceback."""

import sys

try:
    from evo.cli import main
except KeyboardInterrupt:
    sys.exit(130)

sys.exit(main())
