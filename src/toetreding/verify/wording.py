"""Library failures in words a records manager understands.

pyHanko and its certificate validator raise exceptions whose text is for developers
("module … has no attribute '1.2.840…'", "Reference(idnum=62 …)", or nothing at all).
None of that may reach a report: each failure is sorted into what it means for the
person reading the verdict, and the sentence says that.
"""

from __future__ import annotations

from ..i18n import _
from .report import Indication

Explained = tuple[Indication, str, str]

_WEAK_NAMES = ("md2", "md5", "sha1", "sha-1")


def _chain(error: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and len(found) < 8:
        found.append(current)
        current = current.__cause__ or current.__context__
    return found


def explain_evaluation_failure(error: BaseException, what: str = "signature") -> Explained:
    """Why a signature (or timestamp) could not be evaluated, as indication and sentence.

    ``what`` is ``"signature"`` or ``"timestamp"``: which of the two the sentence is about.
    """
    stamp = what == "timestamp"
    chain = _chain(error)
    names = {type(e).__name__ for e in chain}
    text = " ".join(str(e) for e in chain).lower()
    if names & {"WeakHashAlgorithmError", "DisallowedAlgorithmError"} or (
        "weak" in text and any(n in text for n in _WEAK_NAMES)
    ):
        algorithm = next((n.upper().replace("SHA1", "SHA-1") for n in _WEAK_NAMES if n in text), "")
        if algorithm and stamp:
            sentence = _(
                "weak algorithm: {algorithm}: the timestamp uses an algorithm that is no "
                "longer considered secure"
            ).format(algorithm=algorithm)
        elif algorithm:
            sentence = _(
                "weak algorithm: {algorithm}: the signature uses an algorithm that is no "
                "longer considered secure"
            ).format(algorithm=algorithm)
        elif stamp:
            sentence = _(
                "weak algorithm: the timestamp uses an algorithm that is no longer considered "
                "secure"
            )
        else:
            sentence = _(
                "weak algorithm: the signature uses an algorithm that is no longer considered "
                "secure"
            )
        return (Indication.INDETERMINATE, "CRYPTO_CONSTRAINTS_FAILURE_NO_POE", sentence)
    if names & {"AttributeError", "NotImplementedError", "UnsupportedAlgorithm"} or (
        "algorithm" in text and ("unsupported" in text or "unknown" in text)
    ):
        return (
            Indication.INDETERMINATE,
            "FORMAT_FAILURE",
            _("the timestamp uses an algorithm or structure toetreding does not support")
            if stamp
            else _("the signature uses an algorithm or structure toetreding does not support"),
        )
    if names & {"RecursionError"}:
        return (
            Indication.FAILED,
            "FORMAT_FAILURE",
            _("the timestamp is nested too deeply to evaluate safely")
            if stamp
            else _("the signature is nested too deeply to evaluate safely"),
        )
    if "reference" in text or "idnum" in text or names & {"IndirectObjectExpected"}:
        return (
            Indication.FAILED,
            "FORMAT_FAILURE",
            _("the timestamp refers to PDF objects that are missing or damaged")
            if stamp
            else _("the signature refers to PDF objects that are missing or damaged"),
        )
    if names & {"ValueError", "TypeError", "KeyError", "IndexError", "PdfReadError"}:
        return (
            Indication.FAILED,
            "FORMAT_FAILURE",
            _("the timestamp's data in the PDF is damaged or incomplete")
            if stamp
            else _("the signature's data in the PDF is damaged or incomplete"),
        )
    return (
        Indication.INDETERMINATE,
        "FORMAT_FAILURE",
        _(
            "the timestamp could not be evaluated: its structure is damaged or uses features "
            "toetreding does not support"
        )
        if stamp
        else _(
            "the signature could not be evaluated: its structure is damaged or uses features "
            "toetreding does not support"
        ),
    )


def explain_unreadable(error: BaseException) -> str:
    """Why a file could not be read as a PDF at all."""
    names = {type(e).__name__ for e in _chain(error)}
    if "RecursionError" in names:
        return _("the PDF is nested too deeply to read safely")
    if names & {"PdfStrictReadError", "PdfReadError", "PdfStreamError"}:
        return _(
            "the PDF's structure is damaged: its cross-reference data or objects cannot be read"
        )
    if names & {"MemoryError", "PdfDecodeLimitError"}:
        return _("the PDF holds data too large to read safely")
    return _("the PDF's structure is damaged and cannot be read")
