"""The alert pages: add and stop an alert (from the account page, logged in), and the unsubscribe
link of every alert email, which needs no log-in: its signed token is the authority. A GET shows
a page with a button and changes nothing; a POST unsubscribes, also the one-click POST mail
clients send (RFC 8058), which carries no CSRF token, hence the exemption of that view alone."""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from stftracker.accounts.views import account

from . import services
from .forms import SubscriptionForm
from .models import AlertKind, Subscription


@login_required
@require_POST
def subscribe(request):
    form = SubscriptionForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            subscription = services.subscribe(
                request.user, kind=form.cleaned_data["kind"], trust=form.cleaned_data["trust_obj"],
                days_before=form.cleaned_data["days_before"],
            )
        except services.AlertError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Alert added: {AlertKind(subscription.kind).label.lower()}. "
                                      f"Emails go to {request.user.email}.")
            return redirect("account")
    return account(request, alert_form=form, status=400)


@login_required
@require_POST
def stop(request, pk):
    """Stop one of the user's own alerts (anyone else's is not found)."""
    subscription = services.stop(get_object_or_404(Subscription, pk=pk, user=request.user))
    messages.success(request, f"Alert stopped: {AlertKind(subscription.kind).label.lower()}.")
    return redirect("account")


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    subscription = services.subscription_of_token(token)
    if subscription is None:
        return render(request, "alerts/unsubscribe_bad.html", {"days": settings.ALERTS_UNSUBSCRIBE_DAYS}, status=400)
    context = {"subscription": subscription, "kind": AlertKind(subscription.kind).label,
               "trust": subscription.trust}
    if request.method == "POST":
        services.stop(subscription)
        return render(request, "alerts/unsubscribed.html", context)
    return render(request, "alerts/unsubscribe.html", context)
