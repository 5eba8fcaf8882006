"""The report's data: plain SQL over the warehouse's views (v_agency_year, v_rates, v_refusal_reasons,
v_quality_scorecard, v_publication_ledger), read through one read-only connection. Rows come back as dicts."""

from __future__ import annotations

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
select y.report_year, y.scope, f.applicant, coalesce(d.label_zh, f.applicant) as label,
       coalesce(d.position, 99) as position, f.value
from v_agency_year as y
join fact_disclosure as f on f.report_id = y.report_id and f.metric = 'requests.new' and f.period = 'year'
left join dim_applicant as d on d.code = f.applicant
where y.agency_id = $id and f.applicant <> 'total' and f.value is not null
order by y.report_year, y.scope, position
"""

PER_AGENCY = {
    "years": "select * from v_agency_year where agency_id = $id order by report_year, scope",
    "rates": "select * from v_rates where agency_id = $id order by report_year, scope",
    "refusals": """
        select report_year, scope, category, reason, coalesce(label_zh, reason) as label, value
        from v_refusal_reasons
        where agency_id = $id and applicant = 'total' and value is not null
        order by report_year, scope, category, reason""",
    "scorecard": "select * exclude (issues_by_check), issues_by_check::varchar as issues_by_check "
                 "from v_quality_scorecard where agency_id = $id order by report_year, scope",
    "ledger": "select * from v_publication_ledger where agency_id = $id order by report_year",
    "applicants": APPLICANTS_SQL,
}


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


def agency_data(con: duckdb.DuckDBPyConnection, agency: Row) -> AgencyData:
    params = {"id": agency["agency_id"]}
    return AgencyData(agency, {name: rows(con, query, params) for name, query in PER_AGENCY.items()})
