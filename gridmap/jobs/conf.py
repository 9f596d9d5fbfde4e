"""The jobs app's settings (GRIDMAP_* in the project settings override these defaults)."""

from gridmap.core.conf import AppSettings, env_int, env_list

app_settings = AppSettings(
    # Rows fetched from the server-side cursor at a time, and how often (in rows) an export
    # writes its progress.
    EXPORT_CHUNK_ROWS=env_int("GRIDMAP_EXPORT_CHUNK_ROWS", 2000),
    EXPORT_PROGRESS_EVERY=env_int("GRIDMAP_EXPORT_PROGRESS_EVERY", 5000),
    # A finished export's file is kept this many days, then removed by the hourly job.
    EXPORT_KEEP_DAYS=env_int("GRIDMAP_EXPORT_KEEP_DAYS", 7),
    # The folder of export files in the default storage (local disk or an object store).
    EXPORT_FOLDER="exports",
    # A worker whose last heartbeat is older than this is taken for dead (/readyz answers
    # 503). Procrastinate's workers beat every 10 s.
    WORKER_STALE_SECONDS=env_int("GRIDMAP_WORKER_STALE_SECONDS", 60),
    # Addresses allowed to read /metrics: the operator's network (CIDR list).
    METRICS_ALLOWED_NETS=env_list("GRIDMAP_METRICS_ALLOWED_NETS", "127.0.0.0/8,::1/128"),
    # The function that opens the annual plan's inspection tasks whose window opens on a
    # date (called as f(on=date) by the daily job): one name, here.
    PLAN_TASKS_OPEN="gridmap.inspections.planning.plan_tasks_open",
)
