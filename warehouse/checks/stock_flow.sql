-- stock_flow: a stock printed in year t must follow from year t-1's stock and the flows between them.
--   2021 format (规章, 规范性文件): 现行有效 t = 现行有效 t-1 + 本年制发 t - 本年废止 t
--       (active.<item>.in_force, .issued, .repealed);
--   2019 format (行政许可, 行政处罚, ... items): 上一年项目数量 t = 上一年项目数量 t-1 + 本年增/减 t-1
--       (active.<item>.prior_items, .change).
-- Pairs: v_report_pair (consecutive years, same agency and scope, current readable versions; one earlier report
-- per report: the same site's, else the agency's picked one). Every term must be
-- printed (period year); a blank cell or a format change that drops a term gives no finding.
-- Severity error: printed tables that do not reconcile. One row per pair x item, on the later report.
with figures as (
    select
        report_id,
        regexp_extract(metric, '^active\.(\w+)\.\w+$', 1) as item,
        max(value) filter (where metric like '%.in_force') as in_force,
        max(value) filter (where metric like '%.issued') as issued,
        max(value) filter (where metric like '%.repealed') as repealed,
        max(value) filter (where metric like '%.prior_items') as prior_items,
        max(value) filter (where metric like '%.change') as change
    from fact_disclosure
    where period = 'year' and regexp_matches(metric, '^active\.\w+\.(in_force|issued|repealed|prior_items|change)$')
    group by report_id, item
),

balances as (
    select
        pair.report_id,
        pair.report_year,
        pair.prev_report_id,
        pair.prev_report_year,
        curr.item,
        '2021' as rule,
        curr.in_force as printed,
        prev.in_force + curr.issued - curr.repealed as expected,
        json_object(
            'in_force', curr.in_force, 'issued', curr.issued, 'repealed', curr.repealed,
            'prev_in_force', prev.in_force
        ) as terms,
        format(
            '现行有效 {} = {:g} but 现行有效 {} + 制发 - 废止 = {:g} + {:g} - {:g} = {:g}',
            pair.report_year, curr.in_force, pair.prev_report_year, prev.in_force, curr.issued, curr.repealed,
            prev.in_force + curr.issued - curr.repealed
        ) as arithmetic
    from v_report_pair as pair
    join figures as prev on prev.report_id = pair.prev_report_id
    join figures as curr on curr.report_id = pair.report_id and curr.item = prev.item
    where prev.in_force is not null and curr.in_force is not null
        and curr.issued is not null and curr.repealed is not null

    union all

    select
        pair.report_id,
        pair.report_year,
        pair.prev_report_id,
        pair.prev_report_year,
        curr.item,
        '2019' as rule,
        curr.prior_items as printed,
        prev.prior_items + prev.change as expected,
        json_object('prior_items', curr.prior_items, 'prev_prior_items', prev.prior_items, 'prev_change', prev.change)
            as terms,
        format(
            '上一年项目数量 {} = {:g} but 上一年项目数量 {} + 本年增/减 {} = {:g} + {:g} = {:g}',
            pair.report_year, curr.prior_items, pair.prev_report_year, pair.prev_report_year, prev.prior_items,
            prev.change, prev.prior_items + prev.change
        ) as arithmetic
    from v_report_pair as pair
    join figures as prev on prev.report_id = pair.prev_report_id
    join figures as curr on curr.report_id = pair.report_id and curr.item = prev.item
    where prev.prior_items is not null and prev.change is not null and curr.prior_items is not null
),

final as (
    select
        b.report_id,
        'stock_flow' as check_name,
        'error' as severity,
        coalesce(split_part(m.label_zh, ' × ', 1), b.item) || ': ' || b.arithmetic as message,
        null::varchar as applicant,
        json_merge_patch(
            json_object(
                'rule', b.rule, 'item', b.item, 'report_year', b.report_year, 'prev_report_id', b.prev_report_id,
                'prev_report_year', b.prev_report_year, 'printed', b.printed, 'expected', b.expected,
                'difference', b.printed - b.expected
            ),
            b.terms
        ) as details
    from balances as b
    left join dim_metric as m
        on m.code = 'active.' || b.item || case when b.rule = '2021' then '.in_force' else '.prior_items' end
    where abs(b.printed - b.expected) > 1e-6
)

select * from final
