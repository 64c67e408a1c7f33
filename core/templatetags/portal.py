from django import template
from django.template.loader import get_template
from django.utils.safestring import mark_safe

register = template.Library()

# The Jinja2 page that puts a Django-rendered title and body into the portal's one layout.
LAYOUT_BRIDGE = "layout_bridge.html"


class PortalLayoutNode(template.Node):
    child_nodelists = ("title", "body")

    def __init__(self, title, body):
        self.title = title
        self.body = body

    def render(self, context) -> str:
        values = context.flatten()
        # Django's engine escaped what these two carry when it rendered them.
        values["page_title"] = mark_safe(self.title.render(context))  # noqa: S308
        values["page_body"] = mark_safe(self.body.render(context))  # noqa: S308
        return get_template(LAYOUT_BRIDGE).render(values, request=context.request)


@register.tag
def portal_layout(parser, token):
    """Wrap a page Django's engine renders (allauth's) in the portal's Jinja2 layout."""
    title = parser.parse(("layout_body",))
    parser.delete_first_token()
    body = parser.parse(("endportal_layout",))
    parser.delete_first_token()
    return PortalLayoutNode(title, body)
