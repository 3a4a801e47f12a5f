"""Request body parsers with limits: a JSON body nested deeper than any real request is refused (400)."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError

#: No request body of this API nests beyond a few levels (answers[0].criterion is three).
MAX_JSON_DEPTH = 20


def _deeper_than(data, limit: int) -> bool:
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing bodies nested more than ``MAX_JSON_DEPTH`` levels (the C decoder would
    otherwise raise ``RecursionError`` past ~1000 levels, a 500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        too_deep = ParseError(f"JSON parse error - the body is nested more than {MAX_JSON_DEPTH} levels deep.")
        try:
            data = super().parse(stream, media_type=media_type, parser_context=parser_context)
        except RecursionError:
            raise too_deep from None
        if _deeper_than(data, MAX_JSON_DEPTH):
            raise too_deep
        return data
