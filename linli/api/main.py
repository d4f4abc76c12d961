"""The /api/v1/ plumbing: authentication, Chinese error bodies, routers from each app's apis.py."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer, django_auth

from linli.accounts.services import api_token_user


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_user(token)
        if user is None:
            return None
        request.user = user
        return user


class ChineseJSONRenderer(JSONRenderer):
    # Chinese text as UTF-8, not \u escapes: readable in logs of the systems that call us.
    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=ChineseJSONRenderer(),
    title="邻里 API",
    version="1",
    urls_namespace="api",
    auth=[BearerAuth(), django_auth],
    # The interactive docs load assets from a CDN; the schema alone is served.
    docs_url=None,
)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": "未找到"}, status=404)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": "没有权限执行此操作"}, status=403)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": "未登录或令牌无效"}, status=401)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [{"loc": list(e.get("loc", [])), "msg": str(e.get("msg", ""))} for e in exc.errors]
    return api.create_response(request, {"detail": "请求数据有误", "errors": errors}, status=422)


def _register() -> None:
    from linli.accounts.apis import router as accounts_router
    from linli.org.apis import router as org_router
    from linli.registry.apis import router as registry_router

    api.add_router("", accounts_router)
    api.add_router("", org_router)
    api.add_router("", registry_router)
    api.add_router("", "linli.care.apis.router")
    api.add_router("", "linli.needs.apis.router")
    api.add_router("", "linli.safety.apis.router")


_register()
