"""Exceptions that services raise and the API exception handler maps to HTTP.

Services raise Django's own ``ValidationError`` (400), ``PermissionDenied`` (403) and
``ObjectDoesNotExist`` (404) too; these two cover what Django has no word for.
"""


class InvalidStateError(Exception):
    """A workflow step asked of an object in the wrong state (409)."""

    def __init__(self, message: str, *, code: str = "invalid_state"):
        super().__init__(message)
        self.message = message
        self.code = code


class ConcurrentUpdateError(InvalidStateError):
    """The row changed since the client read it (409); the client must re-read and retry."""

    def __init__(self, message: str = "This record was changed by someone else since you read it; reload it."):
        super().__init__(message, code="concurrent_update")
