"""gunicorn settings for Lotse: ``gunicorn config.wsgi -c config/gunicorn.py``.

Python's garbage collector now and then walks every object of the process. A worker that has
loaded Django, the apps and their modules holds a few hundred thousand objects that live as
long as the worker, and such a full collection took 60–90 ms in the middle of a request
(docs/performance.md). Freezing what exists once the application is loaded takes those
objects out of every later collection, which then takes about a fifth of the time.
"""

import gc


def post_worker_init(worker):
    gc.collect()
    gc.freeze()
