"""The platform's API under /api/v1/ (OpenAPI at /api/v1/openapi.json)."""

from ninja import NinjaAPI

from shezhi.areas.api import router as areas_router
from shezhi.core.api import router as auth_router
from shezhi.core.auth import api_auth
from shezhi.events.api import router as events_router
from shezhi.events.errors import EventError
from shezhi.incentives.api import router as incentives_router
from shezhi.notifications.api import router as notifications_router
from shezhi.people.api import router as people_router
from shezhi.places.api import router as places_router
from shezhi.stats.api import router as stats_router
from shezhi.volunteering.api import router as volunteering_router

api = NinjaAPI(
    title="Shezhi Harbor API",
    version="1",
    urls_namespace="api",
    auth=api_auth,
    docs_url="/docs",
)
api.add_router("/auth", auth_router, tags=["auth"])
api.add_router("", areas_router, tags=["areas"])
api.add_router("", people_router, tags=["people"])
api.add_router("", events_router, tags=["events"])
api.add_router("", notifications_router, tags=["notifications"])
api.add_router("", stats_router, tags=["stats"])
api.add_router("", places_router, tags=["service posts"])
api.add_router("", volunteering_router, tags=["volunteering"])
api.add_router("", incentives_router, tags=["points"])


@api.exception_handler(EventError)
def refusal(request, exc: EventError):
    """A service's refusal that a handler let through: the same body every handler gives."""
    return api.create_response(
        request, {"detail": exc.message, "code": exc.code, "field": exc.field}, status=exc.status
    )
