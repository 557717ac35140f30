"""The client address failed log-ins are counted by: forwarded addresses only behind trusted proxies."""
from django.test import override_settings

from stftracker.accounts.lockout import client_ip


def test_client_ip_reads_forwarded_addresses_only_behind_trusted_proxies(rf):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1, 2.2.2.2, 3.3.3.3")
    assert client_ip(request) == "10.0.0.1"  # no proxy trusted: the header is ignored
    with override_settings(TRUSTED_PROXY_COUNT=1):
        assert client_ip(request) == "3.3.3.3"
    with override_settings(TRUSTED_PROXY_COUNT=2):
        assert client_ip(request) == "2.2.2.2"
    with override_settings(TRUSTED_PROXY_COUNT=4):
        assert client_ip(request) == "10.0.0.1"  # fewer entries than proxies: do not guess
