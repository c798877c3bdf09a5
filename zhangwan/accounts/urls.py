from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views
from .forms import LoginForm
from .passwords import guessing_limited

app_name = "accounts"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
         name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", guessing_limited(auth_views.PasswordChangeView.as_view(
        success_url=reverse_lazy("accounts:password_done"))), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_done"),
    path("claim/", views.claim, name="claim"),
    path("claim/code/", views.claim_code, name="claim_code"),
    path("claim/password/", views.claim_password, name="claim_password"),
    path("me/", views.profile, name="profile"),
    path("me/edit/", views.profile_edit, name="profile_edit"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("notifications/badge/", views.unread_badge, name="unread_badge"),
]
