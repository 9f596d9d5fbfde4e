"""Long work in PostgreSQL (Procrastinate): exports streamed to files, batch registers, the
daily and periodic jobs that replace cron, and the platform's health (liveness, readiness,
metrics). Above the domain apps and `layers`, below `workspaces`: a job composes the domain
apps' selectors and services, and the pages that show jobs live in workspaces."""
