"""Site-wide views outside any page family: the health check and the server error page."""
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static


def healthz(request):
    """Liveness and database check for load balancers and compose health checks."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def server_error(request):
    return render(request, "500.html", status=500)


def favicon(request):
    """/favicon.ico, which browsers ask for on pages that name no icon (the admin's): our static icon."""
    return redirect(static("favicon.ico"), permanent=False)
