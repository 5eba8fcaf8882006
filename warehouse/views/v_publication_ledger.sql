-- One row per agency x year, from the agency's first report year to the latest report year in the warehouse:
-- did the agency publish its annual report for that year, on time, and is it still online?
-- Reports: the current version of readable reports with a known agency and year (any scope). Status per year:
--   missing   no report for the year;
--   removed   every report for the year has disappeared from its site (v_removed_report);
--   late      every report still online was published after the deadline (dim_report.on_time false);
--   published otherwise (on time, or publication date unknown).
-- report_id, url, published_at, deadline, on_time describe one report of the year: one still online before a
-- removed one, on time (or unknown) before late, the body's own report before an area report, then by report_id.
create or replace view v_publication_ledger as
with reports as (
    select
        r.report_id,
        r.agency_id,
        r.report_year,
        r.scope,
        r.on_time,
        rm.report_id is not null as removed
    from dim_report as r
    left join v_removed_report as rm on rm.report_id = r.report_id
    where r.is_current and r.parse_ok and r.agency_id is not null and r.report_year is not null
),

spine as (
    select agency_id, unnest(range(min(report_year), (select max(report_year) from reports) + 1)) as report_year
    from reports
    group by agency_id
),

years as (
    select
        agency_id,
        report_year,
        count(*) as reports,
        count(*) filter (where not removed) as online,
        count(*) filter (where not removed and on_time is distinct from false) as online_on_time,
        first(
            report_id order by removed, on_time is not distinct from false, coalesce(scope, 'body') = 'body' desc,
            report_id
        ) as report_id
    from reports
    group by agency_id, report_year
),

final as (
    select
        s.agency_id,
        a.name as agency,
        s.report_year::smallint as report_year,
        case
            when y.report_id is null then 'missing'
            when y.online = 0 then 'removed'
            when y.online_on_time = 0 then 'late'
            else 'published'
        end as status,
        coalesce(y.reports, 0) as reports,
        y.report_id,
        r.url,
        r.published_at,
        r.deadline,
        r.on_time
    from spine as s
    left join years as y on y.agency_id = s.agency_id and y.report_year = s.report_year
    left join dim_report as r on r.report_id = y.report_id
    left join dim_agency as a on a.agency_id = s.agency_id
)

select * from final
order by agency, agency_id, report_year;
comment on view v_publication_ledger is 'One row per agency x year from the agency''s first report year to the latest report year in the warehouse: published, late, missing or removed.';
comment on column v_publication_ledger.agency_id is 'dim_agency key.';
comment on column v_publication_ledger.agency is 'Agency name (dim_agency.name).';
comment on column v_publication_ledger.report_year is 'Year the report covers (or should cover).';
comment on column v_publication_ledger.status is 'missing (no report), removed (every report gone from its site), late (every report still online published after the deadline) or published.';
comment on column v_publication_ledger.reports is 'Number of reports for the year (current versions of readable reports, removed ones included).';
comment on column v_publication_ledger.report_id is 'The year''s report (online, on time, body report first); null when missing.';
comment on column v_publication_ledger.url is 'URL of that report.';
comment on column v_publication_ledger.published_at is 'Publication date of that report.';
comment on column v_publication_ledger.deadline is 'Deadline of that report (31 March of the next year).';
comment on column v_publication_ledger.on_time is 'Whether that report was published by the deadline; null when unknown or missing.';
