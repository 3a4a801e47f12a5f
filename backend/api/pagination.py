from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    """`count`, `next`, `previous`, `results`; `page_size` may be asked for, capped at 200.

    A ``page_size`` that is not a whole number from 1 is refused (400 naming it) rather than
    silently replaced by the default: a client that asked for something else learns it. A
    larger one than the cap gets the cap, as documented.
    """

    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isascii() and raw.isdigit()) or not raw.strip("0"):
            raise ValidationError(
                {self.page_size_query_param: [f"A whole number from 1 (at most {self.max_page_size})."]}
            )
        # Parsed only when short: a many-thousand-digit number is simply more than the cap.
        return min(int(raw), self.max_page_size) if len(raw) <= 6 else self.max_page_size
