"""Entry script of the frozen bundle: the same as the ``teller-client`` console script."""

import multiprocessing
import sys

if __name__ == "__main__":
    # Device libraries run in child processes (drivers/host, "spawn"). A frozen child is this program started
    # again with --multiprocessing-fork: the bootstrap must run here, before the client is even imported.
    multiprocessing.freeze_support()
    from teller_client.cli import main

    sys.exit(main())
