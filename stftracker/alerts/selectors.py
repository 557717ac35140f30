"""What the account page shows of a user's alerts."""
from .models import AlertKind, Subscription


def subscriptions_of(user):
    """The user's active subscriptions with their trust, newest last."""
    rows = list(Subscription.objects.filter(user=user, active=True).select_related("trust").order_by("created_at", "id"))
    for row in rows:
        row.kind_label = AlertKind(row.kind).label
    return rows
