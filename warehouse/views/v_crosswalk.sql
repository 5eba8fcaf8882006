-- The crosswalk: which printed rows (metric codes) feed each harmonized series, per report format.
-- Grain: one row per series x format x alternative x metric code. A series' value in a report is the sum of the
-- codes of one alternative (times factor, into the series unit): the lowest-numbered alternative of the report's
-- format that has a printed value (alternatives exist where prose can use either era's wording). A format with
-- no row for a series does not print it. definition_differs compares with the 2021 format (for proactive_total and
-- already_public, which the 2019+ tables do not print, with the 2014 table). warehouse/CROSSWALK.md explains every row.
create or replace view v_crosswalk as
select series, unit, format, alternative, metric, factor::double as factor, definition_differs, note
from (values
    ('requests', '件', '2021', 1, 'requests.new', 1, false, null),
    ('requests', '件', '2019', 1, 'requests.new', 1, false, null),
    ('requests', '件', '2014', 1, 'requests.received', 1, true,
        '2014 收到申请数 counts every request received; 2019+ 本年新收 excludes the 上年结转 carried-over requests'),
    ('requests', '件', 'local', 1, 'requests.received', 1, true,
        'local 受理依申请公开信息总数: requests accepted, no carried-over split, some tables count in 条'),
    ('requests', '件', 'narrative', 1, 'requests.new', 1, false, null),
    ('requests', '件', 'narrative', 2, 'requests.received', 1, true,
        'a sentence on requests received (受理/收到…申请N件); it may count carried-over requests in'),

    ('carried_over', '件', '2021', 1, 'requests.carried_over', 1, false, null),
    ('carried_over', '件', '2019', 1, 'requests.carried_over', 1, false, null),
    ('carried_over', '件', 'narrative', 1, 'requests.carried_over', 1, false, null),

    ('handled', '件', '2021', 1, 'requests.result.total', 1, false, null),
    ('handled', '件', '2019', 1, 'requests.result.total', 1, false, null),
    ('handled', '件', '2014', 1, 'requests.answered', 1, true,
        '2014 申请答复数: answers given, including 属于已主动公开范围, 不属于本机关, 信息不存在, 告知更改补充 and 告知其他途径'),
    ('handled', '件', 'local', 1, 'requests.answered', 1, true, 'local 对申请的答复总数: answers given'),

    ('disclosed', '件', '2021', 1, 'requests.result.disclosed', 1, false, null),
    ('disclosed', '件', '2019', 1, 'requests.result.disclosed', 1, false, null),
    ('disclosed', '件', '2014', 1, 'requests.answer.disclosed', 1, true,
        '2014 同意公开答复数; answers that the information is already public (属于已主动公开范围数) are a separate row, not counted, while 2019+ reports usually count them as 予以公开'),
    ('disclosed', '件', 'local', 1, 'requests.answer.disclosed', 1, true, 'local 同意公开答复数'),
    ('disclosed', '件', 'narrative', 1, 'requests.result.disclosed', 1, false, null),
    ('disclosed', '件', 'narrative', 2, 'requests.answer.disclosed', 1, true, 'a 2014-era sentence (同意公开N件)'),

    ('partially_disclosed', '件', '2021', 1, 'requests.result.partially_disclosed', 1, false, null),
    ('partially_disclosed', '件', '2019', 1, 'requests.result.partially_disclosed', 1, false, null),
    ('partially_disclosed', '件', '2014', 1, 'requests.answer.partially_disclosed', 1, true,
        '2014 同意部分公开答复数; the 2019+ rule (a request handled in parts counts here only) did not exist'),
    ('partially_disclosed', '件', 'local', 1, 'requests.answer.partially_disclosed', 1, true, 'local 同意部分公开答复数'),
    ('partially_disclosed', '件', 'narrative', 1, 'requests.result.partially_disclosed', 1, false, null),
    ('partially_disclosed', '件', 'narrative', 2, 'requests.answer.partially_disclosed', 1, true,
        'a 2014-era sentence (部分公开N件)'),

    ('withheld', '件', '2021', 1, 'requests.result.withheld.state_secret', 1, false, null),
    ('withheld', '件', '2021', 1, 'requests.result.withheld.other_laws', 1, false, null),
    ('withheld', '件', '2021', 1, 'requests.result.withheld.safety_stability', 1, false, null),
    ('withheld', '件', '2021', 1, 'requests.result.withheld.third_party', 1, false, null),
    ('withheld', '件', '2021', 1, 'requests.result.withheld.internal_affairs', 1, false, null),
    ('withheld', '件', '2021', 1, 'requests.result.withheld.process_info', 1, false, null),
    ('withheld', '件', '2021', 1, 'requests.result.withheld.enforcement_file', 1, false, null),
    ('withheld', '件', '2021', 1, 'requests.result.withheld.admin_query', 1, false, null),
    ('withheld', '件', '2019', 1, 'requests.result.withheld.state_secret', 1, false, null),
    ('withheld', '件', '2019', 1, 'requests.result.withheld.other_laws', 1, false, null),
    ('withheld', '件', '2019', 1, 'requests.result.withheld.safety_stability', 1, false, null),
    ('withheld', '件', '2019', 1, 'requests.result.withheld.third_party', 1, false, null),
    ('withheld', '件', '2019', 1, 'requests.result.withheld.internal_affairs', 1, false, null),
    ('withheld', '件', '2019', 1, 'requests.result.withheld.process_info', 1, false, null),
    ('withheld', '件', '2019', 1, 'requests.result.withheld.enforcement_file', 1, false, null),
    ('withheld', '件', '2019', 1, 'requests.result.withheld.admin_query', 1, false, null),
    ('withheld', '件', '2014', 1, 'requests.answer.withheld', 1, true,
        '2014 不同意公开答复数: reasons 国家秘密, 商业秘密, 个人隐私, 三安全一稳定, 不是《条例》所指政府信息, 其他法律法规; 2019+ has 8 other reasons'),
    ('withheld', '件', 'local', 1, 'requests.answer.withheld', 1, true, 'local 不予公开/否决公开答复数'),
    ('withheld', '件', 'narrative', 1, 'requests.answer.withheld', 1, true, 'a 2014-era sentence (不予公开N件)'),

    ('unavailable', '件', '2021', 1, 'requests.result.unavailable.not_held', 1, false, null),
    ('unavailable', '件', '2021', 1, 'requests.result.unavailable.needs_creation', 1, false, null),
    ('unavailable', '件', '2021', 1, 'requests.result.unavailable.unclear', 1, false, null),
    ('unavailable', '件', '2019', 1, 'requests.result.unavailable.not_held', 1, false, null),
    ('unavailable', '件', '2019', 1, 'requests.result.unavailable.needs_creation', 1, false, null),
    ('unavailable', '件', '2019', 1, 'requests.result.unavailable.unclear', 1, false, null),
    ('unavailable', '件', '2014', 1, 'requests.answer.not_this_agency', 1, true,
        '2014 不属于本行政机关公开 + 申请信息不存在; no rows for information that would need creating or requests still unclear'),
    ('unavailable', '件', '2014', 1, 'requests.answer.not_exist', 1, true,
        '2014 不属于本行政机关公开 + 申请信息不存在; no rows for information that would need creating or requests still unclear'),
    ('unavailable', '件', 'narrative', 1, 'requests.result.unavailable.not_held', 1, true,
        'a sentence on 本机关不掌握 only, one of the three 无法提供 reasons'),
    ('unavailable', '件', 'narrative', 2, 'requests.answer.not_this_agency', 1, true,
        'a 2014-era sentence (不属于本机关 / 信息不存在)'),
    ('unavailable', '件', 'narrative', 2, 'requests.answer.not_exist', 1, true,
        'a 2014-era sentence (不属于本机关 / 信息不存在)'),

    ('not_processed', '件', '2021', 1, 'requests.result.not_processed.petition', 1, false, null),
    ('not_processed', '件', '2021', 1, 'requests.result.not_processed.repeated', 1, false, null),
    ('not_processed', '件', '2021', 1, 'requests.result.not_processed.publication', 1, false, null),
    ('not_processed', '件', '2021', 1, 'requests.result.not_processed.excessive', 1, false, null),
    ('not_processed', '件', '2021', 1, 'requests.result.not_processed.reconfirm', 1, false, null),
    ('not_processed', '件', '2019', 1, 'requests.result.not_processed.petition', 1, false, null),
    ('not_processed', '件', '2019', 1, 'requests.result.not_processed.repeated', 1, false, null),
    ('not_processed', '件', '2019', 1, 'requests.result.not_processed.publication', 1, false, null),
    ('not_processed', '件', '2019', 1, 'requests.result.not_processed.excessive', 1, false, null),
    ('not_processed', '件', '2019', 1, 'requests.result.not_processed.reconfirm', 1, false, null),

    ('already_public', '件', '2014', 1, 'requests.answer.already_public', 1, false, null),

    ('other_handled', '件', '2021', 1, 'requests.result.other_no_correction', 1, false, null),
    ('other_handled', '件', '2021', 1, 'requests.result.other_unpaid_fee', 1, false, null),
    ('other_handled', '件', '2021', 1, 'requests.result.other_misc', 1, false, null),
    ('other_handled', '件', '2019', 1, 'requests.result.other', 1, false, null),
    ('other_handled', '件', '2014', 1, 'requests.answer.correction_needed', 1, true,
        '2014 告知作出更改补充 + 告知通过其他途径办理 (+ 其他类型答复 where printed): answers that decide nothing on the information; 2019+ （六）其他处理 counts requests closed because the applicant did not correct or pay'),
    ('other_handled', '件', '2014', 1, 'requests.answer.other_channel', 1, true,
        '2014 告知作出更改补充 + 告知通过其他途径办理 (+ 其他类型答复 where printed): answers that decide nothing on the information; 2019+ （六）其他处理 counts requests closed because the applicant did not correct or pay'),
    ('other_handled', '件', '2014', 1, 'requests.answer.other', 1, true,
        '2014 告知作出更改补充 + 告知通过其他途径办理 (+ 其他类型答复 where printed): answers that decide nothing on the information; 2019+ （六）其他处理 counts requests closed because the applicant did not correct or pay'),
    ('other_handled', '件', 'local', 1, 'requests.answer.other', 1, true,
        'local 其他类型答复数: answers of other kinds, as each table words them'),

    ('review_total', '件', '2021', 1, 'review.total', 1, false, null),
    ('review_total', '件', '2019', 1, 'review.total', 1, false, null),
    ('review_total', '件', '2014', 1, 'review.total', 1, true,
        '2014 行政复议数量 = 维持 + 纠错 + 其他; there is no 尚未审结 (pending) column'),
    ('review_total', '件', 'local', 1, 'review.total', 1, true, 'local 行政复议数; no outcome split'),
    ('review_total', '件', 'narrative', 1, 'review.total', 1, false, null),

    ('review_corrected', '件', '2021', 1, 'review.corrected', 1, false, null),
    ('review_corrected', '件', '2019', 1, 'review.corrected', 1, false, null),
    ('review_corrected', '件', '2014', 1, 'review.corrected', 1, false, null),
    ('review_corrected', '件', 'local', 1, 'review.corrected', 1, false, null),

    ('litigation_total', '件', '2021', 1, 'litigation.direct.total', 1, false, null),
    ('litigation_total', '件', '2021', 1, 'litigation.after_review.total', 1, false, null),
    ('litigation_total', '件', '2019', 1, 'litigation.direct.total', 1, false, null),
    ('litigation_total', '件', '2019', 1, 'litigation.after_review.total', 1, false, null),
    ('litigation_total', '件', '2014', 1, 'litigation.total', 1, true,
        '2014 行政诉讼数量: not split into direct / after review; no 尚未审结 (pending) column'),
    ('litigation_total', '件', 'local', 1, 'litigation.total', 1, true, 'local 行政诉讼数; no outcome split'),
    ('litigation_total', '件', 'narrative', 1, 'litigation.total', 1, false, null),

    ('litigation_corrected', '件', '2021', 1, 'litigation.direct.corrected', 1, false, null),
    ('litigation_corrected', '件', '2021', 1, 'litigation.after_review.corrected', 1, false, null),
    ('litigation_corrected', '件', '2019', 1, 'litigation.direct.corrected', 1, false, null),
    ('litigation_corrected', '件', '2019', 1, 'litigation.after_review.corrected', 1, false, null),
    ('litigation_corrected', '件', '2014', 1, 'litigation.corrected', 1, false, null),

    ('proactive_total', '条', '2014', 1, 'active.total', 1, false, null),
    ('proactive_total', '条', 'local', 1, 'active.total', 1, true,
        'local 主动公开信息数/文件数: counting rules vary (documents, not items)'),
    ('proactive_total', '条', 'narrative', 1, 'active.total', 1, false, null),
    ('proactive_total', '条', '2019', 1, 'active.total', 1, true,
        'the 2019+ tables print no total: a figure stated in the report''s text'),
    ('proactive_total', '条', '2021', 1, 'active.total', 1, true,
        'the 2019+ tables print no total: a figure stated in the report''s text'),

    ('info_fees', '元', '2021', 1, 'info_fees.collected', 1, false, null),
    ('info_fees', '元', '2019', 1, 'info_fees.collected', 1, false, null),
    ('info_fees', '元', 'narrative', 1, 'info_fees.collected', 1, false, null),

    ('request_fees', '万元', '2014', 1, 'fees.request_fees', 1, false, null),
    ('request_fees', '万元', '2019', 1, 'fees.request_fees', 1, false, null),
    ('request_fees', '万元', 'narrative', 1, 'fees.request_fees', 1, false, null)
) as crosswalk(series, unit, format, alternative, metric, factor, definition_differs, note)
order by series, format, alternative, metric;

comment on view v_crosswalk is 'The crosswalk of v_harmonized: one row per series x report format x alternative x metric code that feeds it (warehouse/CROSSWALK.md).';
comment on column v_crosswalk.series is 'Harmonized series, e.g. requests, withheld, review_corrected.';
comment on column v_crosswalk.unit is 'Unit of the series: the catalog unit (dim_metric.unit) of every metric that feeds it, so a figure reads the same here as in fact_disclosure.';
comment on column v_crosswalk.format is 'Report format (dim_report.format) the row applies to: 2021, 2019, 2014, local or narrative.';
comment on column v_crosswalk.alternative is 'Alternative within series x format, 1 first: the first alternative with a printed value is used.';
comment on column v_crosswalk.metric is 'Metric code (dim_metric.code) summed into the series; applicant total (or none), period year.';
comment on column v_crosswalk.factor is 'Multiplier from the metric''s value to the series (1: series and metrics share one unit).';
comment on column v_crosswalk.definition_differs is 'True where the printed row''s definition differs from the 2021 format''s (2014 for proactive_total and already_public).';
comment on column v_crosswalk.note is 'How the definition differs; null when it does not.';
