"""Running the pipeline from Python (the CLI, tests): every asset and check in one in-process run over the site
partitions, which are registered in the instance first (they are dynamic: dagster_project.partitions)."""

from collections.abc import Iterable, Mapping
from typing import Any

import dagster as dg

from dagster_project.assets import ASSETS
from dagster_project.checks import CHECKS
from dagster_project.partitions import RANGE_END, RANGE_START, register_sites, site_keys

QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def partition_args(instance: dg.DagsterInstance, sites: Iterable[str], only: Iterable[str] | None = None) -> dict[str, Any]:
    """`partition_key` (one site) or range `tags` (several: the whole registered range) for a run over `only`
    (default: every site of `sites`), after registering `sites`."""
    names = list(dict.fromkeys(sites))
    register_sites(instance, names)
    wanted = list(only) if only else names
    if len(wanted) == 1:
        return {"partition_key": wanted[0]}
    keys = site_keys(instance)
    return {"tags": {RANGE_START: keys[0], RANGE_END: keys[-1]}} if keys else {}


def materialize_sites(
    resources: Mapping[str, Any],
    sites: Iterable[str],
    *,
    only: Iterable[str] | None = None,
    instance: dg.DagsterInstance | None = None,
    run_config: Mapping[str, Any] | None = None,
    raise_on_error: bool = True,
) -> dg.ExecuteInProcessResult:
    """Materialise every asset and check for `only` (default: all of `sites`) with these resources."""
    instance = instance or dg.DagsterInstance.ephemeral()
    args = partition_args(instance, sites, only)
    return dg.materialize(
        [*ASSETS, *CHECKS], resources=dict(resources), instance=instance, run_config=dict(run_config or QUIET),
        raise_on_error=raise_on_error, **args,
    )  # fmt: skip


def run_job(
    instance: dg.DagsterInstance,
    sites: Iterable[str],
    run_config: Mapping[str, Any],
    *,
    only: Iterable[str] | None = None,
) -> dg.ExecuteInProcessResult:
    """Execute the code location's `all_assets` job in `instance` (so the UI shows it as that job's run)."""
    from dagster_project.definitions import defs

    job = defs.resolve_job_def("all_assets")
    args = partition_args(instance, sites, only)
    return job.execute_in_process(run_config=dict(run_config), instance=instance, raise_on_error=False, **args)
