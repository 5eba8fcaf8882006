"""One faithful list protocol per CMS family of Chinese government sites, for the portal's generated sites.

| family | module | list | paging | sites |
|---|---|---|---|---|
| `html` | static | static pages, anchors | pager anchors, `index_N.html` | anju, snsthj, tzspj |
| `trs` | trs | static pages, anchors | `createPageHTML(N, i, "index", "html")` written by script | qzswj |
| `script` | script | static pages, anchors | `var countPage = N` + `document.write` | qujiang |
| `hanweb` | hanweb | `<datastore>` records in the column page | POST `dataproxy.jsp` record windows | quzhou |
| `trsapi` | trsapi | page 1 static | POST `/fjdzapp/search` JSON | yongan, pingtan (portal.corpus) |
| `gkmlpt` | gkmlpt | none (app shell) | GET `gkmlpt/api/all/<column>?page=N&sid=…` JSON | zqhjj |
| `json` | jsonapi | none (shell page) | POST JSON `getgovinfolist` (Epoint), described by `list_api` | sihong |

`build_listing(spec, items)` renders a site's list in its family (`spec.family`): the static list pages and the
endpoints it adds, and every list request a correct crawler makes (`Listing`). Each module's docstring says what
is faithful to the real protocol and what is simplified.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from portal.families import gkmlpt, hanweb, jsonapi, script, static, trs, trsapi
from portal.families.base import Endpoint, Listing, Request, Response

if TYPE_CHECKING:
    from portal.spec import Article, SiteSpec

FAMILIES = ("html", "trs", "script", "hanweb", "trsapi", "gkmlpt", "json")
_BUILDERS = {
    "html": static.build,
    "trs": trs.build,
    "script": script.build,
    "hanweb": hanweb.build,
    "trsapi": trsapi.build,
    "gkmlpt": gkmlpt.build,
    "json": jsonapi.build,
}


def build_listing(spec: SiteSpec, items: list[Article]) -> Listing:
    """The list of `spec`'s site in its family; `items` newest first (the order every list shows)."""
    return _BUILDERS[spec.family](spec, items)


__all__ = ["FAMILIES", "Endpoint", "Listing", "Request", "Response", "build_listing"]
