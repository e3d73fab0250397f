from __future__ import annotations

from django.urls import path

from floor.views import screens

urlpatterns = [
    path("display/<int:hall_id>/", screens.display, name="display"),
    path("display/<int:hall_id>/pair/", screens.display_pair, name="display_pair"),
    path("display/<int:hall_id>/events", screens.events, name="events"),
    path("display/<int:hall_id>/state.json", screens.display_state, name="display_state"),
    path("kiosk/<int:hall_id>/notices", screens.kiosk_notices, name="kiosk_notices"),
    path("halls/<int:hall_id>/staff-banner", screens.staff_banner, name="staff_banner"),
]

from floor.views import manage  # noqa: E402

urlpatterns += [
    path("", manage.index, name="index"),
    path("halls/<int:hall_id>/announcements/", manage.announcements, name="announcements"),
    path(
        "halls/<int:hall_id>/announcements/<int:pk>/withdraw",
        manage.announcement_withdraw,
        name="announcement_withdraw",
    ),
    path("halls/<int:hall_id>/emergency/", manage.emergency, name="emergency"),
]

from floor.views import signs  # noqa: E402

urlpatterns += [
    path(
        "halls/<int:hall_id>/announcements/<int:pk>/poster.pdf",
        signs.announcement_poster,
        name="announcement_poster",
    ),
    path("halls/<int:hall_id>/signs/", signs.sign, name="signs"),
]

from floor.views import reports  # noqa: E402

urlpatterns += [
    path("halls/<int:hall_id>/incident-reports/", reports.report_create, name="incident_report"),
    path("halls/<int:hall_id>/incident-reports/panel", reports.report_panel, name="incident_report_panel"),
    path(
        "halls/<int:hall_id>/incident-reports/<int:pk>/declare",
        reports.report_act,
        {"action": "declare"},
        name="incident_report_declare",
    ),
    path(
        "halls/<int:hall_id>/incident-reports/<int:pk>/dismiss",
        reports.report_act,
        {"action": "dismiss"},
        name="incident_report_dismiss",
    ),
]

from floor.views import board, greeter  # noqa: E402

urlpatterns += [
    path("greeter/", greeter.greeter_home, name="greeter_home"),
    path("halls/<int:hall_id>/greeter/", greeter.greeter, name="greeter"),
    path("halls/<int:hall_id>/greeter/list", greeter.greeter_list, name="greeter_list"),
    path("halls/<int:hall_id>/greeter/issue", greeter.greeter_issue, name="greeter_issue"),
    path("halls/<int:hall_id>/greeter/refer", greeter.greeter_refer, name="greeter_refer"),
    path(
        "halls/<int:hall_id>/greeter/tickets/<int:ticket_id>/flag", greeter.greeter_flag, name="greeter_flag"
    ),
    path(
        "halls/<int:hall_id>/greeter/tickets/<int:ticket_id>/reactivate",
        greeter.greeter_reactivate,
        name="greeter_reactivate",
    ),
    path("halls/<int:hall_id>/board/", board.board, name="board"),
    path("halls/<int:hall_id>/board/panel", board.board_panel, name="board_panel"),
    path("halls/<int:hall_id>/board/display-test", board.board_display_test, name="board_display_test"),
]
