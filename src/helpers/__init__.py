"""helpers — models, plots and interactive panels for the ketamine-and-chronic-pain notebooks.

Layers import only downward: ``units``/``evidence`` -> ``models`` -> ``plots``/``style``/``export`` -> ``panels``.
Importing the package changes no global state (no rcParams, warning filters or seeds).
Teaching material, not dosing advice.
"""
__version__ = "0.1.0"
