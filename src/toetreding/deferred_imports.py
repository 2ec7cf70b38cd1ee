"""Keep pyHanko's package initialisers from importing what a command never uses (and
install the speed-ups of pyHanko's parser, `fast_hex` and `fast_tokens`, when its module is
imported).

Why this exists: importing *any* module under `pyhanko.sign` first runs
`pyhanko/sign/__init__.py`, which imports every signer and, through
`pyhanko.sign.timestamps`, the aiohttp-based timestamp client; `pyhanko.sign.validation.ades`
imports pyhanko-certvalidator's aiohttp fetchers for one default argument. aiohttp alone
is ≈ 0.25 s of a cold start, and neither `toetreding verify` nor a signature without a
timestamp opens a connection. Measured on the project machine: `import
pyhanko.sign.validation` 0.58 s as shipped, 0.29 s with the initialisers below deferred
(bench/README.md, issue #16).

How: before pyHanko is imported, each listed package is registered as a module object
whose `__init__` has not run yet. Submodules import as usual (found through the package's
`__path__`). A name the `__init__` would have provided is resolved on first use:

- `EXPORTS` names the submodule that defines it: only that submodule is imported;
- `CONSTRUCTED_ON_USE` names a class that pyHanko's modules only ever *call* (a default
  fetcher backend): the name is bound to a small function that runs the real `__init__`
  and calls the real class, so the network stack loads when a fetcher is really made;
- any other name runs the real `__init__` then (always correct, only later).

Every value is the same object as without deferral, except the constructors above,
which return real instances. One side effect must not be deferred: some modules the
skipped `pyhanko.sign` initialiser imports register ASN.1 types with asn1crypto (CAdES
attributes such as signer_attributes_v2, qualified-certificate statements, Adobe's
revocation archive, the ISO 32004 MAC); without them a claimed role reads as an unknown
OID. `REGISTRATIONS` are therefore imported the moment the first submodule of the package
is imported (when the import system reads the package's `__path__`), before that
submodule's code runs. `tests/test_import_budget.py` compares asn1crypto's maps with and
without deferral and guards which heavy modules each command loads. This is the only
place the project does this, and it happens only in toetreding's own processes (the CLI,
`toetreding.cli`, and its workers, `batch.lifeline.prepare_worker`): a program that
imports toetreding as a library gets the parser speed-ups and pyHanko's packages as pyHanko
made them.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import threading
import types
from collections.abc import Callable, MutableSequence, Sequence
from typing import Any

# package → {re-exported name: submodule that defines it}
EXPORTS: dict[str, dict[str, str]] = {
    "pyhanko.sign": {},
    "pyhanko.sign.timestamps": {
        "TimeStamper": "api",
        "TimestampRequestError": "common_utils",
        "DummyTimeStamper": "dummy_client",
        "HTTPTimeStamper": "aiohttp_client",
    },
    "pyhanko_certvalidator.fetchers.aiohttp_fetchers": {},
}

# package → classes its importers only call (never subclass or test with isinstance)
CONSTRUCTED_ON_USE: dict[str, tuple[str, ...]] = {
    "pyhanko_certvalidator.fetchers.aiohttp_fetchers": ("AIOHttpFetcherBackend",),
}

# module → our module whose install(module) replaces a slow function in it by an
# equivalent fast one, right after the module is imported (see that module's docstring)
PATCHED_AFTER_IMPORT: dict[str, tuple[str, ...]] = {
    "pyhanko.pdf_utils.generic": ("toetreding.fast_hex", "toetreding.fast_tokens"),
    "asn1crypto.x509": ("toetreding.fast_names",),
}

# package → modules whose import registers ASN.1 types with asn1crypto
REGISTRATIONS: dict[str, tuple[str, ...]] = {
    "pyhanko.sign": (
        "asn1crypto.pdf",
        "pyhanko.sign.ades.cades_asn1",
        "pyhanko.sign.ades.qualified_asn1",
        "pyhanko.pdf_utils.crypt._iso32004_asn1",
    ),
}


class _DeferredPackage(types.ModuleType):
    """A package whose `__init__` has not run; its registrations run on first `__path__`."""

    _registrations: tuple[str, ...] = ()
    _registered = False

    @property
    def __path__(self) -> MutableSequence[str]:  # type: ignore[override]
        if not self._registered:
            self._registered = True
            for name in self._registrations:
                importlib.import_module(name)
        path: MutableSequence[str] = self.__dict__["__path__"]
        return path


def install(*, defer_packages: bool = False) -> None:
    """Install the finder (once per process): the parser speed-ups always; with ``defer_packages``
    also the deferred package initialisers, for the processes that are toetreding's own
    (the CLI and its workers) — a program that merely imports toetreding as a library
    keeps pyHanko's packages exactly as pyHanko made them."""
    finder = next((f for f in sys.meta_path if isinstance(f, _DeferringFinder)), None)
    if finder is None:
        finder = _DeferringFinder()
        sys.meta_path.insert(0, finder)
    finder.defer_packages = finder.defer_packages or defer_packages
    for name, patches in PATCHED_AFTER_IMPORT.items():
        module = sys.modules.get(name)
        if module is not None:  # imported before toetreding: speed it up now
            for patch in patches:
                importlib.import_module(patch).install(module)


def is_deferred(module: types.ModuleType) -> bool:
    """True while a package's initialiser has not run (for the tests)."""
    return isinstance(module, _DeferredPackage)


class _DeferringFinder(importlib.abc.MetaPathFinder):
    """Finds the listed packages as usual, then hands them to a deferring loader."""

    defer_packages = False

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: types.ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname in PATCHED_AFTER_IMPORT:
            patched = importlib.machinery.PathFinder.find_spec(fullname, path)
            if patched is None or patched.loader is None:
                return None
            patched.loader = _PatchingLoader(patched.loader, PATCHED_AFTER_IMPORT[fullname])
            return patched
        if fullname not in EXPORTS or not self.defer_packages:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None or spec.submodule_search_locations is None:
            return None  # not a package in this pyHanko: it imports as usual
        spec.loader = _DeferringLoader(spec.loader)
        return spec


class _PatchingLoader(importlib.abc.Loader):
    """Runs a module as usual, then our module that speeds part of it up."""

    def __init__(self, real_loader: importlib.abc.Loader, patches: tuple[str, ...]) -> None:
        self.real_loader = real_loader
        self.patches = patches

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return self.real_loader.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        self.real_loader.exec_module(module)
        for patch in self.patches:
            importlib.import_module(patch).install(module)


class _DeferringLoader(importlib.abc.Loader):
    """Sets a package up as deferred instead of running its `__init__`."""

    def __init__(self, real_loader: importlib.abc.Loader) -> None:
        self.real_loader = real_loader

    def exec_module(self, module: types.ModuleType) -> None:
        name = module.__name__
        real_loader = self.real_loader
        exports = EXPORTS[name]
        constructed = CONSTRUCTED_ON_USE.get(name, ())
        module.__class__ = _DeferredPackage
        module._registrations = REGISTRATIONS.get(name, ())  # type: ignore[attr-defined]

        lock = threading.RLock()
        running = False

        def run_initialiser() -> bool:
            """Run the real `__init__` once; False while it runs in this very thread (a
            name asked for by the `__init__` itself, as in any circular import)."""
            nonlocal running
            with lock:  # another thread waits here until the names are all there
                if not isinstance(module, _DeferredPackage):
                    return True
                if running:
                    return False
                running = True
                try:
                    real_loader.exec_module(module)
                finally:
                    module.__dict__.pop("__getattr__", None)
                    module.__class__ = types.ModuleType  # type: ignore[assignment]
                    running = False
                return True

        def constructor(attribute: str) -> Callable[..., Any]:
            def construct(*args: Any, **kwargs: Any) -> Any:
                run_initialiser()
                return getattr(module, attribute)(*args, **kwargs)

            construct.__name__ = construct.__qualname__ = attribute
            return construct

        def resolve(attribute: str) -> Any:
            if attribute.startswith("__") and attribute != "__all__":
                raise AttributeError(attribute)
            if attribute in exports:
                submodule = importlib.import_module(f"{name}.{exports[attribute]}")
                value = getattr(submodule, attribute)
                setattr(module, attribute, value)
                return value
            if attribute in constructed:
                return constructor(attribute)
            search_path = module.__dict__["__path__"]
            if importlib.machinery.PathFinder.find_spec(f"{name}.{attribute}", search_path):
                return importlib.import_module(f"{name}.{attribute}")
            if run_initialiser() and attribute in module.__dict__:
                return module.__dict__[attribute]
            raise AttributeError(f"module {name!r} has no attribute {attribute!r}")

        module.__getattr__ = resolve  # type: ignore[method-assign]
