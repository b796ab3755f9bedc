"""Entry script of the frozen bundle: the same as the ``teller-client`` console script."""

import multiprocessing
import sys

from teller_client.cli import main

if __name__ == "__main__":
    # Device libraries run in child processes (drivers/host, "spawn"): a frozen child must run the
    # multiprocessing bootstrap here instead of starting the program again.
    multiprocessing.freeze_support()
    sys.exit(main())
