"""Input fields shared by every API."""
from rest_framework import serializers


class Text(serializers.CharField):
    """A string, and only a string (DRF's CharField would turn 0 into "0"), no longer than
    its `max_length` as sent: DRF measures after trimming whitespace, but the schema's
    `maxLength` promises clients the length of what they send."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError("应为字符串")
        if self.max_length is not None and len(data) > self.max_length:
            raise serializers.ValidationError(f"不得超过 {self.max_length} 个字符")
        return super().to_internal_value(data)
