"""The major-hazard criteria in force on a day, for every enterprise or for one."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from gridmap.enterprises.selectors import enterprise_for_user
from gridmap.inspections.criteria import checklist_for, criteria_on, referred_to

from .views import in_scope, validated


class CriteriaQuery(serializers.Serializer):
    on = serializers.DateField(required=False, input_formats=["%Y-%m-%d"],
                               error_messages={"invalid": "日期格式应为 YYYY-MM-DD，例如 2023-05-15"})
    enterprise = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1,
                                          error_messages={"invalid": "企业应为企业编号（整数）",
                                                          "min_value": "企业应为企业编号（正整数）",
                                                          "max_value": "企业编号超出范围"})


def criterion_data(c) -> dict:
    return {"code": c.code, "standard": c.standard.number, "article": c.article, "item": c.item,
            "title": c.title, "sector": c.sector, "sector_label": c.sector_label, "confirmed": c.confirmed,
            "reference": c.reference}


class CriteriaView(APIView):
    @extend_schema(
        summary="重大事故隐患判定标准条款（按日期施行的版本；可按企业筛选适用条款）",
        description=("on：日期（YYYY-MM-DD，默认今日，北京时间）；2023-05-15 起为应急管理部令第10号，"
                     "此前为安监总管四〔2017〕129号。enterprise：企业编号，仅限本人范围；"
                     "涉及危险化学品的企业不列行业类条款，referred_to 列出其适用的判定标准。"),
        parameters=[OpenApiParameter("on", OpenApiTypes.DATE), OpenApiParameter("enterprise", OpenApiTypes.INT)],
        responses={200: OpenApiTypes.OBJECT}, operation_id="inspections_criteria_list")
    def get(self, request):
        # A plain dict: from a QueryDict, DRF reads "on=" as no date at all (today), not as a bad one.
        query = validated(CriteriaQuery, data=request.query_params.dict())
        day = query.get("on") or timezone.localdate()
        enterprise = None
        if "enterprise" in query:
            enterprise = in_scope(enterprise_for_user, request, query["enterprise"], "企业")
        items = checklist_for(enterprise, day) if enterprise else criteria_on(day)
        return Response({
            "on": day.isoformat(), "enterprise": enterprise.pk if enterprise else None,
            "items": [criterion_data(c) for c in items],
            "referred_to": referred_to(enterprise, day) if enterprise else [],
        })
