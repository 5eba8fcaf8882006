"""The printed templates, as data: which printed row/column labels mean which catalog metric.

Formats (see ../shared/TEMPLATES.md): 2019 and 2021 (sections 二/三/四, detected per section), the 2014–2018
national statistical table with provincial extensions, and pre-2014 local tables (Fujian, Zhejiang …).
Labels are written as printed; matching happens on `etl.normalize.label_key` forms.
"""

from __future__ import annotations

from etl.model import APPLICANTS

APPLICANT_LABELS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
assert len(APPLICANT_LABELS) == len(APPLICANTS)

# --- section 二 (2019 / 2021): row label -> metric prefix; column header -> metric suffix ---------------
SEC2_ROWS = {
    "规章": "active.regulation",
    "规范性文件": "active.normative_doc",
    "行政规范性文件": "active.normative_doc",
    "行政许可": "active.licensing",
    "其他对外管理服务事项": "active.other_service",
    "行政处罚": "active.punishment",
    "行政强制": "active.coercion",
    "行政事业性收费": "active.admin_fee",
    "政府集中采购": "active.procurement",
}
SEC2_COLS = {
    "本年新制作数量": "made",
    "本年新公开数量": "published",
    "对外公开总数量": "published_total",
    "本年制发件数": "issued",
    "本年废止件数": "repealed",
    "现行有效件数": "in_force",
    "上一年项目数量": "prior_items",
    "本年增/减": "change",
    "本年增减": "change",
    "处理决定数量": "decisions",
    "本年处理决定数量": "decisions",
    "本年收费金额": "amount",
    "采购项目数量": "items",
    "采购总金额": "amount",
}
# Column order when the header is missing, truncated or misaligned, by section format.
SEC2_DEFAULT_COLS = {
    "2021": {
        "active.regulation": ("issued", "repealed", "in_force"),
        "active.normative_doc": ("issued", "repealed", "in_force"),
        "active.licensing": ("decisions",),
        "active.punishment": ("decisions",),
        "active.coercion": ("decisions",),
        "active.admin_fee": ("amount",),
    },
    "2019": {
        "active.regulation": ("made", "published", "published_total"),
        "active.normative_doc": ("made", "published", "published_total"),
        "active.licensing": ("prior_items", "change", "decisions"),
        "active.other_service": ("prior_items", "change", "decisions"),
        "active.punishment": ("prior_items", "change", "decisions"),
        "active.coercion": ("prior_items", "change", "decisions"),
        "active.admin_fee": ("prior_items", "change"),
        "active.procurement": ("items", "amount"),
    },
}
SEC2_TELLS = {
    "2021": ("本年制发件数", "本年废止件数", "现行有效件数", "本年处理决定数量", "本年收费金额"),
    "2019": ("本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "采购总金额", "第二十条第(九)项"),
}

# --- section 三: the applicant matrix rows, in printed order ---------------------------------------------
SEC3_ROWS: tuple[tuple[str | None, tuple[str, ...]], ...] = (
    ("requests.new", ("一、本年新收政府信息公开申请数量",)),
    ("requests.carried_over", ("二、上年结转政府信息公开申请数量",)),
    (None, ("三、本年度办理结果",)),
    ("requests.result.disclosed", ("（一）予以公开",)),
    ("requests.result.partially_disclosed", ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "（二）部分公开")),
    (None, ("（三）不予公开",)),
    ("requests.result.withheld.state_secret", ("1.属于国家秘密",)),
    ("requests.result.withheld.other_laws", ("2.其他法律行政法规禁止公开",)),
    ("requests.result.withheld.safety_stability", ("3.危及“三安全一稳定”",)),
    ("requests.result.withheld.third_party", ("4.保护第三方合法权益",)),
    ("requests.result.withheld.internal_affairs", ("5.属于三类内部事务信息",)),
    ("requests.result.withheld.process_info", ("6.属于四类过程性信息",)),
    ("requests.result.withheld.enforcement_file", ("7.属于行政执法案卷",)),
    ("requests.result.withheld.admin_query", ("8.属于行政查询事项",)),
    (None, ("（四）无法提供",)),
    ("requests.result.unavailable.not_held", ("1.本机关不掌握相关政府信息",)),
    ("requests.result.unavailable.needs_creation", ("2.没有现成信息需要另行制作",)),
    ("requests.result.unavailable.unclear", ("3.补正后申请内容仍不明确",)),
    (None, ("（五）不予处理",)),
    ("requests.result.not_processed.petition", ("1.信访举报投诉类申请",)),
    ("requests.result.not_processed.repeated", ("2.重复申请",)),
    ("requests.result.not_processed.publication", ("3.要求提供公开出版物",)),
    ("requests.result.not_processed.excessive", ("4.无正当理由大量反复申请",)),
    ("requests.result.not_processed.reconfirm", ("5.要求行政机关确认或重新出具已获取信息",)),
    ("requests.result.other", ("（六）其他处理",)),  # a group of three rows in the 2021 format
    ("requests.result.other_no_correction", ("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",)),
    ("requests.result.other_unpaid_fee", ("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",)),
    ("requests.result.other_misc", ("3.其他",)),
    ("requests.result.total", ("（七）总计",)),
    ("requests.carried_forward", ("四、结转下年度继续办理",)),
)
SEC3_RESULT_PARTS = tuple(
    m for m, _ in SEC3_ROWS if m and m.startswith("requests.result.") and m != "requests.result.total"
)

# --- section 四: one row of 15 cells ------------------------------------------------------------------
_OUTCOMES = (("upheld", "结果维持"), ("corrected", "结果纠正"), ("other", "其他结果"), ("pending", "尚未审结"), ("total", "总计"))
SEC4_COLS: tuple[tuple[str, str], ...] = tuple(
    (f"{prefix}.{suffix}", f"{group} > {label}")
    for prefix, group in (
        ("review", "行政复议"),
        ("litigation.direct", "行政诉讼 > 未经复议直接起诉"),
        ("litigation.after_review", "行政诉讼 > 复议后起诉"),
    )
    for suffix, label in _OUTCOMES
)

# --- 2014 national table, provincial extensions and pre-2014 local tables -----------------------------
# (group, metric or None for a group heading, printed labels). A row is looked up in its current group first,
# so labels repeated under different headings (被依法纠错数 under 行政复议 and 行政诉讼) resolve by position.
STAT_ROWS: tuple[tuple[str, str | None, tuple[str, ...]], ...] = (
    ("active", None, ("一、主动公开情况", "通过不同渠道和方式公开政府信息的情况")),
    ("active", "active.total", ("（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）", "主动公开政府信息数",
                                "主动公开信息数", "主动公开文件数", "主动公开数量")),
    ("active", "active.normative_doc.published", ("其中：主动公开规范性文件数",)),
    ("active", "active.normative_doc.issued", ("制发规范性文件总数",)),
    ("active", "active.channel.gazette", ("1.政府公报公开政府信息数", "政府公报公开", "政府公报公开数")),
    ("active", "active.channel.website", ("2.政府网站公开政府信息数", "网站公开", "政府网站公开数")),
    ("active", "active.channel.weibo", ("3.政务微博公开政府信息数", "政务微博*公开政府信息数")),
    ("active", "active.channel.wechat", ("4.政务微信公开政府信息数", "政务微信*公开政府信息数")),
    ("active", "active.channel.other", ("5.其他方式公开政府信息数",)),
    ("response", None, ("二、回应解读情况", "通过不同渠道和方式回应解读的情况")),
    ("response", "response.hotspots", ("（一）回应公众关注热点或重大舆情数（不同方式回应同一热点或舆情计1次）", "回应公众关注热点或重大舆情数")),
    ("response", "response.press_conferences", ("1.参加或举办新闻发布会总次数",)),
    ("response", "response.press_conferences_by_head", ("其中：主要负责同志参加新闻发布会次数",)),
    ("response", "response.online_interviews", ("2.政府网站在线访谈次数",)),
    ("response", "response.online_interviews_by_head", ("其中：主要负责同志参加政府网站在线访谈次数",)),
    ("response", "response.interpretations", ("3.政策解读稿件发布数",)),
    ("response", "response.social_media_events", ("4.微博微信回应事件数",)),
    ("response", "response.other_events", ("5.其他方式回应事件数",)),
    ("requests", None, ("三、依申请公开情况", "依申请公开数量", "依申请方式")),
    ("requests", "requests.received", ("（一）收到申请数", "受理依申请公开信息总数", "受理政府信息依申请公开总数", "依申请受理数")),
    ("requests", "requests.channel.in_person", ("1.当面申请数",)),
    ("requests", "requests.channel.fax", ("2.传真申请数",)),
    ("requests", "requests.channel.online", ("3.网络申请数", "网上申请数")),
    ("requests", "requests.channel.letter", ("4.信函申请数",)),
    ("requests", "requests.channel.email", ("电子邮件申请数",)),
    ("requests", "requests.channel.other", ("其它形式申请数", "其他方式申请数", "其他形式申请数")),
    ("requests", "requests.channel.letter_fax", ("信函、传真申请数",)),
    ("requests", "requests.completed", ("（二）申请办结数",)),
    ("requests", "requests.completed_on_time", ("1.按时办结数", "未延期办结数")),
    ("requests", "requests.completed_extended", ("2.延期办结数",)),
    ("requests", "requests.answered", ("（三）申请答复数", "对申请的答复数", "对申请的答复总数", "依申请答复数")),
    ("requests", "requests.answer.already_public", ("1.属于已主动公开范围数",)),
    ("requests", "requests.answer.disclosed", ("2.同意公开答复数",)),
    ("requests", "requests.answer.partially_disclosed", ("3.同意部分公开答复数",)),
    ("requests", "requests.answer.withheld", ("4.不同意公开答复数", "否决公开答复数", "不予公开答复数")),
    ("requests", "requests.answer.withheld_state_secret", ("其中：涉及国家秘密",)),
    ("requests", "requests.answer.withheld_commercial_secret", ("涉及商业秘密",)),
    ("requests", "requests.answer.withheld_privacy", ("涉及个人隐私",)),
    ("requests", "requests.answer.withheld_safety_stability", ("危及国家安全、公共安全、经济安全和社会稳定",)),
    ("requests", "requests.answer.withheld_not_gov_info", ("不是《条例》所指政府信息",)),
    ("requests", "requests.answer.withheld_other_law", ("法律法规规定的其他情形",)),
    ("requests", "requests.answer.not_this_agency", ("5.不属于本行政机关公开数",)),
    ("requests", "requests.answer.not_exist", ("6.申请信息不存在数",)),
    ("requests", "requests.answer.correction_needed", ("7.告知作出更改补充数",)),
    ("requests", "requests.answer.other_channel", ("8.告知通过其他途径办理数",)),
    ("requests", "requests.answer.other", ("其他类型答复数",)),
    ("source", None, ("（四）申请来源",)),
    ("source", "requests.source.party_gov", ("1.党政机关",)),
    ("source", "requests.source.social_group", ("2.社会团体",)),
    ("source", "requests.source.enterprise", ("3.企业",)),
    ("source", "requests.source.media", ("4.宣传媒体",)),
    ("source", "requests.source.research", ("5.科研院校",)),
    ("source", "requests.source.citizen", ("6.公民",)),
    ("source", "requests.source.citizen_lawyer", ("其中：律师",)),
    ("source", "requests.source.citizen_researcher", ("科研人员",)),
    ("source", "requests.source.citizen_journalist", ("媒体从业人员",)),
    ("source", "requests.source.other", ("7.其他",)),
    ("topic", None, ("（四）申请类型数", "申请类型")),
    ("topic", "requests.topic.budget", ("1.财政预决算",)),
    ("topic", "requests.topic.expropriation", ("2.征收补偿",)),
    ("topic", "requests.topic.planning", ("3.规划计划",)),
    ("topic", "requests.topic.major_projects", ("4.重大建设项目审批及实施",)),
    ("topic", "requests.topic.business_admin", ("5.工商管理",)),
    ("topic", "requests.topic.food_drug", ("6.食品药品",)),
    ("topic", "requests.topic.environment", ("7.环境保护",)),
    ("topic", "requests.topic.public_resources", ("8.公共资源监管",)),
    ("topic", "requests.topic.employment_social_security", ("9.劳动就业及社会保障",)),
    ("topic", "requests.topic.social_assistance", ("10.社会救助及扶贫",)),
    ("topic", "requests.topic.health", ("11.医疗卫生及计生",)),
    ("topic", "requests.topic.education", ("12.教育信息",)),
    ("topic", "requests.topic.statistics", ("13.统计信息",)),
    ("topic", "requests.topic.penalties", ("14.行政处罚",)),
    ("topic", "requests.topic.personnel", ("15.人事信息",)),
    ("topic", "requests.topic.prices_fees", ("16.价格收费",)),
    ("topic", "requests.topic.credit", ("17.企业信用",)),
    ("topic", "requests.topic.other", ("18.其它",)),
    ("review", "review.total", ("四、行政复议数量", "行政复议数", "因政府信息公开申请行政复议数量")),
    ("review", "review.upheld", ("（一）维持具体行政行为数",)),
    ("review", "review.corrected", ("（二）被依法纠错数",)),
    ("review", "review.other", ("（三）其他情形数",)),
    ("litigation", "litigation.total", ("五、行政诉讼数量", "行政诉讼数", "因政府信息公开提起行政诉讼数量")),
    ("litigation", "litigation.upheld", ("（一）维持具体行政行为或者驳回原告诉讼请求数", "维持具体行政行为数")),
    ("litigation", "litigation.corrected", ("（二）被依法纠错数",)),
    ("litigation", "litigation.other", ("（三）其他情形数",)),
    ("complaints", "complaints.total", ("六、举报投诉数量", "政府信息公开工作受理举报数量")),
    ("fees", None, ("依申请公开收费情况",)),
    ("fees", "fees.request_fees", ("七、依申请公开信息收取的费用", "提供依申请公开信息收取的费用")),
    ("fees", "fees.waived", ("依申请公开信息减免的费用", "政府信息公开收费减免金额")),
    ("org", None, ("八、机构建设和保障经费情况", "机构队伍建设和经费保障情况", "政府信息公开工作机构数")),
    ("org", "org.dedicated_units", ("（一）政府信息公开工作专门机构数", "专门机构数")),
    ("org", "org.part_time_units", ("兼职机构数",)),
    ("org", "org.reading_points", ("（二）设置政府信息公开查阅点数",)),
    ("org", "org.staff", ("（三）从事政府信息公开工作人员数", "政府信息公开工作人员数")),
    ("org", "org.staff_full_time", ("1.专职人员数（不包括政府公报及政府网站工作人员数）", "专职人员数", "全职人员")),
    ("org", "org.staff_part_time", ("2.兼职人员数", "兼职人员")),
    ("org", "org.budget", ("（四）政府信息公开专项经费（不包括用于政府公报编辑管理及政府网站建设维护等方面的经费）",
                           "政府信息公开专项经费", "政府信息公开工作年度财政专项列支预算")),
    ("org", "org.spent", ("实际投入工作经费",)),
    ("training", None, ("九、政府信息公开会议和培训情况",)),
    ("training", "training.meetings", ("（一）召开政府信息公开工作会议或专题会议数", "召开政府信息公开工作会或专题会")),
    ("training", "training.sessions", ("（二）举办各类培训班数", "举办各类培训班")),
    ("training", "training.trainees", ("（三）接受培训人员数", "培训人员数量")),
    ("local", "appeals.total", ("行政申诉数",)),
    ("local", "consultations.total", ("公众访问咨询数量",)),
    ("power", None, ("行政权力办件情况",)),
)

STAT_TELLS_2014 = ("回应解读情况", "回应公众关注热点或重大舆情数", "举报投诉数量", "申请办结数", "政策解读稿件发布数")
STAT_TELLS_LOCAL = ("历年累计", "本年累计", "本期实际", "行政申诉数", "否决公开答复", "受理依申请公开信息总数")
STAT_HEADER_WORDS = ("统计指标", "指标名称")
UNIT_WORDS = {"条", "件", "次", "人次", "人", "个", "项", "篇", "份", "万元", "元", "—", "——", "-", "?", "??", "???", "/"}
