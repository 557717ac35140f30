from django.urls import include, path

from . import accounts

urlpatterns = [
    path("", accounts.account, name="account"),
    path("login/", accounts.LoginView.as_view(), name="login"),
    path("logout/", accounts.LogoutView.as_view(), name="logout"),
    path("password/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", accounts.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("tokens/", include("stftracker.token_urls")),
]
