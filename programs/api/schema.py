"""What drf-spectacular leaves out of the schema and the server enforces: a list serializer's
bounds. `items = ItemSerializer(many=True, allow_empty=False, max_length=N)` refuses [] and more
than N items (400); the schema says so with minItems / maxItems. Loaded by programs/api/urls.py.
"""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension


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
