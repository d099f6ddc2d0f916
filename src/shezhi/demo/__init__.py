"""The demo district: ``shezhi demo`` and everything it builds, one module per domain.

Above the feature apps (it writes through their services and models); nothing below imports
it. ``users`` (the demo sign-ins), ``areas`` (the territory), ``people`` (the workforce),
``events`` (a year of event history), ``places``, ``volunteering`` and ``incentives``.
"""
