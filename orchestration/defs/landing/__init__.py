"""Landing: dump files into the raw tables (``dumps``), one Dagster asset per source."""
