"""`python -m staffdesk`: the same command as `staffdesk`."""

import sys

from staffdesk.cli import main

sys.exit(main())
