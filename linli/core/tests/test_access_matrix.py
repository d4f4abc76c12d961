"""The access matrix: every route that takes an id × every persona → 0 out-of-scope successes.

The routes are not listed here: they are read from the URL conf (pages, Open311) and from the API's
OpenAPI schema, so a new route is covered the day it is added. Each persona asks for an object that
lies outside everything it may see (see `world.personas`) and for an id that does not exist; the two
answers must be the same (status, and body on the API), so a denial tells nothing an absent id does
not. A route whose parameter this test cannot fill fails the test until `world.ABSENT` and the world
learn the new kind of object.

The owner of each place must get something other than 404 from the GET routes, so that the ids the
matrix uses are real objects and the test can fail.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from linli.accounts.services.api_tokens import api_token_issue
from linli.core.tests.world import ABSENT, Place, build_world, personas

pytestmark = pytest.mark.django_db

# Routes anyone may open without signing in: the token in the link is the key (unguessable, 32
# random bytes; unknown and revoked tokens answer alike, see the love-card and rating tests), or
# the page is a grid's public intake. `test_public_routes_are_exactly_these` keeps this list honest.
PUBLIC_PAGES = {"c/<token>", "r/<token>", "g/<code>/ask"}
PUBLIC_API = {"/api/v1/love-cards/{token}"}
# Catch-all parameters of Open311's error routes: not ids.
NOT_IDS = {"resource", "rest"}


@dataclass(frozen=True)
class Route:
    template: str  # "care/key-persons/<key_person_id>/" or "/api/v1/key-persons/{key_person_id}"
    params: tuple[str, ...]
    methods: tuple[str, ...]
    api: bool

    def url(self, values: dict[str, Any]) -> str:
        url = self.template
        for name in self.params:
            url = url.replace(f"<{name}>", str(values[name])).replace(f"{{{name}}}", str(values[name]))
        return url if self.api else "/" + url


def _walk(patterns: list[Any], prefix: str) -> Iterator[tuple[str, tuple[str, ...]]]:
    for entry in patterns:
        raw = str(entry.pattern)
        if isinstance(entry.pattern.regex, re.Pattern) and raw.startswith("^"):
            # A regular-expression route: its named groups become <name>.
            raw = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", raw.lstrip("^").rstrip("$")).replace("\\.", ".")
        else:
            raw = re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", raw)
        if isinstance(entry, URLResolver):
            if raw.startswith("api/") or raw.startswith("admin/"):
                continue
            yield from _walk(entry.url_patterns, prefix + raw)
        elif isinstance(entry, URLPattern):
            route = prefix + raw
            yield route, tuple(re.findall(r"<(\w+)>", route))


def page_routes() -> list[Route]:
    from linli.needs.views.requests import ACTIONS

    routes = []
    for template, params in _walk(get_resolver().url_patterns, ""):
        if not params or set(params) & NOT_IDS:
            continue
        if "action" in params:
            # One route per request action (accept, escalate, …): each checks access on its own.
            rest = tuple(p for p in params if p != "action")
            routes += [Route(template.replace("<action>", a), rest, ("POST",), api=False) for a in ACTIONS]
        else:
            routes.append(Route(template, params, ("GET", "POST"), api=False))
    return routes


@functools.cache
def openapi() -> dict[str, Any]:
    from linli.urls import api

    return api.get_openapi_schema()


def api_routes() -> list[Route]:
    schema = openapi()
    routes = []
    for path, operations in schema["paths"].items():
        params = tuple(re.findall(r"{(\w+)}", path))
        if params:
            routes.append(Route(path, params, tuple(m.upper() for m in operations), api=True))
    return routes


def _sample(schema: dict[str, Any], components: dict[str, Any]) -> Any:
    """A small value that satisfies `schema`, so that a body reaches the handler's access check."""
    if "$ref" in schema:
        return _sample(components[schema["$ref"].rsplit("/", 1)[1]], components)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return _sample(schema[key][0], components)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {name: _sample(props[name], components) for name in schema.get("required", [])}
    if kind == "array":
        return []
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    if schema.get("format") == "date":
        return "2026-11-20"
    if schema.get("format") == "date-time":
        return "2026-11-20T09:00:00+08:00"
    return "矩阵测试"


@functools.cache
def api_body(route: Route, method: str) -> str:
    schema = openapi()
    operation = schema["paths"][route.template][method.lower()]
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return "{}"
    components = schema.get("components", {}).get("schemas", {})
    return json.dumps(_sample(content["application/json"]["schema"], components))


def _values(place: Place) -> dict[str, Any]:
    values = dict(ABSENT)
    values.update({k: v for k, v in place.ids.items() if v is not None})
    return values


def _call(client: Client, route: Route, method: str, values: dict[str, Any], token: str) -> tuple[int, Any]:
    url = route.url(values)
    if route.template.startswith("open311/"):
        url += f"?api_key={token}"
    if route.api:
        headers = {"authorization": f"Bearer {token}"}
        if method == "GET":
            response = client.get(url, headers=headers)
        else:
            body = api_body(route, method)
            response = client.generic(method, url, body, content_type="application/json", headers=headers)
        try:
            return response.status_code, response.json()
        except ValueError:
            return response.status_code, response.content
    response = client.get(url) if method == "GET" else client.post(url, {})
    return response.status_code, None


def _run_matrix(routes: list[Route]) -> list[str]:
    world = build_world()
    failures: list[str] = []
    missing = {p for r in routes for p in r.params if p not in ABSENT}
    assert not missing, f"the access matrix cannot fill these route parameters yet: {sorted(missing)}"

    # The ids are real: each place's owner reaches every GET route with them.
    for place in world.values():
        client = Client()
        client.force_login(place.owner)
        token = api_token_issue(user=place.owner)
        for route in routes:
            if "GET" in route.methods and all(place.ids.get(p) is not None for p in route.params):
                status, _ = _call(client, route, "GET", _values(place), token)
                if status == 404:
                    failures.append(f"owner {place.owner.username} gets 404 at {route.url(_values(place))}")

    checked = 0
    people = personas()
    for name, (user, outside) in people.items():
        client = Client()
        client.force_login(user)
        token = api_token_issue(user=user)
        foreign = world[outside]
        for route in routes:
            if any(foreign.ids.get(p) is None for p in route.params):
                continue
            for method in route.methods:
                absent = _call(client, route, method, ABSENT, token)
                if absent[0] == 405:
                    continue  # the method is refused before any object is looked up
                other = _call(client, route, method, _values(foreign), token)
                checked += 1
                if other != absent:
                    failures.append(
                        f"{name} {method} {route.url(_values(foreign))}: out of scope {other[0]}"
                        f" {str(other[1])[:120]} vs absent {absent[0]} {str(absent[1])[:120]}"
                    )
    # Every route was asked by every persona with at least one method it accepts.
    assert checked >= len(routes) * len(people)
    return failures


def test_every_page_route_with_an_id_denies_out_of_scope_like_an_absent_id():
    routes = [r for r in page_routes() if r.template not in PUBLIC_PAGES]
    assert len(routes) >= 30
    failures = _run_matrix(routes)
    assert not failures, "\n".join(failures)


def test_every_api_route_with_an_id_denies_out_of_scope_like_an_absent_id():
    routes = [r for r in api_routes() if r.template not in PUBLIC_API]
    assert len(routes) >= 20
    failures = _run_matrix(routes)
    assert not failures, "\n".join(failures)


def test_public_routes_are_exactly_these():
    """Every id route but the public ones sends an anonymous visitor to sign in (or 401 on the API)."""
    anonymous = Client()
    open_routes = set()
    for route in page_routes():
        response = anonymous.get(route.url(ABSENT))
        if not (response.status_code == 302 and "/login/" in response["Location"]):
            open_routes.add(route.template)
    for route in api_routes():
        if "GET" in route.methods and anonymous.get(route.url(ABSENT)).status_code != 401:
            open_routes.add(route.template)
    open311 = {r.template for r in page_routes() if r.template.startswith("open311/")}
    # Open311 answers 403 without an api_key, in its own error format: not a sign-in page, not open.
    assert open_routes - open311 == PUBLIC_PAGES | PUBLIC_API
