-- The attachments of every report URL (raw_page kind 'attachment', parent_url = the report's raw_page.url): per
-- attachment URL its latest archived 2xx version (a later failed fetch never replaces a good file), else the reason
-- of its latest failed request (crawl_seen). One row per (parent_url, url).
with good as (
    select parent_url, url, sha256, content_type, title
    from raw_page
    where kind = 'attachment' and parent_url is not null and status between 200 and 299
    qualify row_number() over (partition by parent_url, url order by fetched_at desc nulls last, sha256) = 1
),
failed as (
    select parent_url, url, coalesce(reason, 'HTTP ' || status, 'no answer') as error
    from crawl_seen
    where kind = 'attachment' and parent_url is not null
      and (sha256 is null or status is null or status not between 200 and 299)
    qualify row_number() over (partition by parent_url, url order by run_id desc) = 1
)
select
    coalesce(g.parent_url, f.parent_url) as parent_url,
    coalesce(g.url, f.url) as url,
    g.sha256,
    g.content_type,
    g.title,
    case when g.sha256 is null then f.error end as error
from good as g
full outer join failed as f on g.parent_url = f.parent_url and g.url = f.url
order by parent_url, url
