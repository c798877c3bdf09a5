from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from zhangwan.ratelimit import rate_limited

from . import manage_views, views
from .forms import LoginForm
from .passwords import guessing_limited
from .reset import RESET_REQUESTS_PER_ADDRESS

app_name = "accounts"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
         name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", guessing_limited(auth_views.PasswordChangeView.as_view(
        success_url=reverse_lazy("accounts:password_done"))), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_done"),
    path("forgot/", views.password_reset, name="password_reset"),
    path("forgot/worker/", views.worker_reset, name="worker_reset"),
    path("forgot/worker/code/", views.worker_reset_code, name="worker_reset_code"),
    path("forgot/email/", rate_limited(RESET_REQUESTS_PER_ADDRESS)(auth_views.PasswordResetView.as_view(
        template_name="accounts/staff_reset.html", email_template_name="accounts/staff_reset_email.txt",
        subject_template_name="accounts/staff_reset_subject.txt",
        success_url=reverse_lazy("accounts:staff_reset_sent"))), name="staff_reset"),
    path("forgot/email/sent/", auth_views.PasswordResetDoneView.as_view(template_name="accounts/staff_reset_sent.html"),
         name="staff_reset_sent"),
    path("reset/<uidb64>/<token>/",
         views.StaffResetConfirmView.as_view(template_name="accounts/staff_reset_confirm.html"),
         name="staff_reset_confirm"),
    path("reset/done/",
         auth_views.PasswordResetCompleteView.as_view(template_name="accounts/staff_reset_complete.html"),
         name="staff_reset_complete"),
    path("claim/", views.claim, name="claim"),
    path("claim/code/", views.claim_code, name="claim_code"),
    path("claim/password/", views.claim_password, name="claim_password"),
    path("me/", views.profile, name="profile"),
    path("me/edit/", views.profile_edit, name="profile_edit"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("notifications/badge/", views.unread_badge, name="unread_badge"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path("me/email/", views.email_add, name="email_add"),
    path("me/email/code/", views.email_code, name="email_code"),
    path("me/mobile/", views.mobile_change, name="mobile_change"),
    path("me/mobile/code/", views.mobile_code, name="mobile_code"),
    # Officers' account management (zhangwan/accounts/managing.py)
    path("manage/", manage_views.account_list, name="manage"),
    path("manage/<int:pk>/", manage_views.account_detail, name="manage_account"),
    path("manage/<int:pk>/deactivate/", manage_views.account_set_active, {"active": False},
         name="account_deactivate"),
    path("manage/<int:pk>/reactivate/", manage_views.account_set_active, {"active": True},
         name="account_reactivate"),
    path("manage/<int:pk>/reset/", manage_views.account_reset, name="account_reset"),
    path("manage/invite/", manage_views.invite, name="invite"),
    path("manage/invitations/", manage_views.invitation_list, name="invitations"),
    path("manage/invitations/<int:pk>/resend/", manage_views.invitation_resend, name="invitation_resend"),
    path("manage/invitations/<int:pk>/cancel/", manage_views.invitation_cancel, name="invitation_cancel"),
    path("invitation/<str:token>/", manage_views.invitation_accept, name="invitation_accept"),
]
