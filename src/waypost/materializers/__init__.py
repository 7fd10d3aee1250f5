"""ZenML's materializer names: ``from waypost.materializers import BaseMaterializer``.

Importing this package loads the artifact machinery (no pandas, numpy or server code); a plain
pipeline run does not import it.
"""

from waypost.materializers.base_materializer import BaseMaterializer

__all__ = ["BaseMaterializer"]
