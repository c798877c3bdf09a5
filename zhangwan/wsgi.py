import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhangwan.settings")

application = get_wsgi_application()

# What start-up made (modules, classes, URL patterns, settings: most of a worker's objects, alive for good)
# is left out of the cyclic collector's scans: a full collection walked all of them again, about 70 ms
# once every few hundred requests (issue 21).
gc.freeze()
