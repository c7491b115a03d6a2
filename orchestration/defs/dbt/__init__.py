"""dbt: the project, the resource that runs dbt in the run's process, the assets."""
