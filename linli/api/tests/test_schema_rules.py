"""Rules of the API's shape that hold for every endpoint, present and future.

- Every list answers one `linli.api.paging.Page` and takes the shared, bounded `Paging` parameters.
- No two schema classes of the API share a name (the OpenAPI components would collide), and no two
  operations share an id.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel

import linli
from linli.api.paging import Page


def _operations() -> Iterator[tuple[str, str, Any]]:
    from linli.urls import api

    for _prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    yield method, path, operation


def _answer(operation: Any) -> Any:
    for status in (200, 201):
        model = operation.response_models.get(status)
        if model is not None:
            return model.model_fields["response"].annotation
    return None


def _openapi() -> dict[str, Any]:
    from linli.urls import api

    return api.get_openapi_schema()


def test_every_list_answers_the_shared_page_and_takes_the_shared_paging():
    schema = _openapi()
    lists = []
    for method, path, operation in _operations():
        answer = _answer(operation)
        fields = set(getattr(answer, "model_fields", {}) or {})
        if not {"items", "count"} <= fields:
            continue
        lists.append(path)
        assert inspect.isclass(answer) and issubclass(answer, Page), (
            f"{method} {path}: {answer} pages by hand"
        )
        parameters = schema["paths"][f"/api/v1{path}"][method.lower()].get("parameters", [])
        names = {p["name"] for p in parameters if p["in"] == "query"}
        assert {"page", "page_size"} <= names, f"{method} {path} takes no Paging"
    assert len(lists) >= 10  # the check saw the lists (residents, key persons, requests, …)


def test_every_endpoint_that_pages_answers_a_page():
    schema = _openapi()
    for method, path, operation in _operations():
        parameters = schema["paths"][f"/api/v1{path}"][method.lower()].get("parameters", [])
        if any(p["name"] == "page_size" for p in parameters):
            answer = _answer(operation)
            assert inspect.isclass(answer) and issubclass(answer, Page), f"{method} {path}"


def _api_schema_classes() -> dict[str, set[str]]:
    """Schema class name → the modules defining one, over every `linli.<app>.apis` module."""
    names: dict[str, set[str]] = defaultdict(set)
    for module_info in pkgutil.walk_packages(linli.__path__, "linli."):
        name = module_info.name
        if ".apis" not in name and not name.startswith("linli.api."):
            continue
        if ".tests" in name:
            continue
        module = importlib.import_module(name)
        for value in vars(module).values():
            if inspect.isclass(value) and issubclass(value, BaseModel) and value.__module__ == name:
                names[value.__name__].add(name)
    return names


def test_no_two_schema_classes_of_the_api_share_a_name():
    clashes = {name: modules for name, modules in _api_schema_classes().items() if len(modules) > 1}
    assert clashes == {}


def test_operation_ids_are_unique():
    ids = [
        operation["operationId"]
        for item in _openapi()["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    ]
    assert len(ids) == len(set(ids)) > 50


@pytest.mark.parametrize("name", ["Page", "Paging"])
def test_the_shared_paging_schemas_are_the_only_ones(name):
    assert _api_schema_classes()[name] == {"linli.api.paging"}
