from __future__ import annotations

from django.urls import path

from queueing.views import console, kiosk, records

urlpatterns = [
    path("kiosk/", kiosk.kiosk, name="kiosk"),
    path("kiosk/pair/", kiosk.pair, name="kiosk_pair"),
    path("kiosk/issue/", kiosk.kiosk_issue, name="kiosk_issue"),
    path("kiosk/reset/", kiosk.kiosk_reset, name="kiosk_reset"),
    path("kiosk/ticket/<str:public_token>/", kiosk.kiosk_ticket, name="kiosk_ticket"),
    path("m/<str:public_token>/", kiosk.mobile_ticket, name="mobile_ticket"),
    path("m/<str:public_token>/status/", kiosk.mobile_ticket_status, name="mobile_ticket_status"),
    path("console/", console.console_index, name="console_index"),
    path("console/<int:counter_id>/", console.console, name="console"),
    path("console/<int:counter_id>/panel/", console.console_panel, name="console_panel"),
    path("console/<int:counter_id>/do/<str:action>/", console.console_action, name="console_action"),
    path("console/glossary/", console.glossary, name="glossary"),
    path("tickets/<int:ticket_id>/supplement/", console.supplement, name="supplement"),
    path("tickets/<int:ticket_id>/supplement/sms/", console.supplement_sms, name="supplement_sms"),
    path(
        "tickets/<int:ticket_id>/supplement/appointment/",
        console.supplement_appointment,
        name="supplement_appointment",
    ),
    path("records/", records.records, name="records"),
    path("records/export.xlsx", records.records_export, name="records_export"),
]
