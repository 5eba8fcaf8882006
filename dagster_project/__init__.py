"""Dagster wiring (assets, checks, schedule, resources) and the `ogi` CLI.

Import-light on purpose: `ogi parse` imports no Dagster.
"""
