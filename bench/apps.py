from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmark and generator commands (`bench`, `generate_province`); no models."""

    name = "bench"
    verbose_name = "Benchmarks"
