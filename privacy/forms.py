from django import forms
from django.utils.translation import gettext_lazy as _


class EraseForm(forms.Form):
    """Erasing cannot be undone: the coordinator types the participant's code to confirm."""

    code = forms.CharField(label=_("Type the participant's code to confirm"), max_length=12)

    def __init__(self, *args, participant, **kwargs):
        super().__init__(*args, **kwargs)
        self.participant = participant

    def clean_code(self):
        code = self.cleaned_data["code"].strip().upper()
        if code != self.participant.code.upper():
            raise forms.ValidationError(_("That is not this participant's code."))
        return code
