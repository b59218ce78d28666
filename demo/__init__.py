"""Demo data: five programs modelled on the programs Lotse serves, with two years of logged
work, and one demo login per role.

- ``data/``: the constant tables (names, languages, places, organisations and funders, service
  providers, texts, how activities, concerns and referrals are distributed);
- ``specs.py``: what a program declares about itself (organisations, grants, sites, providers,
  training cohorts);
- ``logins.py``: the demo users and their password;
- ``builder.py``: the shared machinery: scales, random helpers and ``ProgramBuilder``, which
  writes a program's rows;
- ``programs/``: one module per demo program, and the generated regional programs;
- ``seeding.py``: ``seed()`` and ``flush()``, which ``manage.py seed_demo`` calls.
"""
