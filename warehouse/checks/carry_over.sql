-- carry_over: requests carried forward at the end of year t-1 (四、结转下年度继续办理, requests.carried_forward) must
-- be the requests carried over into year t (二、上年结转政府信息公开申请数量, requests.carried_over), per applicant.
-- Pairs: v_report_pair (each current readable report with one report of the same agency and scope for the year
-- before: the same site's, else the agency's picked one). Both figures
-- must be printed (period year); a figure missing in either report (blank cell, another format) gives no finding.
-- Severity error: two printed tables that do not reconcile. One row per pair x applicant, on the later report.
with figures as (
    select
        report_id,
        applicant,
        max(value) filter (where metric = 'requests.carried_forward') as carried_forward,
        max(value) filter (where metric = 'requests.carried_over') as carried_over
    from fact_disclosure
    where period = 'year' and metric in ('requests.carried_forward', 'requests.carried_over')
    group by report_id, applicant
),

final as (
    select
        pair.report_id,
        'carry_over' as check_name,
        'error' as severity,
        format(
            '上年结转 {} ({}) = {:g} but 结转下年度 {} = {:g} (difference {:g})',
            pair.report_year, curr.applicant, curr.carried_over, pair.prev_report_year, prev.carried_forward,
            curr.carried_over - prev.carried_forward
        ) as message,
        curr.applicant,
        json_object(
            'report_year', pair.report_year,
            'carried_over', curr.carried_over,
            'prev_report_id', pair.prev_report_id,
            'prev_report_year', pair.prev_report_year,
            'prev_carried_forward', prev.carried_forward,
            'difference', curr.carried_over - prev.carried_forward
        ) as details
    from v_report_pair as pair
    join figures as prev on prev.report_id = pair.prev_report_id
    join figures as curr on curr.report_id = pair.report_id and curr.applicant is not distinct from prev.applicant
    where prev.carried_forward is not null
        and curr.carried_over is not null
        and abs(curr.carried_over - prev.carried_forward) > 1e-6
)

select * from final
