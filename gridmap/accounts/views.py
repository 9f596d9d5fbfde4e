from django.contrib.auth import views as auth_views

from .lockout import count_failure, is_locked_out, lockout_response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, where a wrong current password counts toward the lock-out
    as a failed sign-in does (else the form would be a way to guess it without limit), and
    a locked account is answered 429."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and is_locked_out(request, request.user.get_username()):
            return lockout_response(request)
        return super().dispatch(request, *args, **kwargs)

    def form_invalid(self, form):
        if form.has_error("old_password"):
            count_failure(self.request, self.request.user.get_username())
            if is_locked_out(self.request, self.request.user.get_username()):
                return lockout_response(self.request)
        return super().form_invalid(form)
