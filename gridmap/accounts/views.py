from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render

from .capabilities import ASSIGN_OFFICERS
from .models import DeviceToken
from .services import device_token_revoke


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
