"""A database that is busy (SQLite's write lock held past the timeout, a PostgreSQL connection
refused) gets a clean "try again" page or fragment with status 503, never a stack trace. The
failed request's transaction was rolled back, so nothing is half-written."""

from django.db import InterfaceError, OperationalError

from learn.core.errors import error_page


class DatabaseBusyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError | InterfaceError):
            response = error_page(request, 503)
            response["Retry-After"] = "5"
            return response
        return None
