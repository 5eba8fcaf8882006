-- One row per report paired with ONE report of the previous year of the same agency and scope: the reports the
-- cross-report checks (warehouse/checks) compare. Only the current version of readable reports with a known agency
-- and year. Each report of year t gets at most one earlier report (so pairs <= reports, linear in the reports of an
-- agency, however many sites publish under one agency name):
--   1. the same site's report of year t-1 (prev_match 'site'); if that site has several, its picked one;
--   2. else the agency's picked report of year t-1 and this scope (prev_match 'agency').
-- "Picked" is v_harmonized's (and v_agency_year's) choice among several reports of one agency x year x scope
-- (here also x site for rule 1): most mapped values (n_values), then latest published_at, then smallest report_id.
-- A report with no report of the agency and scope for year t-1 has no pair. Several reports of year t may share
-- one earlier report; a report of year t-1 not chosen by any is compared with nothing.
create or replace view v_report_pair as
with reports as (
    select report_id, agency_id, scope, report_year, format, site, n_values, published_at
    from dim_report
    where is_current and parse_ok and agency_id is not null and report_year is not null
),

site_pick as (
    select report_id, agency_id, scope, report_year, format, site
    from reports
    qualify row_number() over (
        partition by agency_id, scope, report_year, site
        order by n_values desc, published_at desc nulls last, report_id
    ) = 1
),

agency_pick as (
    select report_id, agency_id, scope, report_year, format
    from reports
    qualify row_number() over (
        partition by agency_id, scope, report_year
        order by n_values desc, published_at desc nulls last, report_id
    ) = 1
),

final as (
    select
        curr.agency_id,
        curr.scope,
        curr.report_id,
        curr.report_year,
        curr.format,
        coalesce(site_prev.report_id, agency_prev.report_id) as prev_report_id,
        agency_prev.report_year as prev_report_year,
        coalesce(site_prev.format, agency_prev.format) as prev_format,
        case when site_prev.report_id is not null then 'site' else 'agency' end as prev_match
    from reports as curr
    inner join agency_pick as agency_prev
        on agency_prev.agency_id = curr.agency_id
        and agency_prev.scope is not distinct from curr.scope
        and agency_prev.report_year = curr.report_year - 1
    left join site_pick as site_prev
        on site_prev.agency_id = curr.agency_id
        and site_prev.scope is not distinct from curr.scope
        and site_prev.report_year = curr.report_year - 1
        and site_prev.site is not distinct from curr.site
)

select * from final
order by agency_id, report_year, report_id;
comment on view v_report_pair is 'One row per report (current version, readable) paired with one report of the previous year of the same agency and scope: the same site''s, else the agency''s picked one (most values, latest published, smallest id). What the cross-report checks compare; at most one row per report.';
comment on column v_report_pair.agency_id is 'dim_agency key.';
comment on column v_report_pair.scope is 'Report scope of both reports (dim_report.scope: body or area).';
comment on column v_report_pair.report_id is 'The later report (year t), the one cross-report findings are attached to; unique in the view.';
comment on column v_report_pair.report_year is 'Year t.';
comment on column v_report_pair.format is 'Format of the later report.';
comment on column v_report_pair.prev_report_id is 'The earlier report (year t-1): the same site''s (its picked one if several), else the agency''s picked report of year t-1 and this scope.';
comment on column v_report_pair.prev_report_year is 'Year t-1.';
comment on column v_report_pair.prev_format is 'Format of the earlier report.';
comment on column v_report_pair.prev_match is 'site (the earlier report is from the same site) or agency (the site has none for year t-1: the agency''s picked report).';
