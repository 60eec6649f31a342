from django.apps import AppConfig


class PerfConfig(AppConfig):
    name = "port.perf"
    label = "perf"
    verbose_name = "Scale data and benchmarks"
