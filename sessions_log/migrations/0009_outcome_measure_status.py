"""A questionnaire is saved as a draft or as complete; only complete ones count.

Rows recorded before: complete when every item of the instrument has an answer, else a draft
(they stay due and count nowhere until someone finishes them).
"""

from django.db import migrations, models

# The item keys of each instrument as they were when this migration was written.
ITEM_KEYS = {
    "who5": [str(n) for n in range(1, 6)],
    "ucla3": [str(n) for n in range(1, 4)],
    "rhs15": [str(n) for n in range(1, 16)],
}


def status_from_answers(apps, schema_editor):
    OutcomeMeasure = apps.get_model("sessions_log", "OutcomeMeasure")
    complete = []
    for pk, instrument, answers in OutcomeMeasure.objects.values_list(
        "pk", "instrument", "answers"
    ).iterator(chunk_size=2000):
        keys = ITEM_KEYS.get(instrument)
        answers = answers if isinstance(answers, dict) else {}
        if keys and all(answers.get(key) is not None for key in keys):
            complete.append(pk)
    OutcomeMeasure.objects.update(status="draft")
    for start in range(0, len(complete), 2000):
        OutcomeMeasure.objects.filter(pk__in=complete[start : start + 2000]).update(
            status="complete"
        )
    # A saved-complete questionnaire has every answer (the constraint added next).
    OutcomeMeasure.objects.filter(status="complete", complete=False).update(status="draft")


class Migration(migrations.Migration):
    dependencies = [("sessions_log", "0008_field_encryption_key")]

    operations = [
        migrations.AddField(
            model_name="outcomemeasure",
            name="status",
            field=models.CharField(
                choices=[("draft", "Draft"), ("complete", "Complete")],
                default="draft",
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.RunPython(status_from_answers, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="outcomemeasure",
            constraint=models.CheckConstraint(
                condition=models.Q(("status", "draft"), ("complete", True), _connector="OR"),
                name="outcome_saved_complete_has_every_answer",
                violation_error_message=(
                    "Not every question is answered: save the questionnaire as a draft."
                ),
            ),
        ),
    ]
