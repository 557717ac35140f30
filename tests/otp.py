"""Second-factor helpers for tests: a confirmed TOTP device, the code it shows now, and a session
that has passed the second factor (as ``force_login`` skips the password, this skips the code)."""
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


def totp_device(user, *, confirmed=True, name="Authenticator app"):
    return TOTPDevice.objects.create(user=user, name=name, confirmed=confirmed)


def code_now(device, *, steps_ahead=0):
    """The code the device's authenticator app shows now (or ``steps_ahead`` time steps later),
    computed from the device's key by the RFC 6238 algorithm."""
    device.refresh_from_db()
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift + steps_ahead)
    return f"{value:0{device.digits}d}"


def verified_login(client, user):
    """Log ``client`` in as ``user`` with the second factor passed, through a device of theirs."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or totp_device(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device
