"""The writes of the masters dimension, one module per sub-domain (docs/masters.md, "Code layout")."""
