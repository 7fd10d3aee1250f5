"""Optional integrations with other ML libraries, one module each.

Each module imports its library only when one of its functions runs, so importing it is
cheap and the library is needed only where it is used. Install a library with its extra:
``pip install "waypost[sklearn]"`` or ``"waypost[great-expectations]"``
(Evidently is installed by hand: its releases do not import under pandas 3).

- :mod:`waypost.integrations.sklearn`: confusion matrices and classification reports.
- :mod:`waypost.integrations.evidently`: Evidently reports as interactive HTML views.
- :mod:`waypost.integrations.great_expectations`: validation results, expectation by expectation.

Nothing in Waypost imports this package; a step imports the module it uses, and that
registers the module's materializers with the default registry.
"""
