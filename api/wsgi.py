"""The app for production WSGI servers: ``gunicorn 'api.wsgi:app'``.

Each worker imports this module after the fork, builds the app and settles the
collector as ``mentormatch serve`` does (:func:`api.collector.settle`).
"""

from api import create_app
from api.collector import settle

app = create_app()
settle()
