-- One row per agency x report year, over the current version of every readable report.
-- requests: requests.new (total applicant) for 2019/2021 formats, else requests.received (older formats).
-- Where an agency-year has several reports, the headline figures are the largest printed one.
create or replace view v_agency_year_summary as
with reports as (
    select *
    from dim_report
    where is_current and parse_ok and agency_id is not null and report_year is not null
),

headline as (
    select
        f.report_id,
        max(f.value) filter (where f.metric = 'requests.new' and f.applicant = 'total') as requests_new,
        max(f.value) filter (where f.metric = 'requests.received') as requests_received,
        max(f.value) filter (where f.metric = 'active.total') as active_total
    from fact_disclosure as f
    where f.period = 'year'
        and f.metric in ('requests.new', 'requests.received', 'active.total')
    group by f.report_id
),

final as (
    select
        r.agency_id,
        coalesce(a.name, any_value(r.agency)) as agency,
        a.region_code,
        r.report_year,
        count(*) as reports,
        string_agg(distinct r.format, ', ' order by r.format) as formats,
        sum(r.n_values)::bigint as n_values,
        sum(r.n_unmapped)::bigint as n_unmapped,
        sum(r.n_issues)::bigint as n_issues,
        coalesce(max(h.requests_new), max(h.requests_received)) as requests,
        max(h.active_total) as active_total
    from reports as r
    left join headline as h on h.report_id = r.report_id
    left join dim_agency as a on a.agency_id = r.agency_id
    group by r.agency_id, a.name, a.region_code, r.report_year
)

select * from final
order by agency, report_year
