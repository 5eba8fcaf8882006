"""The offline demo portal: mock government sites generated from structured values (so every expected number
is known), plus the real corpus pages when present, served on 127.0.0.1.

- `values`: random but template-valid report values (catalog metric codes);
- `render`: HTML renderers of the report formats (2014 table, 2019, 2021, hybrid, local tables, narrative);
- `sites`: the mock agencies, their list and article pages, robots.txt and ground truth;
- `corpus`: the real pages of www.pingtan.gov.cn as one more site;
- `server`: `Portal` (threaded stdlib HTTP server) and the `ogi portal` entry point `main`.
"""

from portal.server import Portal, main

__all__ = ["Portal", "main"]
