"""The Dagster definitions by concern: landing, dbt, quality (Great Expectations), the
warehouse file and its publishing, sensors. ``orchestration.definitions`` wires them."""
