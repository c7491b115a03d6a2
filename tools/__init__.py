"""Tooling around the project (sample maker, generator, benchmark): not shipped in the package."""
