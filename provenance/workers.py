"""Ingest's reader processes: gone when the process that started them is. Killed alone (by
the out-of-memory killer, say), that process left them waiting for work forever, holding
memory and the bulk load's lock on its run folder, so that the next open of the database
could not merge the interrupted load's runs. (A scan's ``multiprocessing.Pool`` workers
already exit with their parent: tried, by killing a scan alone.)"""

from __future__ import annotations

import os
import threading
import time

from . import store


def started(parent: int) -> None:
    """Run first in each worker process of ``parent``."""
    store.close_inherited_locks()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()
