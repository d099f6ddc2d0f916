"""Security headers that Django does not set itself."""

from __future__ import annotations

from django.conf import settings


def _csp() -> str:
    img = ["'self'", "data:", "blob:"]
    tile = getattr(settings, "SHEZHI_TILE_URL", "")
    if tile:
        # Allow the configured tile server's origin (scheme://host), nothing else.
        from urllib.parse import urlsplit

        parts = urlsplit(tile.replace("{s}", "a"))
        origin = f"{parts.scheme}://{parts.netloc}"
        if "{s}" in tile:
            origin = f"{parts.scheme}://*.{parts.netloc.split('.', 1)[-1]}"
        img.append(origin)
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",  # no inline scripts anywhere
            "style-src 'self' 'unsafe-inline'",  # Leaflet sets inline styles on tiles
            f"img-src {' '.join(img)}",
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.header = _csp()

    def __call__(self, request):
        response = self.get_response(request)
        # Swagger UI (ninja's docs page) needs its own inline bootstrap script.
        if not request.path.startswith("/api/v1/docs"):
            response.headers.setdefault("Content-Security-Policy", self.header)
        return response
