from django.apps import AppConfig


class WorkspacesConfig(AppConfig):
    name = "gridmap.workspaces"
    label = "workspaces"
    verbose_name = "工作台"
