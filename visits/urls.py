from __future__ import annotations

from django.urls import path

from visits import views

urlpatterns = [
    path("", views.visit_list_view, name="list"),
    path("new/", views.visit_book_view, name="book"),
    path("mine/", views.visit_mine_view, name="mine"),
    path("<int:pk>/", views.visit_detail_view, name="detail"),
    path("<int:pk>/reveal/", views.visit_reveal_view, name="reveal"),
    path("<int:pk>/<str:step>/", views.visit_step_view, name="step"),
]
