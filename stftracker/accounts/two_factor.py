"""The second factor: time-based one-time codes (TOTP) from an authenticator app, on django-otp.

Anyone may turn it on from their account page (finance directors are asked to); the admin site
refuses anyone whose session has not passed it (``accounts.admin_site``). A user with a confirmed
device logs in in two steps: the password (``LoginView``), then the code (``CodeView``), within
``LOGIN_CODE_TIMEOUT`` seconds. Between the two nothing is logged in: the session holds only who
passed the password step, and when. A wrong code counts as a failed log-in for the lock-outs
(``accounts.lockout``), besides django-otp's own growing delay after each wrong code; a code is
accepted once only.
"""
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django_otp import devices_for_user, verify_token
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

DEVICE_NAME = "Authenticator app"
_PENDING = "_stf_password_step"
_NEW_KEY = "_stf_new_totp_key"


def has_second_factor(user) -> bool:
    """Has ``user`` a confirmed device, so that logging in asks for a code?"""
    return any(True for _ in devices_for_user(user, confirmed=True))


def is_verified(user) -> bool:
    """Has this request's user passed the second factor in this session?"""
    check = getattr(user, "is_verified", None)
    return bool(getattr(user, "is_authenticated", False) and check is not None and check())


# --- Between the password and the code -------------------------------------------------------


def begin_code_step(request, user, next_url):
    """The password was right and ``user`` has a device: remember them until the code comes."""
    request.session[_PENDING] = {
        "user": user.pk,
        "backend": user.backend,
        "hash": user.get_session_auth_hash(),
        "at": time.time(),
        "next": next_url,
    }


def pending_user(request):
    """``(user, backend, next_url)`` of the password step in this session, or ``None`` when there
    is none, it is older than ``LOGIN_CODE_TIMEOUT``, or the user has since changed."""
    pending = request.session.get(_PENDING)
    if not pending:
        return None
    if time.time() - pending["at"] > settings.LOGIN_CODE_TIMEOUT:
        end_code_step(request)
        return None
    user = get_user_model()._default_manager.filter(pk=pending["user"], is_active=True).first()
    if user is None or user.get_session_auth_hash() != pending["hash"]:
        end_code_step(request)
        return None
    return user, pending["backend"], pending["next"]


def end_code_step(request):
    request.session.pop(_PENDING, None)


def verify_code(user, code):
    """The confirmed device of ``user`` that accepts ``code`` (and will not accept it again), or ``None``."""
    code = (code or "").strip().replace(" ", "")
    for device in devices_for_user(user, confirmed=True):
        verified = verify_token(user, device.persistent_id, code)
        if verified is not None:
            return verified
    return None


def code_refused_for_now(user) -> bool:
    """Is django-otp holding back codes after wrong ones (its delay grows with each)?"""
    return not any(device.verify_is_allowed()[0] for device in devices_for_user(user, confirmed=True))


# --- Turning it on ---------------------------------------------------------------------------


def key_to_confirm(request):
    """The new device the enrol page shows the key of, not saved: its key is kept in the session
    (the same one until it is confirmed), so that looking at the page writes nothing."""
    key = request.session.get(_NEW_KEY)
    if not key:
        key = request.session[_NEW_KEY] = default_key()
    return TOTPDevice(user=request.user, name=DEVICE_NAME, key=key, confirmed=False)


def confirm_device(request, *, code):
    """Save the device of :func:`key_to_confirm` if ``code`` is one its app shows now; it replaces
    any device the user had. Returns the device, or ``None`` when the code is wrong."""
    device = key_to_confirm(request)
    try:
        token = int((code or "").strip().replace(" ", ""))
    except ValueError:
        return None
    check = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    check.time = time.time()
    if not check.verify(token, device.tolerance):
        return None
    device.last_t = check.t()  # the code just used is not accepted again
    device.confirmed = True
    with transaction.atomic():
        for other in devices_for_user(request.user, confirmed=None):
            other.delete()
        device.save()
    del request.session[_NEW_KEY]
    return device
