"""`python -m pylambda`: see :mod:`pylambda.cli`."""

import sys

from pylambda.cli import main

sys.exit(main())
