"""Subscribing, stopping, and sending the alerts (the ``send_alerts`` task calls :func:`send_alerts`).

Who may have what (``trusts.roles``), checked when subscribing and again when sending:

* **result_changed** and **return_due**: a finance director about the trusts they act for (every
  one of them when the subscription names none, or one of them); an analyst about the one trust
  the subscription names (our choice: an analyst follows the trusts they choose, one subscription
  each; the country as a whole is the weekly digest's). A finance director unlinked from a trust
  is told nothing more about it.
* **weekly_digest**: analysts only; a finance director is refused, saying so.

What is sent, each once per subscription (``SentAlert``'s unique key, claimed before sending):

* a trust-quarter's status or earned changed (``changes.notice_changes``), once per change noticed
  after the subscription was made and within the last ``LOOKBACK``;
* a return (``finance.chase``) not received and due within the subscription's ``days_before`` days
  (key ``due:``), and once past its due date (``late:``), for the latest quarter with anything due
  and the quarter before it;
* the weekly digest of the last full ISO week (Monday to Sunday, the site's time zone), on the first
  run after it ends: the trust-quarters whose status changed in it (one per week, sent when none did too).
"""
from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from common.errors import DomainError
from common.money import money_display
from finance import chase
from finance.models import EntitlementStatus, Scheme
from performance.metrics import PAGE_NAMES
from trusts import roles
from trusts.models import Trust

from .changes import notice_changes
from .models import DAYS_BEFORE_MAX, AlertKind, ResultChange, SentAlert, Subscription

logger = logging.getLogger(__name__)

LOOKBACK = datetime.timedelta(days=14)
UNSUBSCRIBE_SALT = "stftracker.alerts.unsubscribe"
KEY_BATCH = 500


class AlertError(DomainError):
    """A subscription the user may not have, or one they already have."""


# --- Subscribing -----------------------------------------------------------------------------


def allowed_kinds(user) -> list[str]:
    """The kinds of alert ``user`` may subscribe to."""
    kinds = []
    if roles.is_analyst(user) or roles.directed_trust_ids(user):
        kinds += [AlertKind.RESULT_CHANGED, AlertKind.RETURN_DUE]
    if roles.is_analyst(user):
        kinds.append(AlertKind.WEEKLY_DIGEST)
    return kinds


def subscribe(user, *, kind, trust=None, days_before=3) -> Subscription:
    """Subscribe ``user`` to ``kind`` (about ``trust``, or every trust they act for); AlertError
    with the reason when the role may not have it or the user already has it."""
    if kind not in AlertKind.values:
        raise AlertError(f"There is no alert of kind {kind!r}.")
    analyst = roles.is_analyst(user)
    if kind == AlertKind.WEEKLY_DIGEST:
        if not analyst:
            raise AlertError("The weekly digest of statuses changed is for analysts only; a finance director "
                             "may follow their own trusts' results and returns.")
        trust = None
    elif trust is not None:
        if not roles.can_act_for(user, trust):
            raise AlertError(f"You do not act for {trust.name}, so you cannot have its alerts.")
    elif analyst and not roles.directed_trust_ids(user):
        raise AlertError("Choose the trust to follow: an analyst's result and return alerts are about one "
                         "trust each (the weekly digest covers every trust).")
    elif not roles.directed_trust_ids(user):
        raise AlertError("You act for no trust yet, so there is nothing to alert you about. Ask an "
                         "administrator to link your account to your trust.")
    if kind != AlertKind.RETURN_DUE:
        days_before = 3
    if isinstance(days_before, bool) or not isinstance(days_before, int) or not 0 <= days_before <= DAYS_BEFORE_MAX:
        raise AlertError(f"Days before the due date must be a whole number from 0 to {DAYS_BEFORE_MAX}.")
    if not user.email:
        raise AlertError("Your account has no email address to send alerts to. Ask an administrator to add it.")
    trust_id = getattr(trust, "pk", None)
    if Subscription.objects.filter(user=user, kind=kind, trust_id=trust_id, active=True).exists():
        raise AlertError("You already have this alert.")
    if kind in (AlertKind.RESULT_CHANGED, AlertKind.WEEKLY_DIGEST):
        notice_changes()  # what changed before now is not news to this subscription
    return Subscription.objects.create(user=user, kind=kind, trust_id=trust_id, days_before=days_before)


def stop(subscription, *, now=None) -> Subscription:
    """Stop ``subscription`` (it is kept, inactive, with what was sent)."""
    if subscription.active:
        subscription.active = False
        subscription.stopped_at = now or timezone.now()
        Subscription.objects.filter(pk=subscription.pk).update(active=False, stopped_at=subscription.stopped_at)
    return subscription


# --- Unsubscribe links -------------------------------------------------------------------------


def unsubscribe_token(subscription) -> str:
    return signing.dumps({"s": subscription.pk, "u": subscription.user_id}, salt=UNSUBSCRIBE_SALT)


def subscription_of_token(token) -> Subscription | None:
    """The subscription a link's token names, or None when it is bad, expired or names none."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=settings.ALERTS_UNSUBSCRIBE_DAYS * 86400)
    except signing.BadSignature:  # SignatureExpired is one
        return None
    if not isinstance(data, dict):
        return None
    return (Subscription.objects.select_related("user", "trust")
            .filter(pk=data.get("s"), user_id=data.get("u")).first())


def _site_url(name, *args) -> str:
    """The full address (``SITE_URL``) of a page of the site, for a link in a message."""
    return settings.SITE_URL + reverse(name, args=args)


def unsubscribe_url(subscription) -> str:
    return _site_url("alert-unsubscribe", unsubscribe_token(subscription))


# --- What is due to be sent --------------------------------------------------------------------


@dataclass
class Alert:
    """One alert to send: its subscription, key, subject and the context of its templates."""

    subscription: Subscription
    key: str
    subject: str
    template: str
    context: dict = field(default_factory=dict)


def _covered(subscription) -> set:
    """The trusts ``subscription`` may be told about now (roles as they are today)."""
    user = subscription.user
    if subscription.trust_id is not None:
        return {subscription.trust_id} if roles.can_act_for(user, subscription.trust_id) else set()
    return set(roles.directed_trust_ids(user))


def _day(day) -> str:
    """A date as the alerts write it: ``12 May 2016``."""
    return f"{day.day} {day:%B %Y}"


def _status_label(status):
    return EntitlementStatus(status).label


def _return_label(kind):
    return "Finance" if kind == chase.FINANCE else PAGE_NAMES.get(kind, kind)


def _result_alerts(subscriptions, changes) -> list[Alert]:
    alerts = []
    for subscription in subscriptions:
        covered = _covered(subscription)
        for change in changes:
            if change.trust_id not in covered or change.noticed_at <= subscription.created_at:
                continue
            period = f"Q{change.quarter} {change.scheme.code}"
            what = (f"result changed to {_status_label(change.new_status)}" if change.status_changed
                    else f"result changed: earned now {money_display(change.new_earned)}")
            alerts.append(Alert(subscription, f"result:{change.pk}", f"STF Tracker: {change.trust.name} {period} {what}",
                                "result_changed", {
                                    "change": change, "trust": change.trust, "period": period,
                                    "old_status": _status_label(change.old_status),
                                    "new_status": _status_label(change.new_status),
                                    "trust_url": _site_url("trust-detail", change.trust.org_code),
                                }))
    return alerts


def _periods(as_of) -> list[tuple[Scheme, int]]:
    """The latest quarter with anything due and the one before it (its last returns fall due after it)."""
    latest = chase.default_period(as_of=as_of)
    if latest is None:
        return []
    schemes = list(Scheme.objects.order_by("start_date"))
    by_code = {scheme.code: scheme for scheme in schemes}
    scheme, quarter = by_code[latest[0]], latest[1]
    periods = [(scheme, quarter)]
    if quarter > 1:
        periods.append((scheme, quarter - 1))
    else:
        earlier = [each for each in schemes if each.start_date < scheme.start_date]
        if earlier:
            periods.append((earlier[-1], 4))
    return periods


def _return_alerts(subscriptions, as_of) -> list[Alert]:
    covered = {subscription.pk: _covered(subscription) for subscription in subscriptions}
    trust_ids = sorted(set().union(*covered.values())) if covered else []
    if not trust_ids:
        return []
    alerts = []
    for scheme, quarter in reversed(_periods(as_of)):  # the earlier quarter first
        rows = chase.quarter_returns(scheme, quarter, trust_ids=trust_ids, as_of=as_of)
        for subscription in subscriptions:
            for row in rows:
                if row.trust_id not in covered[subscription.pk]:
                    continue
                days_left = (row.due - as_of).days
                if row.state == chase.OUTSTANDING and days_left <= subscription.days_before:
                    prefix, what = "due", f"is due {_day(row.due)}"
                elif row.state == chase.LATE:
                    prefix, what = "late", f"is late (due {_day(row.due)})"
                else:
                    continue
                label = _return_label(row.kind)
                alerts.append(Alert(
                    subscription, f"{prefix}:{row.trust_id}:{scheme.code}:{row.kind}:{row.month:%Y-%m}",
                    f"STF Tracker: {row.trust_name} {label} return for {row.month:%B %Y} {what}", "return_due",
                    {"row": row, "label": label, "late": prefix == "late", "days_left": days_left,
                     "period": f"Q{quarter} {scheme.code}", "pending": money_display(row.pending_money),
                     "chase_url": _site_url("returns-outstanding") + f"?year={scheme.code}&quarter={quarter}",
                     "trust_url": _site_url("trust-detail", row.org_code)},
                ))
    return alerts


def last_week(now) -> tuple[datetime.date, datetime.datetime, datetime.datetime]:
    """(its Monday, start, end) of the last full ISO week before ``now``, in the site's time zone."""
    today = timezone.localdate(now)
    monday = today - datetime.timedelta(days=today.weekday() + 7)
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(monday, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(monday + datetime.timedelta(days=7), datetime.time.min, tzinfo=zone)
    return monday, start, end


def _digest_alerts(subscriptions, changes, now) -> list[Alert]:
    monday, start, end = last_week(now)
    year, week, _ = monday.isocalendar()
    changed = [change for change in changes if change.status_changed and start <= change.noticed_at < end]
    alerts = []
    for subscription in subscriptions:
        if not roles.is_analyst(subscription.user) or subscription.created_at >= end:
            continue
        count = len(changed)
        subject = (f"STF Tracker: weekly digest, {count} status{'es' if count != 1 else ''} changed "
                   f"in the week of {_day(monday)}")
        alerts.append(Alert(subscription, f"digest:{year}-W{week:02d}", subject, "weekly_digest", {
            "changes": [{"change": change, "old_status": _status_label(change.old_status),
                         "new_status": _status_label(change.new_status),
                         "trust_url": _site_url("trust-detail", change.trust.org_code)} for change in changed],
            "monday": monday, "sunday": monday + datetime.timedelta(days=6), "week": f"{year}-W{week:02d}",
        }))
    return alerts


# --- Sending -----------------------------------------------------------------------------------


def _message(alert, connection) -> EmailMultiAlternatives:
    link = unsubscribe_url(alert.subscription)
    context = {**alert.context, "subscription": alert.subscription, "user": alert.subscription.user,
               "unsubscribe_url": link, "site_url": settings.SITE_URL, "subject": alert.subject,
               "account_url": _site_url("account")}
    text = render_to_string(f"alerts/email/{alert.template}.txt", context)
    html = render_to_string(f"alerts/email/{alert.template}.html", context)
    message = EmailMultiAlternatives(
        subject=alert.subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL,
        to=[alert.subscription.user.email], connection=connection,
        headers={"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                 "Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    return message


def _claim(alert) -> SentAlert | None:
    """Record ``alert`` as being sent; None when it already was (by this run or another).

    The insert comes first, with no look before it: the unique key decides, and on SQLite a
    transaction that writes first waits for the write lock instead of failing to upgrade a read."""
    try:
        with transaction.atomic():
            return SentAlert.objects.create(subscription=alert.subscription, key=alert.key,
                                            subject=alert.subject[:300])
    except IntegrityError:  # claimed already, by an earlier run or one running now
        return None


def _already_sent(alerts) -> set:
    found = set()
    keys = sorted({alert.key for alert in alerts})
    ids = sorted({alert.subscription.pk for alert in alerts})
    for start in range(0, len(keys), KEY_BATCH):
        found.update(SentAlert.objects.filter(subscription_id__in=ids, key__in=keys[start:start + KEY_BATCH])
                     .values_list("subscription_id", "key"))
    return found


@dataclass
class Outcome:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    errors: list = field(default_factory=list)

    def as_dict(self):
        return {"sent": self.sent, "skipped": self.skipped, "failed": self.failed}


def due_alerts(*, now=None, as_of=None) -> list[Alert]:
    """Every alert the active subscriptions should have now, sent before or not."""
    as_of = as_of or (timezone.localdate(now) if now is not None else chase.today())
    now = now or timezone.now()
    subscriptions = list(Subscription.objects.filter(active=True, user__is_active=True).exclude(user__email="")
                         .select_related("user"))
    if not subscriptions:
        return []
    roles.load_roles([subscription.user for subscription in subscriptions])
    by_kind = {kind: [s for s in subscriptions if s.kind == kind] for kind in AlertKind.values}
    alerts = []
    if by_kind[AlertKind.RESULT_CHANGED] or by_kind[AlertKind.WEEKLY_DIGEST]:
        notice_changes(now=now)
        changes = list(ResultChange.objects.filter(noticed_at__gte=now - LOOKBACK)
                       .select_related("trust", "scheme").order_by("noticed_at", "trust__org_code", "id"))
        alerts += _result_alerts(by_kind[AlertKind.RESULT_CHANGED], changes)
        alerts += _digest_alerts(by_kind[AlertKind.WEEKLY_DIGEST], changes, now)
    alerts += _return_alerts(by_kind[AlertKind.RETURN_DUE], as_of)
    return alerts


def send_alerts(*, now=None, as_of=None) -> Outcome:
    """Send every alert due that was not sent before, each once (see the module's docstring). A
    message that cannot be sent gives its claim back (the next run tries again); the first such
    error is raised once the others have been tried, so that the task fails and says why."""
    outcome = Outcome()
    alerts = due_alerts(now=now, as_of=as_of)
    if not alerts:
        return outcome
    sent_before = _already_sent(alerts)
    connection = None
    try:
        for alert in alerts:
            if (alert.subscription.pk, alert.key) in sent_before:
                outcome.skipped += 1
                continue
            claim = _claim(alert)
            if claim is None:
                outcome.skipped += 1
                continue
            try:
                if connection is None:
                    connection = get_connection()
                    connection.open()
                _message(alert, connection).send()
            except Exception as exc:  # noqa: BLE001 - give the claim back, try the rest, then fail
                SentAlert.objects.filter(pk=claim.pk).delete()
                outcome.failed += 1
                outcome.errors.append(exc)
                logger.warning("Could not send alert %s to %s: %s", alert.key, alert.subscription.user.email, exc)
                continue
            SentAlert.objects.filter(pk=claim.pk).update(sent_at=timezone.now())
            outcome.sent += 1
    finally:
        if connection is not None:
            try:
                connection.close()
            except Exception:  # noqa: BLE001 - the messages are sent or given back already
                logger.warning("Could not close the mail connection", exc_info=True)
    if outcome.errors:
        raise outcome.errors[0]
    return outcome


# --- The account page --------------------------------------------------------------------------


def trusts_to_choose(user):
    """The trusts ``user`` may name in a subscription: a finance director's own, every trust for an analyst."""
    return roles.visible_trusts(user).order_by("name")


def trust_for_form(user, trust_id) -> Trust | None:
    return roles.visible_trusts(user).filter(pk=trust_id).first()
