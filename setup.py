"""Packaging for mentormatch: one distribution, one console script."""

from setuptools import find_packages, setup

setup(
    name="mentormatch",
    version="0.1.0",
    description="Exact, explainable mentor-mentee matching",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    python_requires=">=3.11",
    packages=find_packages(include=["matcher", "matcher.*", "api", "api.*"]),
    install_requires=[
        "ortools>=9.15",
        "numpy>=1.26",
        "networkx>=3.2",
        "flask>=3.0",
        # The CLI: click parses, rich renders tables and progress on stderr.
        "click>=8.1",
        "rich>=13",
        # IANA time-zone names must resolve on machines without a system zoneinfo.
        "tzdata>=2024.1",
        # Sign-up sheets as exported: calamine reads .xlsx/.xls/.ods (measured 1.3x a CSV
        # read at 50,000 rows; openpyxl 5x), openpyxl writes the pairs workbook.
        "python-calamine>=0.3",
        "openpyxl>=3.1",
        # The service: HTTP, schemas + OpenAPI, persistence, migrations, jobs, WSGI server.
        "flask-smorest>=0.45",
        "marshmallow>=3.20",
        "sqlalchemy>=2.0",
        "alembic>=1.13",
        "psycopg[binary]>=3.1",
        "celery[redis]>=5.3",
        "waitress>=3.0",
        # Webhook signing secrets are encrypted at rest (Fernet) under a key outside the DB.
        "cryptography>=42",
        # Free-text questions are compared as sparse TF-IDF vectors.
        "scipy>=1.11",
        # Cohorts too large for a score matrix are read in one compiled pass per block
        # (matcher/solvers/sweep_kernel.py; imported only on that path).
        "numba>=0.60",
        # Scenario sweeps draw their trade-off picture (PNG/SVG, Agg backend, imported lazily).
        "matplotlib>=3.8",
        # The coordinator's web app: sign-in sessions, CSRF on its forms, argon2id passwords.
        "flask-login>=0.6.3",
        "flask-wtf>=1.2",
        "argon2-cffi>=23.1",
        # Request rate limits per key, organization and address (Redis-backed with Celery).
        "flask-limiter[redis]>=3.8",
        # JSON bodies parsed, and POST /match's answer (94 kB for 200 people) serialised, in
        # a tenth of json's time.
        "orjson>=3.9",
        # People records as the API documents them, type-checked in C (matcher.io.typed_records).
        "msgspec>=0.18",
    ],
    # Alembic's migration scripts are data to setuptools (the folder is not a package).
    # The web app's templates and assets (htmx vendored with its licence) ship with it.
    package_data={
        "api": [
            "migrations/*.py",
            "migrations/*.mako",
            "migrations/versions/*.py",
            "web/templates/*.html",
            "web/static/*",
        ]
    },
    extras_require={
        # scipy and matching are the baselines the benchmarks (and their smoke test) run.
        "test": [
            "pytest>=8",
            "hypothesis>=6.100",
            "scipy>=1.11",
            "schemathesis>=4.0",
            "matching>=1.4",
            # Browser tests of the web app drive Debian's chromium (no browser download).
            "playwright>=1.45",
            # The generated-client test builds a Python client from /api/v1/openapi.json.
            "openapi-python-client>=0.21",
        ],
        # gunicorn: the production server the service benchmark measures beside waitress.
        "bench": ["scipy>=1.11", "matching>=1.4", "gunicorn>=22"],
        "dev": [
            "pytest>=8",
            "hypothesis>=6.100",
            "scipy>=1.11",
            "schemathesis>=4.0",
            "matching>=1.4",
            "playwright>=1.45",
            "openapi-python-client>=0.21",
            "ruff>=0.6",
        ],
    },
    entry_points={
        "console_scripts": ["mentormatch = matcher.cli:main"],
        # The service adds its commands (serve, worker, db, keys) to the same console
        # script without the pure core importing it.
        "mentormatch.commands": [
            "db = api.commands:db",
            "keys = api.commands:keys",
            "users = api.commands:users",
            "serve = api.commands:serve",
            "worker = api.commands:worker",
            "audit-log = api.hr_commands:audit_log",
            "erase = api.hr_commands:erase",
            "export = api.hr_commands:export",
            "purge = api.hr_commands:purge",
            "orgs = api.hr_commands:orgs",
            "requests = api.commands:requests",
        ],
    },
)
