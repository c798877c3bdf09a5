"""The masters pages, one module per sub-domain (docs/masters.md, "Code layout")."""
