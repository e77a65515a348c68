"""The editor on a hosted forge (`ssj init --forge`): the admin page with Decap's backend for it.

What decap-cms 3.16.3 offers each forge (read in its docs and its bundle):
- GitLab: the `gitlab` backend logs in from the browser with OAuth PKCE (`auth_type: pkce`,
  `app_id`), no server of ours; the editorial workflow opens merge requests.
- Forgejo, and Gitea: the `forgejo` backend logs in with PKCE (`app_id`, base address taken from
  `api_root`) and opens pull requests. Decap's own `gitea` backend refuses the editorial workflow
  ("The Gitea backend does not support editorial workflow"), which would commit to the main
  branch, so a Gitea uses the `forgejo` backend: the calls it makes (contents, pulls, labels)
  are Gitea's API, from which Forgejo's forked (not tried against a live Gitea here).
- GitHub: no PKCE in Decap's `github` backend; it logs in through an OAuth proxy at `base_url`
  (a small server holding the OAuth App's client secret), which the bureau must run.
Each is named `ssj-<backend>` (ssj-editor.js: a new record's file keeps its id's capitals).
"""
from __future__ import annotations

from typing import Any

from generator.editor.config import config_yaml, decap_config
from generator.editor.serve import DECAP_JS, INDEX_HTML, SSJ_EDITOR_JS

REPO_PLACEHOLDER = "OWNER/REPO"
FORGE_HEADER = ("# 由 ssj init 根据记录类型的声明生成（generator/editor/config.py）。只改 backend 下\n"
                "# repo、app_id 等地址（见 editor/README.md）；表单字段不要手改，升级 ssj 后重新生成\n")
FORGES = ("github", "gitlab", "gitea", "forgejo")


def forge_backend(forge: str, branch: str = "main") -> dict[str, Any]:
    """Decap's backend mapping for `forge`, with placeholders the bureau replaces (README)."""
    if forge == "github":
        return {"name": "ssj-github", "repo": REPO_PLACEHOLDER, "branch": branch,
                "base_url": "https://oauth.example.invalid", "auth_endpoint": "auth"}
    if forge == "gitlab":
        return {"name": "ssj-gitlab", "repo": REPO_PLACEHOLDER, "branch": branch,
                "auth_type": "pkce", "app_id": "APPLICATION-ID",
                "base_url": "https://gitlab.example.invalid",
                "api_root": "https://gitlab.example.invalid/api/v4"}
    if forge in ("gitea", "forgejo"):
        return {"name": "ssj-forgejo", "repo": REPO_PLACEHOLDER, "branch": branch,
                "app_id": "CLIENT-ID", "api_root": "https://git.example.invalid/api/v1"}
    raise ValueError(forge)


_REGISTER = {
    "github": """\
1. GitHub：Settings → Developer settings → OAuth Apps → New OAuth App。GitHub 不支持浏览器里直接
   完成登录（Decap 3.16 的 github 后端没有 PKCE），须另行运行一个 OAuth 代理（持有该应用的
   Client secret，按 Decap 的 /auth 弹窗协议回传令牌；Decap 文档 "External OAuth Clients" 列有
   现成的实现）。Authorization callback URL 填代理的回调地址。
2. 在 `editor/config.yml` 中把 `repo` 改成 `账号/仓库名`，`base_url` 改成代理的地址。""",
    "gitlab": """\
1. GitLab：User Settings（或群组 Settings）→ Applications → Add new application（OAuth 应用）：
   Redirect URI 填编辑页面的地址（如 `https://内网地址/editor/`），勾选 `api`，
   **不勾选** Confidential（浏览器中以 PKCE 登录，不用 secret）。
2. 在 `editor/config.yml` 中把 `repo` 改成 `群组/仓库名`，`app_id` 改成 Application ID，
   `base_url`、`api_root` 改成本局 GitLab 的地址。""",
    "gitea": """\
1. Gitea（1.20 或更新）：设置 → 应用 → 管理 OAuth2 应用：重定向 URI 填编辑页面的地址（如
   `https://内网地址/editor/`），**不勾选**“机密客户端”。Gitea 的 app.ini 须开启 `[cors]`
   并允许编辑页面的来源。
2. 在 `editor/config.yml` 中把 `repo` 改成 `组织/仓库名`，`app_id` 改成客户端 ID，`api_root`
   改成 `https://本局 Gitea 地址/api/v1`。Decap 3.16 的 gitea 后端不支持“先建拉取请求再合并”，
   所以这里用它的 forgejo 后端（Gitea 与 Forgejo 的接口相同；尚未在真实 Gitea 上试过）。""",
    "forgejo": """\
1. Forgejo（1.21.4 或更新）：设置 → 应用 → 管理 OAuth2 应用：重定向 URI 填编辑页面的地址（如
   `https://内网地址/editor/`），**不勾选**“机密客户端”。app.ini 须开启 `[cors]` 并允许编辑页面的来源。
2. 在 `editor/config.yml` 中把 `repo` 改成 `组织/仓库名`，`app_id` 改成客户端 ID，`api_root`
   改成 `https://本局 Forgejo 地址/api/v1`。""",
}

README = """\
# 记录表单（Decap CMS）

不会编程的工作人员用浏览器中的中文表单新建、修改记录：每次保存在新分支上提交，并在 {forge}
上开一个拉取请求（合并请求），经 CI 检查（ssj check）和负责人审核后合并。表单由 ssj 根据记录
类型的声明生成（`config.yml`，不要手改字段部分），`decap-cms.js` 是固定版本的 Decap CMS 3.16.3
（未经修改，MIT 许可，见 `decap-cms.js.LICENSE.txt`）。本目录不属于公示网站，`ssj build` 不发布它。

## 开通步骤

{register}
3. 把本目录放到只在本局内网可访问的静态网站上（或在本机运行 `ssj edit` 用本地仓库编辑），
   用浏览器打开它，以 {forge} 账号登录。账号须对仓库有写权限；主分支应设保护（见 docs/guide.md）。

在没有代码托管平台的电脑上，`ssj edit` 在本机打开同样的表单，保存到本地仓库的新分支。
"""


def editor_files(forge: str, branch: str = "main", records_root: str = "records") -> dict[str, bytes]:
    """The files of `editor/` in a bureau's repository for `forge`, by relative path."""
    config = config_yaml(decap_config(forge_backend(forge, branch), records_root), FORGE_HEADER)
    notice = DECAP_JS.with_name("decap-cms.js.LICENSE.txt")
    files = {
        "editor/index.html": INDEX_HTML.read_bytes(),
        "editor/config.yml": config.encode(),
        "editor/ssj-editor.js": SSJ_EDITOR_JS.read_bytes(),
        "editor/decap-cms.js": DECAP_JS.read_bytes(),
        "editor/decap-cms.js.LICENSE.txt": notice.read_bytes(),
        "editor/README.md": README.format(forge={"github": "GitHub", "gitlab": "GitLab",
                                                 "gitea": "Gitea", "forgejo": "Forgejo"}[forge],
                                          register=_REGISTER[forge]).encode(),
    }
    return files
