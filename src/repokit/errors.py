"""The public error tree (``repokit.errors``); see :mod:`repokit.domain.errors`."""

from repokit.domain.errors import *  # noqa: F403
from repokit.domain.errors import __all__ as __all__
