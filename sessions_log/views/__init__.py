"""Pages of the daily work, one module per feature: sessions (log, change, my sessions, the
activity list), participants, concerns, matches, self-help groups and questionnaires.

Views resolve scope, ask ``sessions_log.policies`` what the member may see, call a form,
service or selector, and render. ``sessions_log.urls`` names the pages.
"""
