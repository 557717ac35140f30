"""Edits through the Django admin, as a user posts them."""
from django.contrib import admin
from django.test import RequestFactory

from tests.otp import verified_login


def change_in_admin(client, user, obj, **changes):
    """Post the admin change form of ``obj`` as it stands, with ``changes``, as ``user`` would."""
    model_admin = admin.site._registry[type(obj)]
    request = RequestFactory().get("/")
    request.user = user
    form = model_admin.get_form(request, obj)(instance=obj)
    data = {name: form[name].value() for name in form.fields}
    data.update(changes)
    data = {name: "" if value is None else value for name, value in data.items()}
    verified_login(client, user)  # the admin site needs the second factor
    meta = obj._meta
    response = client.post(f"/admin/{meta.app_label}/{meta.model_name}/{obj.pk}/change/", {**data, "_save": "Save"})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response
