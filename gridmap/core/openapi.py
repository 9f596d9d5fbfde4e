"""OpenAPI post-processing: every operation documents the errors the API really returns."""

ERROR_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}
ERRORS = {
    "400": "请求参数有误（字段级错误信息）",
    "401": "未认证",
    "403": "无权访问",
    "404": "不存在或不在可见范围内",
    "415": "不支持的请求体类型或无法解析的请求体",
    "429": "请求过于频繁（每用户每小时限额），Retry-After 为需等待的秒数",
}


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            for status, description in ERRORS.items():
                responses.setdefault(status, {
                    "description": description,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                })
    return result
