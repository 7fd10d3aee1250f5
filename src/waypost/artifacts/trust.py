"""Who may unpickle what: files that run code while they load come only from trusted producers.

Pickle and joblib files execute code as they load, so an artifact another user wrote could
run anything in the loading process. Loading such files (the cloudpickle fallback, joblib
models, pickled figures, a DataFrame that parquet could not hold) asks the active
:class:`LoadGuard` first. A producer is trusted when it is the loading user (on a local store
without users, every run is), when its user is listed in ``artifacts.trusted_producers``, or
when the loader opted in (``allow_unsafe=True`` or ``artifacts.allow_untrusted_unpickle``),
which loads with an :class:`UnsafeDeserializationWarning`.

Materializers that unpickle call :func:`check_unpickle` just before they do; third-party ones
that cannot say so declare ``Materializer.UNSAFE_LOAD = True`` and are checked before loading.
"""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from waypost.exceptions import UntrustedArtifactError
from waypost.settings import ArtifactSettings

__all__ = [
    "LoadGuard",
    "Producer",
    "UnsafeDeserializationWarning",
    "check_unpickle",
    "guarded",
]


class UnsafeDeserializationWarning(UserWarning):
    """An artifact from an untrusted producer was unpickled because the loader opted in."""


@dataclass(frozen=True)
class Producer:
    """The user whose run produced an artifact version; ``known`` is False when that run is gone or unrecorded."""

    user_id: uuid.UUID | None
    user_name: str | None = None
    known: bool = True

    @property
    def label(self) -> str:
        """The producer as error messages name it."""
        if not self.known:
            return "an unknown producer"
        if self.user_id is None:
            return "a run without a user (a local store)"
        return f"user '{self.user_name or self.user_id}'"


@dataclass
class LoadGuard:
    """Decides, once per load, whether the artifact ``label`` may be unpickled.

    Args:
        label: Names the artifact in messages, e.g. ``"'model' version 3 (id …)"``.
        loader_id: The loading user; ``None`` for a local store (its own runs record no user).
        producer: Finds the producer; called only when something is about to be unpickled.
        settings: ``trusted_producers`` and ``allow_untrusted_unpickle``.
        allow_unsafe: The caller's explicit opt-in for this load.
        offers_keyword: The caller takes ``allow_unsafe=True`` (the Client; a pipeline's step inputs do not).
    """

    label: str
    loader_id: uuid.UUID | None
    producer: Callable[[], Producer]
    settings: ArtifactSettings = field(default_factory=ArtifactSettings)
    allow_unsafe: bool = False
    offers_keyword: bool = True
    _decided: bool = field(default=False, init=False)

    def __call__(self) -> None:
        """Return when unpickling is allowed (warning when only the opt-in allows it); raise otherwise."""
        if self._decided:
            return
        who = self.producer()
        if self._trusted(who):
            self._decided = True
            return
        if self.allow_unsafe or self.settings.allow_untrusted_unpickle:
            self._decided = True
            warnings.warn(
                f"Unpickling artifact {self.label} from {who.label}, whom you do not trust; its files "
                "can run any code in this process.",
                UnsafeDeserializationWarning,
                stacklevel=4,
            )
            return
        raise UntrustedArtifactError(
            f"Refusing to load artifact {self.label}: it was produced by {who.label} and loading it "
            f"unpickles files, which can run any code; if you trust them, {self._opt_ins(who)}."
        )

    def _opt_ins(self, who: Producer) -> str:
        """The exact ways to load it anyway, as the refusal words them."""
        ways = ["pass allow_unsafe=True"] if self.offers_keyword else []
        if who.known and who.user_id is not None:
            ways.append(f"add '{who.user_name or who.user_id}' to artifacts.trusted_producers")
        ways.append("set WAYPOST_ARTIFACTS__ALLOW_UNTRUSTED_UNPICKLE=true")
        return ", ".join(ways[:-1]) + (", or " if len(ways) > 1 else "") + ways[-1]

    def _trusted(self, who: Producer) -> bool:
        if not who.known:
            return False
        if who.user_id == self.loader_id:
            return True
        names = set(self.settings.trusted_producers)
        return who.user_id is not None and bool({who.user_name, str(who.user_id)} & names)


_ACTIVE: ContextVar[Callable[[], None] | None] = ContextVar("waypost_load_guard", default=None)


@contextmanager
def guarded(guard: Callable[[], None] | None) -> Iterator[None]:
    """Make ``guard`` the one :func:`check_unpickle` asks while the block runs (``None``: trust all)."""
    token = _ACTIVE.set(guard)
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def check_unpickle() -> None:
    """Raise :class:`UntrustedArtifactError` unless the artifact being loaded may be unpickled.

    Materializers call it right before ``pickle.load`` or ``joblib.load``. Outside a guarded
    load (a caller reading its own files) it allows everything.
    """
    guard = _ACTIVE.get()
    if guard is not None:
        guard()
