from tests.events.conftest import actors  # noqa: F401  (the event loop's cast)
