"""URL routes of one kind of record, laid out and named as DRF's routers do: the list at the
prefix (`<name>list`), one record at `<pk>/` (`<name>detail`), then the record's other routes."""

from django.urls import include, path
from django.urls.resolvers import URLPattern, URLResolver


def record_routes(prefix: str, name: str, list_view, detail_view, *more: URLPattern) -> URLResolver:
    """`name` ends with its separator ("task_", "inspection-task-"); `more` are paths below
    the prefix, such as "<int:pk>/<slug:action>/"."""
    return path(prefix, include([
        path("", list_view, name=f"{name}list"),
        path("<int:pk>/", detail_view, name=f"{name}detail"),
        *more,
    ]))
