from django.apps import AppConfig


class FakeEvaluationsConfig(AppConfig):
    name = "tests.kpi.fakeapp"
    label = "kpi_fake_evaluations"
