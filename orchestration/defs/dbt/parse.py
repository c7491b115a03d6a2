"""The project's manifest, parsed where no reader sees it half written.

dbt writes ``manifest.json`` in place. Every process that imports the definitions
reads that file (dagster-dbt's ``@dbt_assets``), and ``dagster dev`` parses the project
again on every load: a ``make run`` started meanwhile read a truncated manifest and
failed (``orjson.JSONDecodeError: unexpected end of data``). So every parse of the
project's own target folder (``make manifest``, ``dagster dev``) goes through
``parse_project``: dbt parses into a folder of its own, then each file it wrote takes
its place in one rename, the manifest last.

A run hands dbt the project it parsed (``resource.py``). That parse costs 0.9-1.4 s a
run even when nothing changed, most of it dbt decoding and validating its partial-parse
file; so the parsed project is also kept whole (``store_parsed``), under the fingerprint
of everything it was parsed from (``parse_fingerprint``), and the next run with the
same fingerprint loads it in about 0.03 s (``load_parsed``).
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import re
import shutil
import sys
import tempfile
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orchestration.settings import environment, parse_environment

if TYPE_CHECKING:
    from dagster_dbt import DbtProject

PARTIAL_PARSE_FILE = "partial_parse.msgpack"
# The parsed project of the last parse, after a line with its fingerprint.
PARSED_FILE = "parsed_manifest.pickle"
# Arguments that name an invocation's own folders: not what is parsed.
FOLDER_ARGS = ("--target-path", "--log-path")
# A variable a project file reads: env_var('NAME'...)
ENV_VAR = re.compile(r"""env_var\(\s*['"]([^'"]+)['"]""")
# the order they are moved in: the manifest, what readers open, goes last
WRITTEN = (PARTIAL_PARSE_FILE, "semantic_manifest.json", "manifest.json")


def project_target(project_dir: Path) -> Path:
    """The project's own target folder (``$DBT_TARGET_PATH``, as dagster-dbt reads it)."""
    return project_dir / os.environ.get("DBT_TARGET_PATH", "target")


class DbtParseError(RuntimeError):
    """dbt's parse failed; the project's target folder was left as it was."""


def parse_project(project_dir: Path, profiles_dir: Path, target: Path) -> None:
    """Parse the project as a run parses it (``settings.parse_environment``, so that the
    run's own parse stays partial) and swap what dbt wrote into ``target``."""
    from dbt.cli.main import dbtRunner

    target.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".parse-", dir=target))
    try:
        if (target / PARTIAL_PARSE_FILE).exists():  # start from it: a partial parse
            shutil.copy(target / PARTIAL_PARSE_FILE, staging / PARTIAL_PARSE_FILE)
        with environment(parse_environment()):
            result = dbtRunner().invoke(
                [
                    "parse",
                    "--quiet",
                    "--project-dir",
                    str(project_dir),
                    "--profiles-dir",
                    str(profiles_dir),
                    "--target-path",
                    str(staging),
                ]
            )
        if not result.success:
            raise DbtParseError(f"dbt parse failed: {result.exception or 'see dbt_project/logs'}")
        for name in WRITTEN:
            if (staging / name).exists():
                os.replace(staging / name, target / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def prepare(project: DbtProject) -> None:
    """What dagster-dbt's preparer does for this project (no dbt packages to install):
    the parse, one process at a time (its lock file; a process that waited finds the
    manifest new and skips), but through ``parse_project``."""
    from dagster._utils import run_with_concurrent_update_guard

    run_with_concurrent_update_guard(
        project.manifest_path,
        parse_project,
        project_dir=project.project_dir,
        profiles_dir=project.profiles_dir,
        target=project.manifest_path.parent,
    )


def parse_fingerprint(project_dir: Path, args: Sequence[str]) -> str:
    """What a parse of the project depends on: its files, this package's code and the
    engines (``build_inputs``); dbt's arguments but the invocation's folders, and the
    profile they name (``--profiles-dir``); the variables these files read with
    ``env_var()`` and dbt's own (``DBT_*``), as the parse sees them
    (``parse_environment``); and Python."""
    from orchestration.defs.warehouse.files import build_inputs, project_files

    kept = [
        arg
        for previous, arg in pairwise([None, *args])
        if arg not in FOLDER_ARGS and previous not in FOLDER_ARGS
    ]
    profiles = [Path(v) / "profiles.yml" for k, v in pairwise(args) if k == "--profiles-dir"]
    profiles = [path for path in profiles if path.is_file()]
    texts = [
        path.read_text(errors="replace")
        for path in [*project_files(project_dir), *profiles]
        if path.suffix in (".sql", ".yml", ".md")
    ]
    read = {name for text in texts for name in ENV_VAR.findall(text)}
    with environment(parse_environment()):
        variables = sorted(
            (name, os.environ.get(name))
            for name in os.environ.keys() | read
            if name in read or name.startswith("DBT_")
        )
    context = repr((kept, [path.read_bytes() for path in profiles], variables))
    return build_inputs(f"dbt parse {context} {sys.version}", project=project_dir)


def load_parsed(target: Path, fingerprint: str) -> Any | None:
    """The project parsed with this fingerprint, kept in the target folder ``target``;
    None when the last parse kept there had another one, or none was kept, or it cannot
    be read (then the run parses, as with no file)."""
    try:
        with (target / PARSED_FILE).open("rb") as handle:
            if handle.readline().rstrip(b"\n") != fingerprint.encode():
                return None
            return pickle.load(handle)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
        return None


def store_parsed(target: Path, fingerprint: str, manifest: Any) -> None:
    """Keep a freshly parsed project for the next run with the same fingerprint, swapped
    in whole: a run reading it meanwhile reads the previous file."""
    target.mkdir(parents=True, exist_ok=True)
    staged = target / f".{PARSED_FILE}.{os.getpid()}"
    try:
        with staged.open("wb") as handle:
            handle.write(fingerprint.encode() + b"\n")
            _ManifestPickler(handle, protocol=pickle.HIGHEST_PROTOCOL).dump(manifest)
        os.replace(staged, target / PARSED_FILE)
    finally:
        staged.unlink(missing_ok=True)


class _ManifestPickler(pickle.Pickler):
    """Pickles a dbt manifest by its fields' names, without what dbt builds on use.

    dbt's own pickling of a manifest (``Manifest.__reduce_ex__``, dbt-core 1.11) passes
    its fields by position and leaves two out (``fixtures``, ``_saved_query_lookup``):
    each field after them lands in the next one's, and a ref then failed
    (``RefableLookup.find() missing 1 required positional argument``). Here the fields
    are passed by name; the lookups, caches and lock are left to their defaults, and dbt
    builds each lookup again when it is first asked."""

    def reducer_override(self, obj: Any) -> Any:
        cls = type(obj)
        if cls.__name__ != "Manifest" or cls.__module__ != "dbt.contracts.graph.manifest":
            return NotImplemented
        fields = {
            field.name: getattr(obj, field.name)
            for field in dataclasses.fields(obj)
            if not field.name.startswith("_")
        }
        return _manifest_from_fields, (cls, fields)


def _manifest_from_fields(cls: type, fields: dict[str, Any]) -> Any:
    return cls(**fields)
