-- requests.new + requests.carried_over = requests.result.total + requests.carried_forward, per report x applicant,
-- for the report's own year, wherever all four figures are printed (blank cells are null and skip the row).
with terms as (
    select
        report_id,
        applicant,
        max(value) filter (where metric = 'requests.new') as new,
        max(value) filter (where metric = 'requests.carried_over') as carried_over,
        max(value) filter (where metric = 'requests.result.total') as result_total,
        max(value) filter (where metric = 'requests.carried_forward') as carried_forward
    from fact_disclosure
    where period = 'year'
        and metric in ('requests.new', 'requests.carried_over', 'requests.result.total', 'requests.carried_forward')
    group by report_id, applicant
),

final as (
    select
        t.*,
        (t.new + t.carried_over) - (t.result_total + t.carried_forward) as difference,
        r.agency,
        r.report_year,
        r.url
    from terms as t
    join dim_report as r using (report_id)
    where t.new is not null
        and t.carried_over is not null
        and t.result_total is not null
        and t.carried_forward is not null
)

select * from final
order by report_id, applicant
