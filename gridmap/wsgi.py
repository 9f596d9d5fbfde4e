import gc
import logging
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridmap.settings.dev")
application = get_wsgi_application()


def worker_application():
    """The application for one server worker (gridmap.server starts granian with this as its
    factory, called in each worker process).

    Loads the cells of the point lookup before the worker takes its first request, so that no
    client waits for the build (long for a province); then takes
    everything loaded so far out of the garbage collector's reach: it lives as long as the
    worker, and scanning it again on every full collection slowed a province-sized lookup
    measurably (bench/RESULTS.md)."""
    from django.db import connections

    from gridmap.grids import cell_index

    try:
        cell_index.warm()
    except Exception:  # the database may not be migrated yet: the first lookup builds it
        logging.getLogger(__name__).exception("point lookup: cells not loaded at start-up")
    finally:
        connections.close_all()
    gc.collect()  # garbage of the start-up is not kept for ever
    gc.freeze()
    return application
