"""The platform's API under /api/v1/ (OpenAPI at /api/v1/openapi.json).

Every error answers the project's one shape ``{"detail", "code", "field"}``
(``core.apitypes.ErrorOut``): a service's refusal, ninja's own 400 (a body that is
not JSON), 401, 404, and its 422 (the request does not match the schema, with
every refused field under ``errors``). The document lists each of them on the
operations where they can happen.
"""

from django.http import Http404
from django.utils.translation import gettext
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from shezhi.accounts.api import router as accounts_router
from shezhi.areas.api import router as areas_router
from shezhi.campaigns.api import router as campaigns_router
from shezhi.cases.api import router as cases_router
from shezhi.core.api import router as auth_router
from shezhi.core.apitypes import (
    ErrorOut,
    LoneSurrogate,
    NotFoundOut,
    TextParser,
    ValidationErrorOut,
    validation_body,
)
from shezhi.core.auth import api_auth
from shezhi.core.errors import EventError
from shezhi.demands.api import router as demands_router
from shezhi.events.api import router as events_router
from shezhi.households.api import router as households_router
from shezhi.households.binding_api import router as binding_router
from shezhi.incentives.api import router as incentives_router
from shezhi.lists.api import router as lists_router
from shezhi.notifications.api import router as notifications_router
from shezhi.operations.api import router as operations_router
from shezhi.organisations.api import router as organisations_router
from shezhi.people.api import router as people_router
from shezhi.places.api import router as places_router
from shezhi.projects.api import router as projects_router
from shezhi.projects.api_photos import router as project_photos_router
from shezhi.stats.api import router as stats_router
from shezhi.visits.api import router as visits_router
from shezhi.volunteering.api import router as volunteering_router


class ShezhiAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        document_errors(schema)
        return schema


api = ShezhiAPI(
    title="Shezhi Harbor API",
    version="1",
    urls_namespace="api",
    auth=api_auth,
    docs_url="/docs",
    parser=TextParser(),
)
api.add_router("/auth", auth_router, tags=["auth"])
api.add_router("/accounts", accounts_router, tags=["accounts"])
api.add_router("", areas_router, tags=["areas"])
api.add_router("", people_router, tags=["people"])
api.add_router("", events_router, tags=["events"])
api.add_router("", notifications_router, tags=["notifications"])
api.add_router("", stats_router, tags=["stats"])
api.add_router("", places_router, tags=["service posts"])
api.add_router("", volunteering_router, tags=["volunteering"])
api.add_router("", incentives_router, tags=["points"])
api.add_router("", households_router, tags=["households"])
api.add_router("", binding_router, tags=["accounts"])
api.add_router("", operations_router, tags=["emergency operations"])
api.add_router("", visits_router, tags=["visits"])
api.add_router("", demands_router, tags=["demands"])
api.add_router("", lists_router, tags=["three lists"])
api.add_router("", cases_router, tags=["cases"])
api.add_router("", campaigns_router, tags=["campaigns"])
api.add_router("", organisations_router, tags=["organisations"])
api.add_router("", projects_router, tags=["projects"])
api.add_router("", project_photos_router, tags=["projects"])


def _answer(request, status: int, detail: str, code: str, field: str | None = None):
    return api.create_response(
        request, {"detail": detail, "code": code, "field": field}, status=status
    )


@api.exception_handler(EventError)
def refusal(request, exc: EventError):
    """A service's refusal that a handler let through: the same body every handler gives."""
    return _answer(request, exc.status, exc.message, exc.code, exc.field)


@api.exception_handler(ValidationError)
def invalid(request, exc: ValidationError):
    """ninja's 422: every refused field, the first one named in ``field``."""
    return api.create_response(request, validation_body(exc.errors), status=422)


@api.exception_handler(Http404)
def not_found(request, exc: Http404):
    return _answer(request, 404, gettext("Not found"), "not_found")


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    cause = exc.__cause__
    if isinstance(cause, LoneSurrogate):
        # ninja wraps whatever the parser raises in "Cannot parse request body".
        return api.create_response(
            request,
            validation_body(
                [{"loc": ("body", cause.field), "msg": str(cause), "type": "lone_surrogate"}]
            )
            | {
                "detail": gettext("%(field)s holds a character that is not text.")
                % {"field": cause.field}
            },
            status=422,
        )
    if exc.status_code == 400 and cause is not None:
        return _answer(request, 400, gettext("The request body is not JSON."), "bad_input", "body")
    if isinstance(exc, AuthenticationError):
        return _answer(request, 401, gettext("Sign in first."), "unauthorized")
    return _answer(request, exc.status_code, str(exc), _HTTP_CODES.get(exc.status_code, "error"))


_HTTP_CODES = {400: "bad_input", 401: "unauthorized", 403: "forbidden", 404: "not_found"}


# ---------------------------------------------------------------------------
# The errors every operation can answer, in the document

_REF = "#/components/schemas/{model}"
_ERROR_SCHEMAS = {
    "ErrorOut": ErrorOut,
    "NotFoundOut": NotFoundOut,
    "ValidationErrorOut": ValidationErrorOut,
}


def _content(name: str) -> dict:
    return {"application/json": {"schema": {"$ref": _REF.format(model=name)}}}


def document_errors(schema: dict) -> None:
    """Add the answers ninja gives by itself to each operation that can give them:
    400 for a JSON body that does not parse, 401 without credentials, 404 for an id
    or code unknown or outside the caller's scope, 422 for a request that does not
    match."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in _ERROR_SCHEMAS.values():
        generated = model.model_json_schema(ref_template=_REF)
        for name, sub in generated.pop("$defs", {}).items():
            components[name] = sub
        components[model.__name__] = generated
    for methods in schema["paths"].values():
        for op in methods.values():
            responses = op.setdefault("responses", {})
            media_type = op.pop("x-media-type", None)
            if media_type:
                # An answer in another media type than ninja's (GeoJSON, say), same schema.
                content = responses[200]["content"]
                content[media_type] = content.pop("application/json")
            params = op.get("parameters", [])
            body = op.get("requestBody", {}).get("content", {})

            def add(status: int, name: str, description: str, responses=responses) -> None:
                responses.setdefault(
                    status, {"description": description, "content": _content(name)}
                )

            if params or body:
                add(422, "ValidationErrorOut", "The request does not match the schema")
            if "application/json" in body:
                add(400, "ErrorOut", "Bad request")
            if op.get("security"):
                add(401, "ErrorOut", "Not signed in")
            # An id or an area's code (in the path, the query or the body) outside the
            # caller's scope is a 404, as an unknown one is.
            if any(p["in"] == "path" for p in params) or (op.get("security") and (params or body)):
                add(404, "NotFoundOut", "Not found, or outside the caller's scope")
