from __future__ import annotations

from django.urls import path

from linli.audit.views.events import audit_export, audit_log

urlpatterns = [
    path("audit/", audit_log, name="audit-log"),
    path("audit/export/", audit_export, name="audit-export"),
]
