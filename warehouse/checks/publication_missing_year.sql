-- publication.missing_year: an agency published reports for years y1 < y2 but none for a year in between.
-- Published years: the current version of readable reports with a known agency and year, of any scope. One row per
-- missing year, attached to the report after the gap (its body report if it has one, then the smallest report_id).
-- Years before the first or after the last report are not findings (see v_publication_ledger for those).
-- Severity warning: an absence, not a wrong number.
with published as (
    select
        agency_id,
        report_year,
        first(report_id order by coalesce(scope, 'body') = 'body' desc, report_id) as report_id
    from dim_report
    where is_current and parse_ok and agency_id is not null and report_year is not null
    group by agency_id, report_year
),

gaps as (
    select
        report_id,
        report_year,
        lag(report_year) over (partition by agency_id order by report_year) as prev_report_year
    from published
),

final as (
    select
        g.report_id,
        'publication.missing_year' as check_name,
        'warning' as severity,
        format('no report for {} (published {} and {})', m.missing_year, g.prev_report_year, g.report_year)
            as message,
        null::varchar as applicant,
        json_object(
            'missing_year', m.missing_year, 'prev_report_year', g.prev_report_year, 'report_year', g.report_year
        ) as details
    from gaps as g
    cross join unnest(range(g.prev_report_year + 1, g.report_year)) as m(missing_year)
    where g.report_year > g.prev_report_year + 1
)

select * from final
