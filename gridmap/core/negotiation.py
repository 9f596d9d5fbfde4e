from rest_framework.negotiation import BaseContentNegotiation


class FirstRendererOnly(BaseContentNegotiation):
    """For endpoints that answer in one format whatever the client accepts (the point lookup,
    layers, tiles): skips parsing the Accept header, which costs more than the lookup itself.
    The pattern of DRF's documentation (IgnoreClientContentNegotiation)."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type
