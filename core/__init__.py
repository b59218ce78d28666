"""Domain-free building blocks every app may use: charts, dates, validators, list tables, the
spreadsheet reader, the PDF setup and mail. ``core`` has no models and imports no app."""
