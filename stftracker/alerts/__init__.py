"""Alerts by email: subscriptions, what is sent (a quarter result changed, a return due or late,
the analysts' weekly digest), the Celery task that sends each alert once, and unsubscribing."""
