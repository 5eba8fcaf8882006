-- Insert the cross-report findings into report_issue. The placeholder in braces below becomes the union of the
-- queries of warehouse/checks (assets.cross_report_insert_sql); `$source` is report_issue.source of these rows.
-- Each finding is numbered after its report's parser findings (ordered by check, applicant, message, details), so
-- the same warehouse gives the same rows.
insert into report_issue by name
with findings as (
{findings}
),

parser_last as (
    select report_id, max(ordinal) as last_ordinal
    from report_issue
    group by report_id
)

select
    f.report_id,
    (
        coalesce(p.last_ordinal, -1)
        + row_number() over (
            partition by f.report_id order by f.check_name, f.applicant nulls first, f.message, f.details::varchar
        )
    )::integer as ordinal,
    f.check_name,
    f.severity,
    f.message,
    f.applicant,
    f.details,
    $source as source
from findings as f
left join parser_last as p using (report_id)
