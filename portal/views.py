"""The site's root: members go to their start page (the admin index), everyone else to the sign-in page."""

from django.http import HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_safe

from backend.admin_site import is_portal_member


@require_safe
def root(request):
    if is_portal_member(request.user):
        return HttpResponseRedirect(reverse("admin:index"))
    return HttpResponseRedirect(f"{reverse('admin:login')}?next={reverse('admin:index')}")
