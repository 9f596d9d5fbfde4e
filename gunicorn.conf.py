"""gunicorn reads this file from the working directory (make run, the Docker image, bench)."""

import gc


def post_worker_init(worker):
    """Load the cells of the point lookup before the worker takes its first request, so that
    no client waits for the build (about 0.1 s for a district, 2 s for 50,000 cells); then
    take everything loaded so far out of the garbage collector's reach: it lives as long as
    the worker, and scanning it again on every full collection cost a province-sized lookup
    7% (0.227 → 0.210 ms in process)."""
    from django.db import connections

    from gridmap.grids import cell_index

    try:
        cell_index.warm()
    except Exception:  # the database may not be migrated yet: the first lookup builds it
        worker.log.exception("point lookup: cells not loaded at start-up")
    finally:
        connections.close_all()
    gc.collect()  # garbage of the start-up is not kept for ever
    gc.freeze()
