-- copy_paste: a report whose tables repeat the previous year's numbers.
-- Over the printed table figures of the report's own year (fact_disclosure source_kind table, period year), the
-- later report and the earlier one have exactly the same (metric, applicant) keys with the same values (a blank
-- cell matches only a blank cell), at least 10 of them printed (non-null) and at least 3 of those non-zero, so
-- small all-zero tables of quiet agencies are not called copies. One differing figure, or a figure printed in only
-- one of the two (a format change), gives no finding.
-- Pairs: v_report_pair. Severity warning: identical years can be true, but usually mean last year's table was
-- republished. One row per pair, on the later report.
with table_figures as (
    select report_id, metric, applicant, value
    from fact_disclosure
    where source_kind = 'table' and period = 'year'
),

cells as (
    select pair.report_id, pair.prev_report_id, f.metric, f.applicant, true as is_curr, f.value
    from v_report_pair as pair
    join table_figures as f on f.report_id = pair.report_id

    union all

    select pair.report_id, pair.prev_report_id, f.metric, f.applicant, false as is_curr, f.value
    from v_report_pair as pair
    join table_figures as f on f.report_id = pair.prev_report_id
),

keyed as (
    select
        report_id,
        prev_report_id,
        metric,
        applicant,
        count(*) filter (where is_curr) = 1 and count(*) filter (where not is_curr) = 1
            and max(value) filter (where is_curr) is not distinct from max(value) filter (where not is_curr) as same,
        max(value) filter (where is_curr) as value
    from cells
    group by report_id, prev_report_id, metric, applicant
),

compared as (
    select
        report_id,
        prev_report_id,
        bool_and(same) as identical,
        count(value) as printed,
        count(*) filter (where value <> 0) as nonzero
    from keyed
    group by report_id, prev_report_id
),

final as (
    select
        c.report_id,
        'copy_paste' as check_name,
        'warning' as severity,
        format(
            'all {} printed table figures of {} equal those of {} ({} non-zero)',
            c.printed, pair.report_year, pair.prev_report_year, c.nonzero
        ) as message,
        null::varchar as applicant,
        json_object(
            'report_year', pair.report_year, 'prev_report_id', c.prev_report_id,
            'prev_report_year', pair.prev_report_year, 'printed', c.printed, 'nonzero', c.nonzero
        ) as details
    from compared as c
    join v_report_pair as pair using (report_id, prev_report_id)
    where c.identical and c.printed >= 10 and c.nonzero >= 3
)

select * from final
