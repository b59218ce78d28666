"""The page links of every paginated list (``includes/pagination.html``)."""

from django import template

register = template.Library()

# The page sizes a list offers; ``ProgramListView`` reads the choice from ``?per_page=``.
PAGE_SIZES = (25, 50, 100, 200)


@register.simple_tag
def page_links(page) -> list:
    """The pages to link: the first and the last, the current one and two on each side, with
    ``None`` where pages are left out (shown as "…")."""
    paginator = page.paginator
    ellipsis = paginator.ELLIPSIS
    return [
        None if number == ellipsis else number
        for number in paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    ]
