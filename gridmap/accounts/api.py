from django.contrib.auth import get_user_model
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken

from .lockout import is_locked_out, lockout_response


class TokenRequestSerializer(AuthTokenSerializer):
    # As long as a username can be: a longer one is refused before it reaches django-axes,
    # whose record of failed attempts cannot hold it (a 500 found by the API fuzz test).
    username = serializers.CharField(label="用户名", write_only=True,
                                     max_length=get_user_model()._meta.get_field("username").max_length)


class ObtainTokenView(ObtainAuthToken):
    """DRF's token sign-in, with the username checked for length first. A locked account is
    answered 429 with Retry-After, as the sign-in page is, even with the right password."""

    serializer_class = TokenRequestSerializer

    def post(self, request, *args, **kwargs):
        username = self._username(request.data)
        if username and is_locked_out(request._request, username):
            return lockout_response(request._request)
        return super().post(request, *args, **kwargs)

    def _username(self, data) -> str | None:
        """The username, if the serializer's field accepts it (any other body, e.g. a list, a
        NUL or an overlong name, goes on to the serializer's refusal without a lock-out query)."""
        try:
            return self.serializer_class().fields["username"].run_validation(data.get("username"))
        except (AttributeError, serializers.ValidationError):
            return None


obtain_token = ObtainTokenView.as_view()
