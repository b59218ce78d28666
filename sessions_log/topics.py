"""The shared topic catalogue: the topics of the programs Lotse serves and AiD's fields of action.

Catalogue topics are stored once (without a program) and shown in the user's language;
programs add their own topics beside them.
"""

from django.utils.translation import gettext_lazy as _

CATALOGUE = {
    "stress_coping": _("Reactions to stress and healthy coping"),
    "resources": _("Activating resources"),
    "health_system": _("Orientation in the health system"),
    "reaching_care": _("Help in reaching health care"),
    "mental_health": _("Mental health awareness"),
    "trauma": _("Trauma and its consequences"),
    "sleep": _("Sleep"),
    "parenting": _("Parenting and family"),
    "loneliness": _("Loneliness and social contact"),
    "selfhelp_start": _("Starting a self-help group"),
    "language": _("Language"),
    "housing": _("Housing"),
    "health": _("Health"),
    "education": _("Education"),
    "participation": _("Participation (culture, sport)"),
    "authorities": _("Help with authorities"),
    "conflict_mediation": _("Conflict mediation"),
}
