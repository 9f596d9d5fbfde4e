from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.exceptions import NotFound
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from gridmap.core.api_fields import Text

from .capabilities import ASSIGN_OFFICERS
from .lockout import is_locked_out, lockout_response
from .models import DeviceToken
from .services import device_token_issue, device_token_revoke, device_tokens_visible


class TokenRequestSerializer(AuthTokenSerializer):
    # As long as a username can be: a longer one is refused before it reaches django-axes,
    # whose record of failed attempts cannot hold it (a 500 found by the API fuzz test).
    username = Text(label="用户名", write_only=True,
                    max_length=get_user_model()._meta.get_field("username").max_length)
    device = Text(label="设备名称", max_length=64, required=False, allow_blank=True, default="")


class DeviceInput(serializers.Serializer):
    name = Text(label="设备名称", max_length=64, required=False, allow_blank=True, default="")


class DeviceOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    created = serializers.DateTimeField()
    last_used = serializers.DateTimeField(allow_null=True)
    expires = serializers.DateTimeField(allow_null=True)


class NewDeviceOutput(DeviceOutput):
    token = serializers.CharField(help_text="令牌密钥，只显示这一次：请求头 Authorization: Token <token>")


def device_data(token: DeviceToken) -> dict:
    return {"id": token.pk, "name": token.name, "created": token.created.isoformat(),
            "last_used": token.last_used.isoformat() if token.last_used else None,
            "expires": token.expiry.isoformat() if token.expiry else None}


def new_device_data(token: DeviceToken, key: str) -> dict:
    # The key is shown this once: only its digest is stored.
    return {**device_data(token), "token": key}


class ObtainTokenView(APIView):
    """Sign in with username and password: a new token for this device, which expires. A
    locked account is answered 429 with Retry-After, as the sign-in page is, even with the
    right password."""

    authentication_classes = []
    permission_classes = [AllowAny]
    serializer_class = TokenRequestSerializer

    @extend_schema(summary="用户名密码登录，为本设备新建令牌（有效期 GRIDMAP_TOKEN_TTL_DAYS 天）",
                   request=TokenRequestSerializer,
                   responses={200: NewDeviceOutput,
                              429: OpenApiResponse(description="登录失败次数过多，账户暂时锁定（见 Retry-After）")})
    def post(self, request):
        username = self._username(request.data)
        if username and is_locked_out(request._request, username):
            return lockout_response(request._request)
        payload = TokenRequestSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        token, key = device_token_issue(user=payload.validated_data["user"],
                                        name=payload.validated_data["device"])
        return Response(new_device_data(token, key))

    def _username(self, data) -> str | None:
        """The username, if the serializer's field accepts it (any other body, e.g. a list, a
        NUL or an overlong name, goes on to the serializer's refusal without a lock-out query)."""
        try:
            return TokenRequestSerializer().fields["username"].run_validation(data.get("username"))
        except (AttributeError, serializers.ValidationError):
            return None


obtain_token = ObtainTokenView.as_view()


class DeviceListView(APIView):
    # Open to an enterprise's account (its phone's outbox sends with a device token as an
    # officer's does): it lists and makes only the caller's own tokens, since naming another
    # user takes ASSIGN_OFFICERS, which no enterprise account holds.
    enterprise_door = True
    # A device is named in a JSON object (the phone's outbox sends one); a form body that is no
    # object, e.g. a bare word, is refused rather than read as an empty name.
    parser_classes = [JSONParser]

    @extend_schema(summary="本人（或指定网格员）的设备令牌（不含密钥）",
                   parameters=[OpenApiParameter("user", str, description="用户名（需分配网格员权限）")],
                   responses={200: DeviceOutput(many=True)}, operation_id="auth_devices_list")
    def get(self, request):
        owner = request.user
        if request.query_params.get("user"):
            ASSIGN_OFFICERS.require(request.user)
            owner = get_user_model().objects.filter(username=request.query_params["user"]).first()
            if owner is None:
                raise NotFound("用户不存在")
        return Response([device_data(t) for t in DeviceToken.objects.filter(user=owner)])

    @extend_schema(summary="为一台设备新建令牌（密钥只显示这一次）", request=DeviceInput,
                   responses={201: NewDeviceOutput})
    def post(self, request):
        payload = DeviceInput(data=request.data)
        payload.is_valid(raise_exception=True)
        token, key = device_token_issue(user=request.user, name=payload.validated_data["name"])
        return Response(new_device_data(token, key), status=201)


class DeviceDetailView(APIView):
    # An enterprise's account revokes only its own tokens (device_tokens_visible: the owner,
    # or a holder of ASSIGN_OFFICERS); another's token answers 404.
    enterprise_door = True

    @extend_schema(summary="撤销设备令牌（本人，或有分配网格员权限者）", responses={204: None})
    def delete(self, request, pk: int):
        token = get_object_or_404(DeviceToken.objects.select_related("user"), pk=pk)
        if not device_tokens_visible(request.user, token.user):
            raise NotFound("设备令牌不存在")
        device_token_revoke(actor=request.user, token=token)
        return Response(status=204)
