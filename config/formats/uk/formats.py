"""Ukrainian: the day and month in the genitive, "6 грудня" (Django's own reads "06 Грудень")."""

MONTH_DAY_FORMAT = "j E"
