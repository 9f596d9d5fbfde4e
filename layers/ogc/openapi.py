"""The service's OpenAPI 3.0 definition (/ogc/api), made from the layer registry: each
collection's items path lists the property filters and `datetime` it accepts."""

from __future__ import annotations

from ..registry import Layer, all_layers
from .params import CRS_LIST, LIMIT_DEFAULT, LIMIT_MAX

JSON = "application/json"
GEOJSON = "application/geo+json"
HTML = "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"


def _parameter(name: str, description: str, schema: dict, *, where: str = "query", required: bool = False,
               explode: bool | None = None) -> dict:
    parameter = {"name": name, "in": where, "required": required, "description": description, "schema": schema}
    if explode is not None:
        parameter |= {"style": "form", "explode": explode}
    return parameter


FORMAT = _parameter("f", "返回格式：json 或 html（缺省按 Accept 头）", {"type": "string", "enum": ["json", "html"]})
CRS = _parameter("crs", "返回坐标的坐标系（缺省 CRS84，经度在前；EPSG:4490 纬度在前）",
                 {"type": "string", "format": "uri", "enum": list(CRS_LIST), "default": CRS_LIST[0]})
ITEM_PARAMETERS = [
    _parameter("bbox", "与此范围相交（含边界接触）的要素：最小经度,最小纬度,最大经度,最大纬度（bbox-crs 为 "
               "EPSG:4490 时纬度在前）",
               {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}}, explode=False),
    _parameter("bbox-crs", "bbox 的坐标系（缺省 CRS84）",
               {"type": "string", "format": "uri", "enum": list(CRS_LIST), "default": CRS_LIST[0]}),
    _parameter("limit", "每页要素数", {"type": "integer", "minimum": 1, "maximum": LIMIT_MAX,
                                   "default": LIMIT_DEFAULT}, explode=False),
    _parameter("after", "从此要素编号之后开始（next 链接携带）", {"type": "integer"}),
    CRS, FORMAT,
]
DATETIME = _parameter("datetime", "时间或时间段（RFC 3339，如 2019-08-11 或 2019-08-01T00:00:00Z/..）",
                      {"type": "string"}, explode=False)
ERRORS = {"400": {"description": "参数错误"}, "401": {"description": "未登录（需 Authorization: Token …）"},
          "404": {"description": "没有此图层或要素（或不在您的范围内）"}}


def _response(description: str, *types: str) -> dict:
    return {"200": {"description": description, "content": {t: {"schema": {"type": "object"}} for t in types}}}


def _open(summary: str, description: str, *types: str) -> dict:
    return {"get": {"summary": summary, "security": [], "parameters": [FORMAT],
                    "responses": _response(description, *types)}}


def filter_parameters(layer: Layer) -> list[dict]:
    """The layer's own query parameters: its property filters and, with time, `datetime`."""
    parameters = [_parameter(name, f"按属性筛选（{layer.title}）", {"type": "string"})
                  for name in sorted(layer.filters)]
    return parameters + ([DATETIME] if layer.time_field else [])


def _items_paths(layer: Layer) -> dict:
    feature_id = _parameter("featureId", "要素编号", {"type": "integer"}, where="path", required=True)
    return {
        f"/collections/{layer.name}/items": {"get": {
            "summary": f"{layer.title}：要素", "tags": [layer.name],
            "parameters": ITEM_PARAMETERS + filter_parameters(layer),
            "responses": _response(f"{layer.title}的要素（GeoJSON FeatureCollection）", GEOJSON, HTML) | ERRORS}},
        f"/collections/{layer.name}/items/{{featureId}}": {"get": {
            "summary": f"{layer.title}：单个要素", "tags": [layer.name], "parameters": [feature_id, CRS, FORMAT],
            "responses": _response(f"{layer.title}的一个要素（GeoJSON Feature）", GEOJSON, HTML) | ERRORS}},
    }


def definition(base: str) -> dict:
    paths = {
        "/": _open("首页", "服务首页及链接", JSON, HTML),
        "/conformance": _open("符合性声明", "本服务实现的 OGC 一致性类", JSON, HTML),
        "/api": {"get": {"summary": "本 API 定义（OpenAPI 3.0）", "security": [],
                         "responses": _response("OpenAPI 文档", OPENAPI)}},
        "/collections": {"get": {"summary": "图层（要素集合）列表", "parameters": [FORMAT],
                                 "responses": _response("您可查看的图层", JSON, HTML) | ERRORS}},
        "/collections/{collectionId}": {"get": {
            "summary": "一个图层的说明", "parameters": [
                _parameter("collectionId", "图层名", {"type": "string", "enum": [la.name for la in all_layers()]},
                           where="path", required=True), FORMAT],
            "responses": _response("图层说明、范围与链接", JSON, HTML) | ERRORS}},
    }
    for layer in all_layers():
        paths |= _items_paths(layer)
    return {
        "openapi": "3.0.3",
        "info": {"title": "静海区网格化安全监管平台 · OGC API – Features",
                 "description": "平台各图层按 OGC API – Features（第 1 部分核心、GeoJSON、HTML、OpenAPI 3.0；"
                                "第 2 部分坐标系）提供。图层与要素需登录：请求头 Authorization: Token <令牌>，"
                                "或浏览器会话；只返回您范围内的要素。",
                 "version": "1.0.0"},
        "servers": [{"url": base}],
        "components": {"securitySchemes": {"tokenAuth": {
            "type": "apiKey", "in": "header", "name": "Authorization",
            "description": "Token <令牌>（在“我的设备”或 /api/auth/token/ 取得）"}}},
        "security": [{"tokenAuth": []}],
        "paths": paths,
    }
