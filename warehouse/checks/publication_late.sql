-- publication.late: a report published after its deadline, 31 March of the year after its report year
-- (dim_report.on_time is false; unknown publication dates give no finding).
-- Current versions of readable reports only. Severity warning: the report is fine, its publication was late.
-- One row per late report.
with final as (
    select
        report_id,
        'publication.late' as check_name,
        'warning' as severity,
        format(
            'published {} for {}, {} day(s) after the deadline {}',
            published_at, report_year, published_at - deadline, deadline
        ) as message,
        null::varchar as applicant,
        json_object(
            'report_year', report_year, 'published_at', published_at, 'deadline', deadline,
            'days_late', published_at - deadline
        ) as details
    from dim_report
    where is_current and parse_ok and not on_time
)

select * from final
