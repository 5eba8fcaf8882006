"""The report's data: plain SQL over the warehouse's views (v_agency_year, v_rates, v_refusal_reasons,
v_quality_scorecard, v_publication_ledger), read through one connection (read-only for `ogi report`; the
`html_report` asset's, inside its run). Rows come back as dicts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import duckdb

Row = dict[str, Any]

# The index's order: requests received over every year and scope of the agency's picked reports (v_agency_year),
# most first; agencies without any such figure last; then by name and id.
AGENCIES_SQL = """
with years as (
    select agency_id, sum(requests) as requests_total, count(*) as agency_years,
           min(report_year) as first_year, max(report_year) as last_year,
           arg_max(requests, report_year) as latest_requests, max(report_year) as latest_year,
           string_agg(distinct scope, ', ' order by scope) as scopes
    from v_agency_year
    group by agency_id
),
ledger as (
    select agency_id,
           count(*) filter (where status = 'published') as published,
           count(*) filter (where status = 'late') as late,
           count(*) filter (where status = 'missing') as missing,
           count(*) filter (where status = 'removed') as removed
    from v_publication_ledger
    group by agency_id
)
select a.agency_id, a.name as agency, a.agency_type, a.level, a.region_code, a.province, a.city, a.county,
       y.requests_total, y.agency_years, y.first_year, y.last_year, y.latest_year, y.latest_requests, y.scopes,
       coalesce(l.published, 0) as published, coalesce(l.late, 0) as late,
       coalesce(l.missing, 0) as missing, coalesce(l.removed, 0) as removed
from dim_agency as a
left join years as y using (agency_id)
left join ledger as l using (agency_id)
where (y.agency_id is not null or l.agency_id is not null)
  and ($agency is null or a.name = $agency)
  and ($region is null or starts_with(a.region_code, $region))
order by y.requests_total desc nulls last, a.name, a.agency_id
"""

# New requests by applicant (2019+ tables print them per applicant) of each picked report of v_agency_year.
APPLICANTS_SQL = """
select y.agency_id, y.report_year, y.scope, f.applicant, coalesce(d.label_zh, f.applicant) as label,
       coalesce(d.position, 99) as position, f.value
from v_agency_year as y
join fact_disclosure as f on f.report_id = y.report_id and f.metric = 'requests.new' and f.period = 'year'
left join dim_applicant as d on d.code = f.applicant
where f.applicant <> 'total' and f.value is not null
"""

# name -> (the rows of every agency, with an agency_id column; their order within an agency). The views compute
# over the whole warehouse whatever the filter (it does not reach through their window functions and joins), so
# several agencies are read with one query per table (staged), not one per agency.
PER_AGENCY: dict[str, tuple[str, str]] = {
    "years": ("select * from v_agency_year", "report_year, scope"),
    "rates": ("select * from v_rates", "report_year, scope"),
    "refusals": ("""
        select agency_id, report_year, scope, category, reason, coalesce(label_zh, reason) as label, value
        from v_refusal_reasons
        where applicant = 'total' and value is not null""", "report_year, scope, category, reason"),
    "scorecard": (
        "select * exclude (issues_by_check), issues_by_check::varchar as issues_by_check from v_quality_scorecard",
        "report_year, scope",
    ),
    "ledger": ("select * from v_publication_ledger", "report_year"),
    "applicants": (APPLICANTS_SQL, "report_year, scope, position"),
}

# The agencies that get a page (any current readable report with an agency and a year: those of v_agency_year and
# v_publication_ledger), each with a fingerprint of everything its page shows: its dim_agency row, its dim_report
# rows (fetch times aside), its facts, and the rows of the two views that read more than those (the scorecard:
# report_issue; the ledger: removals and the warehouse's latest year). Sums of row hashes: order-independent, one
# pass over each table (about 3 s at 100,000 reports, against a minute for the views the pages read).
FINGERPRINTS_SQL = """
with placed as (
    select distinct agency_id from dim_report
    where is_current and parse_ok and agency_id is not null and report_year is not null
),
reports as (
    select agency_id, count(*) as n, sum(hash(r)::hugeint) as h
    from (select * exclude (fetched_at) from dim_report) as r group by agency_id
),
facts as (
    select agency_id, count(*) as n,
           sum(hash(report_id, metric, applicant, period, value, approximate, source_kind)::hugeint) as h
    from fact_disclosure group by agency_id
),
scorecard as (
    select agency_id, count(*) as n, sum(hash(t)::hugeint) as h from v_quality_scorecard as t group by agency_id
),
ledger as (
    select agency_id, count(*) as n, sum(hash(t)::hugeint) as h from v_publication_ledger as t group by agency_id
)
select p.agency_id,
       md5(concat_ws('/', hash(a), r.n, r.h, f.n, f.h, s.n, s.h, l.n, l.h)) as fingerprint
from placed as p
join dim_agency as a using (agency_id)
left join reports as r using (agency_id)
left join facts as f using (agency_id)
left join scorecard as s using (agency_id)
left join ledger as l using (agency_id)
order by p.agency_id
"""

# What every page reads besides its agency's rows: the labels of metrics and applicant types.
LABELS_SQL = """
select (select count(*) || '/' || coalesce(sum(hash(t)::hugeint), 0) from dim_metric as t),
       (select count(*) || '/' || coalesce(sum(hash(t)::hugeint), 0) from dim_applicant as t)
"""


@dataclass
class AgencyData:
    """Everything one agency page shows."""

    agency: Row
    tables: dict[str, list[Row]] = field(default_factory=dict)

    def __getitem__(self, name: str) -> list[Row]:
        return self.tables[name]


def connect(database: str) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(database, read_only=True)


def rows(con: duckdb.DuckDBPyConnection, query: str, params: dict[str, Any]) -> list[Row]:
    cursor = con.execute(query, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def agencies(con: duckdb.DuckDBPyConnection, *, agency: str | None = None, region: str | None = None) -> list[Row]:
    """The agencies to report on, in the index's order (AGENCIES_SQL)."""
    return rows(con, AGENCIES_SQL, {"agency": agency, "region": region})


def _per_agency(name: str, where: str, source: str | None = None) -> str:
    """Table `name`'s rows (from its view query, or from `source`: its staged copy) where `where`, in page order."""
    query, order = PER_AGENCY[name]
    return f"select * from {source or f'({query})'} where {where} order by agency_id, {order}"  # noqa: S608


def agency_data(con: duckdb.DuckDBPyConnection, agency: Row) -> AgencyData:
    """One agency's rows (one query per table: for a few agencies; staged for many)."""
    params = {"id": agency["agency_id"]}
    return AgencyData(agency, {name: rows(con, _per_agency(name, "agency_id = $id"), params) for name in PER_AGENCY})


def _grouped(con: duckdb.DuckDBPyConnection, agencies: list[Row], query: Callable[[str], str]) -> list[AgencyData]:
    ids = [a["agency_id"] for a in agencies]
    out = [AgencyData(a, {name: [] for name in PER_AGENCY}) for a in agencies]
    at = {agency_id: i for i, agency_id in enumerate(ids)}
    for name in PER_AGENCY:
        for row in rows(con, query(name), {"ids": ids}):
            out[at[row["agency_id"]]].tables[name].append(row)
    return out


@contextmanager
def staged(con: duckdb.DuckDBPyConnection, ids: list[str]) -> Iterator[Callable[[list[Row]], list[AgencyData]]]:
    """The rows of these agencies, each view computed once into a temporary table (the connection's own, dropped
    at the end; also on a read-only connection); yields a reader of some of them (their AgencyData, in
    their order) for batches whose rows are read one after another."""
    names = [f"report_{name}" for name in PER_AGENCY]
    con.execute("create or replace temp table report_ids as select unnest($ids::varchar[]) as agency_id", {"ids": ids})
    try:
        for name, table in zip(PER_AGENCY, names, strict=True):
            query = PER_AGENCY[name][0]
            con.execute(f"create or replace temp table {table} as select * from ({query}) "  # noqa: S608 - constants
                        "where agency_id in (select agency_id from temp.report_ids)")
        yield lambda agencies: _grouped(con, agencies, lambda name: _per_agency(
            name, "agency_id in (select unnest($ids::varchar[]))", f"temp.report_{name}"))
    finally:
        for table in ("report_ids", *names):
            con.execute(f"drop table if exists temp.{table}")


def fingerprints(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """agency_id -> fingerprint of its page's data, for every agency that gets a page (FINGERPRINTS_SQL)."""
    return dict(con.execute(FINGERPRINTS_SQL).fetchall())


def labels_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    return "|".join(str(v) for v in con.execute(LABELS_SQL).fetchone() or ())
