"""Entry script of the frozen bundle: the same as the ``teller-client`` console script."""

import sys

from teller_client.cli import main

if __name__ == "__main__":
    sys.exit(main())
