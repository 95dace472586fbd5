"""What drf-spectacular leaves out of the schema and the server does.

A list serializer's bounds: `items = ItemSerializer(many=True, allow_empty=False, max_length=N)`
refuses [] and more than N items (400); the schema says so with minItems / maxItems (an extension,
loaded by programs/api/urls.py).

Empty query parameters: `?year=&kind=` is the same as leaving them out, in every list of the API
as on the pages (whose GET forms send empty fields); every query parameter says so with
`allowEmptyValue`. No text the API reads may hold a NUL or other control character (the site's
parsers and edge refuse them, 400): each string of a request body or query says so with a
pattern. A body that is not JSON where only JSON is read is 415, and the operation says so. All
three are postprocessing hooks (SPECTACULAR_SETTINGS).
"""

from django.utils.translation import gettext
from drf_spectacular.extensions import OpenApiSerializerFieldExtension

from talentportal.edge import CONTROL_ESCAPED


class ListSerializerBounds(OpenApiSerializerFieldExtension):
    target_class = "rest_framework.serializers.ListSerializer"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        least = self.target.min_length or 0
        if not self.target.allow_empty:
            least = max(least, 1)
        if least:
            schema["minItems"] = least
        if self.target.max_length is not None:
            schema["maxItems"] = self.target.max_length
        return schema


def empty_query_values_are_absent(result, generator, request, public):
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query":
                    parameter["allowEmptyValue"] = True
    return result


# The C0 control characters other than tab, line feed and carriage return: refused in any text
# (talentportal.edge and the API's text fields), NUL among them.
CONTROL = CONTROL_ESCAPED
NO_NUL = f"^[^{CONTROL}]*$"


def _refuse_nul(schema) -> None:
    """Every string under `schema` without a pattern of its own gets NO_NUL (the patterns we
    write are anchored and exclude NUL already)."""
    if isinstance(schema, list):
        for item in schema:
            _refuse_nul(item)
        return
    if not isinstance(schema, dict):
        return
    plain = "pattern" not in schema and "enum" not in schema and schema.get("format") != "binary"
    if schema.get("type") == "string" and plain and not schema.get("readOnly"):
        schema["pattern"] = NO_NUL
    for key in ("properties", "items", "oneOf", "anyOf", "allOf", "additionalProperties"):
        value = schema.get(key)
        _refuse_nul(
            list(value.values()) if isinstance(value, dict) and key == "properties" else value
        )


def text_refuses_nul(result, generator, request, public):
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request"):
            _refuse_nul(component)
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query":
                    _refuse_nul(parameter.get("schema"))
    return result


def json_only_bodies_refuse_others(result, generator, request, public):
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content", {})
            if list(content) == ["application/json"]:
                operation["responses"].setdefault(
                    "415",
                    {
                        "content": {"application/json": {"schema": ERROR}},
                        "description": gettext("The body is not JSON (Content-Type)."),
                    },
                )
    return result


ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string", "readOnly": True}},
    "required": ["detail"],
}
