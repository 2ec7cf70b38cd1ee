"""Fetch certificates, CRLs and OCSP responses online only when validation needs one.

Why: a validation context that may fetch builds pyhanko-certvalidator's aiohttp fetchers
the moment it is made, and importing aiohttp costs ≈ 0.2 s — paid by every `sign` and
`verify` even when the file or the configuration already holds every CRL (the usual
case: a B-LTA statement carries its own validation data). This backend hands the
validation context fetchers that create the real aiohttp backend on the first request
that really goes to the network, so the network stack loads only then. What is fetched,
the limits on fetching and the errors are pyHanko's own; nothing else changes.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Iterable
from typing import Any

from pyhanko_certvalidator.fetchers.api import (
    CertificateFetcher,
    CRLFetcher,
    FetcherBackend,
    Fetchers,
    OCSPFetcher,
    OwnedFetcherBackend,
)


class OnDemandFetcherBackend(FetcherBackend):
    """pyHanko's aiohttp fetcher backend, created on the first real fetch."""

    def __init__(self) -> None:
        self._backend: FetcherBackend | None = None
        self._fetchers: Fetchers | None = None

    def real(self) -> Fetchers:
        """The real fetchers (creating them, and importing aiohttp, on first use)."""
        if self._fetchers is None:
            from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend

            self._backend = AIOHttpFetcherBackend()
            self._fetchers = self._backend.get_fetchers()
        return self._fetchers

    def started(self) -> Fetchers | None:
        """The real fetchers when anything was fetched, else None."""
        return self._fetchers

    def get_fetchers(self) -> Fetchers:
        return Fetchers(
            ocsp_fetcher=_OnDemandOcsp(self),
            crl_fetcher=_OnDemandCrl(self),
            cert_fetcher=_OnDemandCertificates(self),
        )

    async def close(self) -> None:
        if self._backend is not None:
            await self._backend.close()  # type: ignore[no-untyped-call]


def owned_on_demand_backend() -> OwnedFetcherBackend:
    """A backend the validation context owns and closes, as it does its default one."""
    return OwnedFetcherBackend(OnDemandFetcherBackend())


class _OnDemandOcsp(OCSPFetcher):
    def __init__(self, backend: OnDemandFetcherBackend) -> None:
        self._backend = backend

    async def fetch(self, cert: Any, authority: Any) -> Any:
        return await self._backend.real().ocsp_fetcher.fetch(cert, authority)

    def fetched_responses(self) -> Iterable[Any]:
        started = self._backend.started()
        return started.ocsp_fetcher.fetched_responses() if started else ()

    def fetched_responses_for_cert(self, cert: Any) -> Iterable[Any]:
        started = self._backend.started()
        return started.ocsp_fetcher.fetched_responses_for_cert(cert) if started else ()


class _OnDemandCrl(CRLFetcher):
    def __init__(self, backend: OnDemandFetcherBackend) -> None:
        self._backend = backend

    async def fetch(self, cert: Any, *, use_deltas: Any = None) -> Iterable[Any]:
        return await self._backend.real().crl_fetcher.fetch(cert, use_deltas=use_deltas)

    def fetched_crls(self) -> Iterable[Any]:
        started = self._backend.started()
        return started.crl_fetcher.fetched_crls() if started else ()

    def fetched_crls_for_cert(self, cert: Any) -> Iterable[Any]:
        # KeyError means "not fetched yet" to pyHanko's revocation manager, which then
        # calls fetch(); an empty answer would mean "fetched, and there are none"
        started = self._backend.started()
        if started is None:
            raise KeyError(cert)
        return started.crl_fetcher.fetched_crls_for_cert(cert)


class _OnDemandCertificates(CertificateFetcher):
    def __init__(self, backend: OnDemandFetcherBackend) -> None:
        self._backend = backend

    def fetch_cert_issuers(self, cert: Any) -> AsyncGenerator[Any, None]:
        return self._backend.real().cert_fetcher.fetch_cert_issuers(cert)

    def fetch_crl_issuers(self, certificate_list: Any) -> AsyncGenerator[Any, None]:
        return self._backend.real().cert_fetcher.fetch_crl_issuers(certificate_list)

    def fetched_certs(self) -> Iterable[Any]:
        started = self._backend.started()
        return started.cert_fetcher.fetched_certs() if started else ()
