"""Error answers, one for each status (400, 401, 403, 404, 429, 500): a Chinese page in the
site's frame with a way back for people (pages, and the browsable API's errors alike), JSON
`{"detail": ...}` for programs that ask for JSON or call the API without asking for HTML."""

import logging

from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader

API_PREFIXES = ("/api/", "/tiles/")
MESSAGES = {
    400: "提交的内容无法处理，请检查后重试。",
    401: "请先登录。",
    403: "您没有访问此页面的权限。",
    404: "您要找的页面或记录不存在，或不在您的职责范围内。",
    405: "不支持此请求方式。",
    429: "请求过于频繁，请稍后再试。",
    500: "服务器处理请求时出错，已记录在日志中。请稍后重试；若一再出现，请联系系统管理员。",
}
TITLES = {400: "请求有误", 401: "需要登录", 403: "无权访问", 404: "页面不存在", 405: "请求方式不支持",
          429: "请求过于频繁", 500: "服务器错误"}
logger = logging.getLogger(__name__)


def wants_json(request) -> bool:
    """JSON for a client that asks for it and not for HTML; with neither asked (*/*), JSON
    under the API's paths and a page elsewhere."""
    accept = request.headers.get("Accept", "")
    if "text/html" in accept:
        return False
    return "json" in accept or request.path.startswith(API_PREFIXES)


def _chinese(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


def error_response(request, status: int, message: str = ""):
    # Django's and libraries' own messages ("No … matches the given query.") may be English.
    message = message if _chinese(message) else ""
    if wants_json(request):
        return JsonResponse({"detail": message or MESSAGES.get(status, TITLES.get(status, ""))}, status=status,
                            json_dumps_params={"ensure_ascii": False})
    return render(request, "_error_page.html", {
        "status": status, "title": TITLES.get(status, "出错了"),
        "message": message or MESSAGES.get(status, ""),
    }, status=status)


def _said(exception) -> str:
    """The exception's own message (not the resolver's dump for an unknown path)."""
    if exception is None:
        return ""
    said = exception.args[0] if getattr(exception, "args", None) else ""
    return said if isinstance(said, str) else ""


def bad_request(request, exception=None):
    return error_response(request, 400)


def permission_denied(request, exception=None):
    return error_response(request, 403, _said(exception))


def not_found(request, exception=None):
    return error_response(request, 404, _said(exception))


def csrf_failure(request, reason=""):
    return error_response(request, 403, "页面已过期或来源不明，请返回上一页刷新后重试。")


def server_error(request):
    try:
        return error_response(request, 500)
    except Exception:
        # The frame needs the database (the menu); when it is what failed, a page without it.
        logger.exception("the framed 500 page failed")
        return HttpResponseServerError(loader.get_template("500.html").render())
