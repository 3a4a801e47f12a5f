"""Template tags for other apps' admin pages about feedback: the dip sample page's "draft feedback" button.

The page is disclosure's (disclosure may not import feedback); it needs one line in its template::

    {% load feedback_admin %}{% draft_feedback_button original %}
"""

from django import template
from django.urls import reverse

from feedback import services
from feedback.admin import reads_feedback

register = template.Library()


@register.inclusion_tag("admin/feedback/draft_from_sample_button.html", takes_context=True)
def draft_feedback_button(context, dip_sample):
    """The button (a POST form) for those who may draft now, and a link to the sample's feedback for readers."""
    request = context["request"]
    may_draft = services.feedback_drafts_allowed(actor=request.user, dip_sample=dip_sample)
    changelist = reverse("admin:feedback_feedback_changelist")
    return {
        "may_draft": may_draft,
        "csrf_token": context.get("csrf_token"),
        "url_draft": reverse("admin:feedback_feedback_draft_from_sample", args=[dip_sample.pk]),
        "url_list": f"{changelist}?dip_sample__id__exact={dip_sample.pk}" if reads_feedback(request) else "",
    }
