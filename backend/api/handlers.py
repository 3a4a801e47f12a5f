"""Django's own error views (``handler400`` ... ``handler500``): the API error shape under ``/api/``.

DRF answers errors raised inside its views; these cover what happens before or around them (an
unknown path, a bad ``Host`` header, an oversized body, an unhandled exception).
"""

from django.http import JsonResponse
from django.views import defaults

DETAILS = {
    400: ("bad_request", "The request could not be understood."),
    403: ("permission_denied", "You do not have permission to perform this action."),
    404: ("not_found", "No such resource."),
    500: ("server_error", "Something went wrong on our side; it has been logged."),
}


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _api_error(status: int) -> JsonResponse:
    code, detail = DETAILS[status]
    return JsonResponse({"status": status, "code": code, "detail": detail}, status=status)


def bad_request(request, exception):
    return _api_error(400) if _is_api(request) else defaults.bad_request(request, exception)


def permission_denied(request, exception):
    return _api_error(403) if _is_api(request) else defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    return _api_error(404) if _is_api(request) else defaults.page_not_found(request, exception)


def server_error(request):
    return _api_error(500) if _is_api(request) else defaults.server_error(request)
