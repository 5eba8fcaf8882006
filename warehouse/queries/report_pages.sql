-- One row per distinct report body, first fetch first; identical bodies at other URLs are the same version.
select url, sha256, site, title, list_date, fetched_at, content_type
from raw_page
where kind = 'report' and status between 200 and 299
qualify row_number() over (partition by sha256 order by fetched_at nulls last, url) = 1
order by url, sha256
