"""Great Expectations: the suites and their runner (``suites``), GX on DuckDB, the
Dagster asset checks."""
