from __future__ import annotations

from django.urls import path

from standard import views

urlpatterns = [
    path("", views.version_list, name="list"),
    path("v<int:number>/", views.version_detail, name="detail"),
    path("compare/", views.compare, name="compare"),
    path("publish/", views.publish, name="publish"),
]
