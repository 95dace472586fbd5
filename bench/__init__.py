"""Benchmark tooling, kept out of the product apps (docs/performance.md).

- `bench.generator`: a synthetic province for the benchmarks (`manage.py generate_province`);
- `bench.measures`: the province-scale figures P1–P12 (`manage.py bench --json`);
- `bench/load.py`: the load test (`make load`), a standalone script.

This app has no models. It imports the product apps (programs, regions); none of them imports it.
"""
