from django.urls import path

from . import views

urlpatterns = [
    path("auditrecords", views.AuditRecordListApi.as_view(), name="auditrecord-list"),
]
