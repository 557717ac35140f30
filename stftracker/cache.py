"""A Redis cache whose failures are misses, not errors.

Pages and the API throttle read and write the cache; with Redis unreachable they should carry
on without it (slower, unthrottled) rather than fail. Every Redis error is logged (once per
``QUIET_SECONDS``) and answered as the cache being empty: ``get`` returns the default, ``add``
and ``set`` store nothing.
"""
import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

QUIET_SECONDS = 30


def _redis_errors():
    import redis

    return (redis.exceptions.RedisError, ConnectionError, TimeoutError, OSError)


class FailSafeRedisCache(RedisCache):
    _last_logged = 0.0

    def _failed(self, operation, exc):
        now = time.monotonic()
        if now - FailSafeRedisCache._last_logged > QUIET_SECONDS:
            FailSafeRedisCache._last_logged = now
            logger.warning("Cache unavailable (%s failed: %s); carrying on without it", operation, exc)

    def _safely(self, operation, default, call, *args, **kwargs):
        try:
            return call(*args, **kwargs)
        except _redis_errors() as exc:
            self._failed(operation, exc)
            return default

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._safely("add", False, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._safely("get", default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._safely("set", None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._safely("touch", False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._safely("delete", False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._safely("get_many", {}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._safely("has_key", False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        return self._safely("incr", delta, super().incr, key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._safely("set_many", list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._safely("delete_many", None, super().delete_many, keys, version)

    def clear(self):
        return self._safely("clear", False, super().clear)
