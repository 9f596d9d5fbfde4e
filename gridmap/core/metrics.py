"""Prometheus metrics of the process: requests per route (counts and latencies) and the
in-memory caches' hits and misses. Served at /metrics (gridmap.jobs.health) with the job
queue's figures.

Under granian's several worker processes, gridmap.server points PROMETHEUS_MULTIPROC_DIR at a
folder shared by them, and prometheus_client adds up every process's values there."""

from __future__ import annotations

import time

from prometheus_client import Counter, Histogram

# Django's route pattern, not the path: a bounded set of labels (ids and codes stay out).
REQUESTS = Counter("gridmap_http_requests_total", "HTTP requests answered", ["route", "method", "status"])
LATENCY = Histogram("gridmap_http_request_seconds", "Time to answer a request", ["route"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
CACHE_LOOKUPS = Counter("gridmap_cache_lookups_total", "Lookups in a process's in-memory caches",
                        ["cache", "result"])
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class MetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = "/" + match.route if match is not None and match.route is not None else "unrouted"
        method = request.method if request.method in METHODS else "other"
        REQUESTS.labels(route, method, f"{response.status_code // 100}xx").inc()
        LATENCY.labels(route).observe(time.perf_counter() - started)
        return response
