"""Running the pipeline from Python (the CLI, tests): every asset and check in one in-process run.

Sites are not Dagster partitions: a run covers the sites of its crawl configuration, or those named by the crawl
resource's `only` (a partition per site made every run write a materialisation event per site and asset, which at
thousands of sites cost more than the run's own work)."""

from collections.abc import Iterable, Mapping
from typing import Any

import dagster as dg

from dagster_project.assets import ASSETS
from dagster_project.checks import CHECKS

QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def materialize_sites(
    resources: Mapping[str, Any],
    *,
    only: Iterable[str] | None = None,
    instance: dg.DagsterInstance | None = None,
    run_config: Mapping[str, Any] | None = None,
    raise_on_error: bool = True,
) -> dg.ExecuteInProcessResult:
    """Materialise every asset and check with these resources (`only`: just these sites of the crawl resource)."""
    resources = dict(resources)
    if only:
        crawl = resources["crawl"]  # a new resource (Dagster keeps a resource's config apart from its attributes)
        resources["crawl"] = type(crawl)(**{**{f: getattr(crawl, f) for f in type(crawl).model_fields}, "only": list(only)})
    return dg.materialize(
        [*ASSETS, *CHECKS], resources=resources, instance=instance or dg.DagsterInstance.ephemeral(),
        run_config=dict(run_config or QUIET), raise_on_error=raise_on_error,
    )  # fmt: skip


def run_job(instance: dg.DagsterInstance, run_config: Mapping[str, Any]) -> dg.ExecuteInProcessResult:
    """Execute the code location's `all_assets` job in `instance` (so the UI shows it as that job's run)."""
    from dagster_project.definitions import defs

    job = defs.resolve_job_def("all_assets")
    return job.execute_in_process(run_config=dict(run_config), instance=instance, raise_on_error=False)
