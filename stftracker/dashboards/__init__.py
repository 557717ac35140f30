"""The dashboards: national, regional, footprint and trust pages, their reads and their figures."""
