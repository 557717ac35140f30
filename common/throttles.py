"""Per-user rate limits for pages and other non-API views, counted in the shared cache.

The API's throttles are DRF's (REST_FRAMEWORK in settings). A page that costs seconds of CPU per
request (the what-if panel) limits each user the same way: ``UserRate(scope, rate).wait(request)``
is ``None`` while the user is within ``rate`` ("60/hour"), else the seconds until they may ask
again. The counts live in the default cache, so they hold across web workers when that cache is
shared (Redis or the database), not when it is local memory.
"""
import math

from rest_framework.throttling import UserRateThrottle


class UserRate(UserRateThrottle):
    """DRF's per-user (else per-address) throttle with its scope and rate given, usable outside a view."""

    def __init__(self, scope, rate):
        self.scope = scope
        self.rate = rate
        super().__init__()

    def wait_seconds(self, request):
        """Count this request; ``None`` if allowed, else whole seconds (at least 1) to wait."""
        if self.allow_request(request, view=None):
            return None
        return max(1, math.ceil(self.wait() or 1))
