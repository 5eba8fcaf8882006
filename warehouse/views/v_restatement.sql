-- One row per figure that changed between two consecutive versions of the same report URL (a restatement):
-- the report was re-published at its URL with different bytes and a figure differs, appeared or disappeared.
-- Versions are the readable dim_report rows of a URL in fetch order without a version_flag (unreadable, cut-off or
-- far thinner versions are skipped, so their missing figures do not show as changes). A figure is a fact_disclosure key (metric, applicant, period).
create or replace view v_restatement as
with versions as (
    select
        report_id,
        url,
        site,
        agency_id,
        agency,
        report_year,
        fetched_at,
        row_number() over (partition by url order by fetched_at nulls last, sha256) as version
    from dim_report
    where parse_ok and version_flag is null
),

pairs as (
    select
        o.url,
        n.site,
        n.agency_id,
        n.agency,
        n.report_year,
        o.report_id as old_report_id,
        n.report_id as new_report_id,
        o.fetched_at as old_fetched_at,
        n.fetched_at as new_fetched_at
    from versions as o
    inner join versions as n on n.url = o.url and n.version = o.version + 1
),

-- each version's figures, reached by two equi-joins (a join on `report_id in (old, new)` is a nested loop over
-- every pair x every figure of the warehouse)
sides as (
    select p.old_report_id, p.new_report_id, f.metric, f.applicant, f.period, f.unit, f.value, true as is_old
    from pairs as p
    inner join fact_disclosure as f on f.report_id = p.old_report_id

    union all

    select p.old_report_id, p.new_report_id, f.metric, f.applicant, f.period, f.unit, f.value, false as is_old
    from pairs as p
    inner join fact_disclosure as f on f.report_id = p.new_report_id
),

figures as (
    select
        old_report_id,
        new_report_id,
        metric,
        applicant,
        period,
        any_value(unit) as unit,
        bool_or(is_old) as in_old,
        bool_or(not is_old) as in_new,
        max(value) filter (where is_old) as old_value,
        max(value) filter (where not is_old) as new_value
    from sides
    group by old_report_id, new_report_id, metric, applicant, period
)

select
    p.url,
    p.site,
    p.agency_id,
    p.agency,
    p.report_year,
    g.metric,
    g.applicant,
    g.period,
    g.unit,
    g.old_value,
    g.new_value,
    case when not g.in_old then 'added' when not g.in_new then 'removed' else 'changed' end as change,
    p.old_report_id,
    p.new_report_id,
    p.old_fetched_at,
    p.new_fetched_at
from figures as g
inner join pairs as p on p.old_report_id = g.old_report_id and p.new_report_id = g.new_report_id
where not g.in_old or not g.in_new or g.old_value is distinct from g.new_value
order by p.url, p.new_fetched_at, g.metric, g.applicant nulls first, g.period;

comment on view v_restatement is 'One row per figure (metric x applicant x period) that differs between two consecutive readable versions of the same report URL: changed, added or removed.';
comment on column v_restatement.url is 'Report URL that was re-published with different content.';
comment on column v_restatement.site is 'Site name of the crawl configuration.';
comment on column v_restatement.agency_id is 'Agency of the newer version (dim_agency).';
comment on column v_restatement.agency is 'Agency name of the newer version.';
comment on column v_restatement.report_year is 'Report year of the newer version.';
comment on column v_restatement.metric is 'Metric code (dim_metric.code).';
comment on column v_restatement.applicant is 'Applicant category; null for metrics not reported per applicant.';
comment on column v_restatement.period is 'year or cumulative.';
comment on column v_restatement.unit is 'Unit of the values (the catalog unit of the metric).';
comment on column v_restatement.old_value is 'Value in the older version; null when printed blank or absent (change = added).';
comment on column v_restatement.new_value is 'Value in the newer version; null when printed blank or absent (change = removed).';
comment on column v_restatement.change is 'changed (both versions print it, values differ), added (only the newer one) or removed (only the older one).';
comment on column v_restatement.old_report_id is 'The older version (dim_report.report_id).';
comment on column v_restatement.new_report_id is 'The newer version (dim_report.report_id).';
comment on column v_restatement.old_fetched_at is 'When the older version was first fetched.';
comment on column v_restatement.new_fetched_at is 'When the newer version was first fetched.';
