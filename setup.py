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
    ],
    extras_require={
        "test": ["pytest>=8", "hypothesis>=6.100", "scipy>=1.11"],
        "dev": ["pytest>=8", "hypothesis>=6.100", "scipy>=1.11", "ruff>=0.6"],
    },
    entry_points={"console_scripts": ["mentormatch = matcher.cli:main"]},
)
