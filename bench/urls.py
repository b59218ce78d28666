"""The project's URLs plus ``/bench-hello/``: the floor a page is measured against."""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


def hello(request):
    """A trivial page through the whole middleware stack (session, auth, CSP, …)."""
    name = request.user.get_username() if request.user.is_authenticated else "anonymous"
    return HttpResponse(f"<!doctype html><title>Hello</title><p>Hello, {len(name)}</p>")


urlpatterns = [path("bench-hello/", hello, name="bench_hello"), *project_urlpatterns]
