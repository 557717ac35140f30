"""The demo admin's way into the admin site, which needs a second factor: the demo gives the admin an
authenticator key of its own (random, new at each load) and ``load_demo`` prints it."""
import io
import re
from base64 import b32decode

import pytest
from django.core.management import call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from stftracker.demo import load_demo


def _printed_key(output):
    match = re.search(r"authenticator key ([A-Z2-7]{32})", output)
    assert match, output
    return match.group(1)


@pytest.mark.django_db
def test_the_demo_admin_gets_a_key_that_opens_the_admin_site(settings):
    settings.DEBUG = True
    load_demo(scale=0.1)
    devices = list(TOTPDevice.objects.filter(user__username="admin"))
    assert len(devices) == 1 and devices[0].confirmed
    assert not TOTPDevice.objects.exclude(user__username="admin").exists()  # the others log in with a password

    out = io.StringIO()
    call_command("load_demo", "--if-empty", stdout=out)
    output = out.getvalue()
    key = _printed_key(output)
    assert "otpauth://totp/STF%20Tracker%3Aadmin?secret=" + key in output

    # An authenticator app given the printed key: its code, with the printed password, opens the admin.
    client = Client()
    step = client.post("/accounts/login/", {"username": "admin", "password": "admin-demo-2016", "next": "/admin/"})
    assert step["Location"] == "/accounts/login/code/"
    code = f"{totp(b32decode(key), step=30, t0=0, digits=6):06d}"
    assert client.post("/accounts/login/code/", {"code": code})["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_each_load_gives_the_demo_admin_a_new_key(settings):
    settings.DEBUG = True
    load_demo(scale=0.1)
    first = TOTPDevice.objects.get(user__username="admin").key
    load_demo(scale=0.1)
    assert TOTPDevice.objects.get(user__username="admin").key != first
    assert TOTPDevice.objects.filter(user__username="admin").count() == 1
