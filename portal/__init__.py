"""The offline demo portal: mock government sites generated from structured values (so every expected number
is known), plus the real corpus pages when present, served on 127.0.0.1.

- `values`: random but template-valid report values (catalog metric codes);
- `render`: HTML renderers of the report formats (2014 table, 2019, 2021, hybrid, local tables, narrative);
- `sites`: the mock agencies, their article pages, robots.txt and ground truth;
- `families`: one faithful list protocol per CMS family (html, trs, script, hanweb, trsapi, gkmlpt, json): list
  pages and list endpoints;
- `apisites`: the API-only agencies (gkmlpt, json) and `generate_all`, every generated site;
- `attachments`, `notreport`, `homes`, `chrome`: report files linked from articles, report-like items that are not
  reports, home and 信息公开 pages, the page frame;
- `corpus`: the real pages of www.pingtan.gov.cn as one more site (with its list's search API);
- `server`: `Portal` (threaded stdlib HTTP server: static pages and dynamic endpoints) and the `ogi portal` entry
  point `main`.
"""

from portal.server import Portal, PortInUse, main, site_names

__all__ = ["Portal", "PortInUse", "main", "site_names"]
