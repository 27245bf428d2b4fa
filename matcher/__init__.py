"""mentormatch: exact, explainable mentor-mentee matching (pure library)."""

__version__ = "0.1.0"
