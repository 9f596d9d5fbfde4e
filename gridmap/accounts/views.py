from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render

from .capabilities import ASSIGN_OFFICERS
from .lockout import count_failure, is_locked_out, lockout_response
from .models import DeviceToken
from .services import device_token_revoke


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


class RevokeDeviceForm(forms.Form):
    device = forms.ModelChoiceField(queryset=DeviceToken.objects.none(), label="设备",
                                    error_messages={"invalid_choice": "设备令牌不存在或已撤销"})

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["device"].queryset = DeviceToken.objects.filter(user=owner)


@login_required
def devices(request):
    """The devices signed in to the API as the user (or, for those who assign officers, as
    another user), each with a 撤销 button."""
    owner = request.user
    if request.GET.get("user") and request.GET["user"] != request.user.username:
        ASSIGN_OFFICERS.require(request.user)
        owner = get_object_or_404(get_user_model(), username=request.GET["user"])
    form = RevokeDeviceForm(request.POST or None, owner=owner)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["device"]
        device_token_revoke(actor=request.user, token=token)
        messages.success(request, f"已撤销设备「{token.name or '未命名设备'}」的令牌")
        return redirect(request.get_full_path())
    return render(request, "accounts/devices.html", {
        "owner": owner, "tokens": DeviceToken.objects.filter(user=owner), "form": form})
