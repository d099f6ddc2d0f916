"""The API's contract: the OpenAPI document is whole (one definition per schema name,
every answer documented) and the API keeps to it under fuzzing (schemathesis).

The fuzz run is bounded (``EXAMPLES`` per operation, role and mode: about 80 s on a
busy two-core machine) to keep the suite's time modest; raise it locally
(SHEZHI_FUZZ_EXAMPLES=40, SHEZHI_FUZZ_RANDOM=1 for other examples) for a deeper look.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from ninja.openapi.schema import OpenAPISchema
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from shezhi.api import api
from shezhi.core.models import ApiToken
from tests.events.conftest import actors, jpeg, report  # noqa: F401 - the fixture
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("SHEZHI_FUZZ_EXAMPLES", "8"))
# Unset: the same examples every run (a failure in CI is one a developer can replay).
RANDOM = bool(os.environ.get("SHEZHI_FUZZ_RANDOM"))


# ---------------------------------------------------------------------------
# The document


def test_no_two_schemas_share_a_name(monkeypatch):
    """ninja keeps the last definition of a name: two schemas called AreaOut documented
    /areas/{code}/workforce as event counters. Every name must stand for one shape."""
    seen: dict[str, list] = {}
    original = OpenAPISchema.add_schema_definitions

    def record(self, definitions):
        for name, definition in definitions.items():
            seen.setdefault(name, [])
            if definition not in seen[name]:
                seen[name].append(definition)
        return original(self, definitions)

    monkeypatch.setattr(OpenAPISchema, "add_schema_definitions", record)
    api.get_openapi_schema()
    clashes = {name: len(shapes) for name, shapes in seen.items() if len(shapes) > 1}
    assert clashes == {}
    assert len(seen) > 50


def test_errors_are_documented_in_the_project_shape(client):
    doc = client.get("/api/v1/openapi.json").json()
    schemas = doc["components"]["schemas"]
    assert {"detail", "code", "field"} <= set(schemas["ErrorOut"]["properties"])
    assert "errors" in schemas["ValidationErrorOut"]["properties"]
    assert "code" in schemas["NotFoundOut"]["properties"]
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            responses = op["responses"]
            if op.get("parameters") or op.get("requestBody"):
                ref = responses["422"]["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/ValidationErrorOut"), (method, path)
            if "application/json" in op.get("requestBody", {}).get("content", {}):
                assert "400" in responses, (method, path)
            if op.get("security"):
                assert "401" in responses, (method, path)
    public = doc["paths"]["/api/v1/events/public"]["get"]["responses"]["200"]["content"]
    assert list(public) == ["application/geo+json"]
    photo = doc["paths"]["/api/v1/events/{event_id}/photos/{photo_id}"]["get"]
    assert "image/jpeg" in photo["responses"]["200"]["content"]


def test_ninja_validation_errors_answer_in_the_project_shape(client, actors):  # noqa: F811
    resp = client.get("/api/v1/events/public?since=yesterday")
    assert resp.status_code == 422
    body = resp.json()
    assert body["code"] == "invalid" and body["field"] == "since"
    assert body["errors"][0]["field"] == "since" and body["errors"][0]["type"]
    resp = client.get("/api/v1/events")
    assert resp.status_code == 401 and resp.json()["code"] == "unauthorized"


def test_nan_and_infinity_are_not_json(client, actors):  # noqa: F811
    """Python's json reads them; int(Infinity) in a dispatch's worker id was a 500."""
    event = report(actors.resident)
    _, raw = ApiToken.issue(user=actors.community, name="test")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    url = f"/api/v1/events/{event.pk}/actions/register"
    assert client.post(url, {}, content_type="application/json", **headers).status_code == 200
    url = f"/api/v1/events/{event.pk}/actions/dispatch"
    for constant in ("Infinity", "-Infinity", "NaN"):
        body = '{"data": {"target": "worker", "worker": ' + constant + "}}"
        resp = client.post(url, body, content_type="application/json", **headers)
        assert resp.status_code == 400 and resp.json()["code"] == "bad_input", constant


def test_an_over_long_token_name_is_refused_not_cut(client, actors):  # noqa: F811
    body = {"username": "resident", "password": PASSWORD, "name": "n" * 101}
    resp = client.post("/api/v1/auth/token", body, content_type="application/json")
    assert resp.status_code == 422 and resp.json()["field"] == "name"
    assert not ApiToken.objects.exists()


# ---------------------------------------------------------------------------
# Paging


@pytest.fixture
def admin_headers(actors):  # noqa: F811
    _, raw = ApiToken.issue(user=actors.district, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/areas?",
        "/api/v1/people?area=510113&",
        "/api/v1/notifications?",
        "/api/v1/posts/manage?",
        "/api/v1/events?",
    ],
)
def test_every_paged_route_bounds_limit_and_offset(client, admin_headers, path):
    """2**64 used to reach the SQL (a 500); now each is a 422 naming the field."""
    for query, field in (
        (f"limit={2**64}", "limit"),
        (f"offset={2**64}", "offset"),
        (f"offset={2**63}", "offset"),
        ("limit=501", "limit"),
        ("limit=0", "limit"),
        ("offset=-1", "offset"),
    ):
        resp = client.get(path + query, **admin_headers)
        assert resp.status_code == 422, (path, query, resp.content)
        assert resp.json()["field"] == field, (path, query)
    resp = client.get(path + "limit=500&offset=10000000", **admin_headers)
    assert resp.status_code == 200, resp.content


# ---------------------------------------------------------------------------
# Fuzzing


@pytest.fixture
def wsgi_app(settings):
    """The project's own WSGI handler, in this thread and this test's transaction.

    As Django's test client does: the request signals must not close the connection
    that holds the test's transaction.
    """
    settings.ALLOWED_HOSTS = ["*"]
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Data that breaks the schema on purpose (the fuzzer's lone surrogates, 2**64, …): it
# must be refused with a documented 4xx, never a 500.
NEGATIVE_CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance]


def _runner(operation, mode, headers: dict, known: dict, failures: list):
    @given(case=operation.as_strategy(generation_mode=mode), real=st.booleans())
    @hsettings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=not RANDOM,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case, real):
        if real and mode == GenerationMode.POSITIVE:
            # Half the time, ids that exist: the answers with content get checked too.
            for name in list(case.path_parameters or {}):
                if name in known:
                    case.path_parameters[name] = known[name]
        try:
            checks = CHECKS if mode == GenerationMode.POSITIVE else NEGATIVE_CHECKS
            case.call_and_validate(headers=headers, checks=checks)
        except BaseException as exc:  # failed checks (a group of them) or an error
            found = getattr(exc, "exceptions", None) or [exc]
            text = "\n".join(str(e).strip()[:1500] for e in found)
            failures.append(f"{operation.label} ({mode.value}): {text}")
            raise

    return run


def _fuzz(schema, headers: dict, known: dict, failures: list, part: int, parts: int) -> None:
    for i, result in enumerate(schema.get_all_operations()):
        if i % parts != part:
            continue
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _runner(operation, mode, headers, known, failures)()
            except Unsatisfiable:
                pass  # nothing to break in an operation without input
            except BaseException:  # collected above, reported together below
                if not failures or not failures[-1].startswith(operation.label):
                    raise


# The whole document, as each user, in halves: four tests xdist can hand to both workers
# (one fuzzing test was the suite's longest, its worker's last minutes alone).
FUZZ_PARTS = 2


@pytest.mark.parametrize("part", range(FUZZ_PARTS), ids=lambda p: f"part{p + 1}")
@pytest.mark.parametrize("who", ["district", "resident"])
def test_fuzzing_finds_no_server_error_and_no_schema_violation(wsgi_app, actors, who, part):  # noqa: F811
    """Over every operation of the document (this part of it), as a district admin and as
    a resident."""
    event = report(actors.resident, photos=[jpeg()])
    known = {
        "event_id": event.pk,
        "photo_id": event.photos.get().pk,
        "code": event.area.code,
    }
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    failures: list[str] = []
    _, raw = ApiToken.issue(user=getattr(actors, who), name="fuzz")
    _fuzz(schema, {"Authorization": f"Bearer {raw}"}, known, failures, part, FUZZ_PARTS)
    assert failures == [], "\n\n".join(dict.fromkeys(failures))
