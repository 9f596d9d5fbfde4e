"""Reads of jobs: a user's own exports (nobody else's, whatever their role)."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Export


def exports_of(user) -> QuerySet[Export]:
    return Export.objects.filter(requester_id=user.pk).order_by("-created_at", "-id")


def export_of(user, pk: int) -> Export | None:
    return exports_of(user).filter(pk=pk).first()
