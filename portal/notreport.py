"""List items whose title looks like a report but whose page is not one (truth: `not_report_urls`).

Real sites have them: an old report link that now answers a CMS maintenance page (status 200, 系统维护中), or
one behind the province's unified login (统一身份认证) that answers the login form. A crawler fetches them (the
title is a report's) and must not take the page for a report. The item is titled
`<agency>2012年…年度报告`, dated 15 March 2013, and its id is below the site's first id (`id_base - 3`), so no
other page moves.
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import TYPE_CHECKING

from portal.chrome import document, encode

if TYPE_CHECKING:
    from portal.spec import SiteSpec

YEAR = 2012
DATE = datetime(YEAR + 1, 3, 15, 10, 0)


def maintenance_page(spec: SiteSpec) -> str:
    main = (
        '<div class="maintain" style="text-align:center;padding:80px 0">\n<h1>系统维护中</h1>\n'
        "<p>为进一步提升服务质量，本网站正在进行系统升级维护，维护期间部分页面暂时无法访问。</p>\n"
        "<p>给您带来的不便，敬请谅解！</p>\n"
        f'<p><a href="/{spec.name}/">返回首页</a></p>\n</div>\n'
    )
    return document(spec, title="系统维护中", head="", main=main, charset='<meta charset="utf-8">')


def login_page(spec: SiteSpec) -> str:
    action = f"/{spec.name}/uc/login/login"
    main = (
        '<div class="login-box">\n<h2>统一身份认证平台</h2>\n<p>您访问的页面需要登录后查看。</p>\n'
        f'<form id="loginForm" method="post" action="{html.escape(action)}">\n'
        '<input type="hidden" name="redirtUrl" value="">\n'
        '<p><label>用户名：</label><input type="text" name="username" placeholder="手机号/身份证号/用户名"></p>\n'
        '<p><label>密　码：</label><input type="password" name="password"></p>\n'
        '<p><label>验证码：</label><input type="text" name="captcha" maxlength="4"><img src="" alt="验证码"></p>\n'
        '<p><button type="submit">登 录</button>　<a href="javascript:;">忘记密码</a>　<a href="javascript:;">注册</a></p>\n'
        "</form>\n</div>\n"
    )
    return document(spec, title="统一身份认证平台", head="", main=main, charset='<meta charset="utf-8">')


def page(spec: SiteSpec, kind: str) -> bytes:
    markup = {"maintenance": maintenance_page, "login": login_page}[kind](spec)
    return encode(spec, markup)
