"""`renewal_due`: by when a signed statement needs a new archive timestamp, and why.

Statements are signed against the real test PKI (tests/support/pki.py), which serves two
timestamp authorities: the long-lived RSA-2048 one (``tsa``) and a short-lived P-256 one
(``tsa-short``, certificate expiring in 200 days). The expected moments are computed from
the certificates the PKI issued and from the module's own algorithm table.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from asn1crypto import cms

from toetreding.config import Settings
from toetreding.errors import ConfigError
from toetreding.pki.files import load_certificates
from toetreding.pki.renewal import (
    ALREADY_DUE,
    KEY_HORIZONS,
    REASON_ALGORITHM,
    REASON_CERTIFICATE,
    REASON_NO_ARCHIVE_TIMESTAMP,
    REASON_TSA_CERTIFICATE,
    REASON_UNREADABLE_TIMESTAMP,
    RenewalDue,
    due_within,
    renewal_due,
    window_end,
)
from toetreding.sign import SignerChoice, extend_statement, sign_file
from toetreding.signing_config import SignatureLevel

from .support.cli import toetreding
from .support.pki import PASSPHRASE, SHORT_TSA_DAYS, RunningPki

UTC = dt.UTC
RSA_2048_HORIZON = dt.datetime(2029, 1, 1, tzinfo=UTC)
"""ETSI TS 119 312 V1.5.1 (EU DSS 6.4): RSA PKCS#1 v1.5 of 1900 bits and more, and the
test PKI's keys are RSA 2048 with SHA-256 (no horizon)."""


def test_the_table_gives_rsa_2048_its_european_date() -> None:
    steps = dict(KEY_HORIZONS["rsassa_pkcs1v15"])
    assert steps[1900] == RSA_2048_HORIZON
    assert dict(KEY_HORIZONS["ecdsa"])[256] is None


# --- signed statements, made once per module ---------------------------------------------


@pytest.fixture(scope="module")
def secret(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("renewal-secret") / "wachtwoord.txt"
    path.write_text(PASSPHRASE + "\n")
    return path


def _sign(
    settings: Settings,
    pki: RunningPki,
    unsigned: Path,
    output: Path,
    secret: Path,
    level: SignatureLevel,
    tsa_url: str,
    label: str = "signer-rsa",
) -> bytes:
    coordinator = label == "coordinator"
    choice = SignerChoice(
        pkcs12=pki.pkcs12(label),
        secret_file=secret,
        level=level,
        tsa_url=tsa_url,
        trust_roots=(pki.root_pem,),
        function=(
            "Nationaal Coördinator Terrorismebestrijding en Veiligheid"
            if coordinator
            else "burgemeester van Huizen"
        ),
        on_behalf_of=(
            "de Minister van Justitie en Veiligheid" if coordinator else "de gemeente Huizen"
        ),
        location="Huizen",
    )
    sign_file(settings, unsigned, output, choice)
    return output.read_bytes()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("renewal")


@pytest.fixture(scope="module")
def short_lta(
    folder: Path,
    example_settings: Settings,
    test_pki: RunningPki,
    unsigned_pdf: Path,
    secret: Path,
) -> Path:
    """B-LTA, every timestamp by the short-lived TSA."""
    output = folder / "lta-short.pdf"
    _sign(
        example_settings,
        test_pki,
        unsigned_pdf,
        output,
        secret,
        SignatureLevel.B_LTA,
        test_pki.tsa_short_url,
    )
    return output


@pytest.fixture(scope="module")
def long_lta(
    folder: Path,
    example_settings: Settings,
    test_pki: RunningPki,
    unsigned_pdf: Path,
    secret: Path,
) -> Path:
    """B-LTA, every timestamp by the long-lived TSA."""
    output = folder / "lta-long.pdf"
    _sign(
        example_settings,
        test_pki,
        unsigned_pdf,
        output,
        secret,
        SignatureLevel.B_LTA,
        test_pki.tsa_url,
    )
    return output


def _not_after(pki: RunningPki, label: str) -> dt.datetime:
    return pki.cert(label).not_valid_after_utc


# --- the schedule ------------------------------------------------------------------------


def test_short_lived_tsa_sets_the_date_by_its_certificate(
    short_lta: Path, test_pki: RunningPki
) -> None:
    due = renewal_due(short_lta.read_bytes())
    expires = _not_after(test_pki, "tsa-short")
    assert due is not None
    assert due.due == expires and due.due.tzinfo is not None
    assert due.reason == REASON_TSA_CERTIFICATE
    assert due.tsa_certificate_expires == expires
    assert due.algorithm == "sha256 / ecdsa 256"
    assert due.tsa_subject is not None and "short-lived" in due.tsa_subject
    assert due.timestamp_time is not None
    now = dt.datetime.now(UTC)
    assert now - dt.timedelta(hours=1) < due.timestamp_time <= now + dt.timedelta(minutes=5)
    assert expires - now < dt.timedelta(days=SHORT_TSA_DAYS)
    # a margin moves the due moment earlier, never the certificate's own date
    earlier = renewal_due(short_lta.read_bytes(), margin=dt.timedelta(days=30))
    assert earlier is not None
    assert earlier.due == expires - dt.timedelta(days=30)
    assert earlier.tsa_certificate_expires == expires


def test_long_lived_tsa_is_due_at_its_algorithm_horizon(
    long_lta: Path, test_pki: RunningPki
) -> None:
    due = renewal_due(long_lta.read_bytes())
    expires = _not_after(test_pki, "tsa")
    assert due is not None
    # the earliest of the certificate's notAfter (≈ ten years) and RSA-2048's horizon
    assert due.due == min(expires, RSA_2048_HORIZON) == RSA_2048_HORIZON
    assert due.reason == REASON_ALGORITHM
    assert due.tsa_certificate_expires == expires
    assert due.algorithm == "sha256 / rsassa_pkcs1v15 2048"
    assert due.tsa_subject is not None and "Test Timestamp Authority" in due.tsa_subject


def test_the_newest_timestamp_wins_after_renewal(
    short_lta: Path, folder: Path, test_pki: RunningPki
) -> None:
    before = renewal_due(short_lta.read_bytes())
    renewed = folder / "lta-renewed.pdf"
    extend_statement(
        short_lta,
        renewed,
        SignatureLevel.B_LTA,
        tsa_url=test_pki.tsa_url,
        trust_roots=load_certificates(test_pki.root_pem),
    )
    after = renewal_due(renewed.read_bytes())
    assert before is not None and after is not None
    assert after.due == min(_not_after(test_pki, "tsa"), RSA_2048_HORIZON)
    assert after.due > before.due  # the short-lived TSA's certificate no longer matters
    assert after.reason == REASON_ALGORITHM
    assert after.tsa_certificate_expires == _not_after(test_pki, "tsa")
    assert after.tsa_subject is not None and "short-lived" not in after.tsa_subject
    assert before.timestamp_time is not None and after.timestamp_time is not None
    assert after.timestamp_time >= before.timestamp_time


def test_a_signature_after_the_newest_timestamp_counts_on_its_own(
    long_lta: Path,
    folder: Path,
    example_settings: Settings,
    test_pki: RunningPki,
    secret: Path,
) -> None:
    """The acceptance signed at B-T (short-lived TSA) after the party's B-LTA (long-lived
    TSA): the newest document timestamp does not cover it, so its own timestamp counts."""
    data = _sign(
        example_settings,
        test_pki,
        long_lta,
        folder / "lta-then-bt.pdf",
        secret,
        SignatureLevel.B_T,
        test_pki.tsa_short_url,
        label="coordinator",
    )
    due = renewal_due(data)
    short = _not_after(test_pki, "tsa-short")
    assert short < min(_not_after(test_pki, "coordinator"), RSA_2048_HORIZON)
    assert due is not None
    assert due.due == short and due.reason == REASON_TSA_CERTIFICATE
    assert due.tsa_subject is not None and "short-lived" in due.tsa_subject
    # renewing puts a document timestamp over it: the coordinator's certificate and the
    # long-lived TSA's algorithm are what is left
    renewed = folder / "lta-then-bt-renewed.pdf"
    source = folder / "lta-then-bt.pdf"
    extend_statement(
        source,
        renewed,
        SignatureLevel.B_LTA,
        tsa_url=test_pki.tsa_url,
        trust_roots=load_certificates(test_pki.root_pem),
    )
    after = renewal_due(renewed.read_bytes())
    assert after is not None
    assert after.due == RSA_2048_HORIZON and after.reason == REASON_ALGORITHM


def test_an_unsigned_pdf_has_nothing_to_renew(unsigned_pdf: Path) -> None:
    assert renewal_due(unsigned_pdf.read_bytes()) is None
    now = dt.datetime(2026, 12, 1, tzinfo=UTC)
    assert due_within(unsigned_pdf.read_bytes(), "100y", now) is False


def test_b_b_is_due_when_the_signers_certificate_expires(
    folder: Path,
    example_settings: Settings,
    test_pki: RunningPki,
    unsigned_pdf: Path,
    secret: Path,
) -> None:
    """Without any timestamp, the signature can be brought to B-T and up only while the
    signer's certificate is valid (or until its own algorithm's horizon, if earlier)."""
    data = _sign(
        example_settings,
        test_pki,
        unsigned_pdf,
        folder / "bb.pdf",
        secret,
        SignatureLevel.B_B,
        test_pki.tsa_url,
    )
    due = renewal_due(data)
    expires = _not_after(test_pki, "signer-rsa")
    assert due is not None
    assert due.due == min(expires, RSA_2048_HORIZON)
    assert due.reason == (REASON_CERTIFICATE if expires <= RSA_2048_HORIZON else REASON_ALGORITHM)
    assert due.timestamp_time is None and due.tsa_certificate_expires is None
    assert due.tsa_subject is None
    assert due.algorithm == "sha256 / rsassa_pkcs1v15 2048"


def test_b_t_without_validation_data_must_be_archived_while_the_signer_is_valid(
    folder: Path,
    example_settings: Settings,
    test_pki: RunningPki,
    unsigned_pdf: Path,
    secret: Path,
) -> None:
    """B-T by the short-lived TSA: its signature timestamp counts, and so does the signer's
    certificate (no DSS yet: its validation data must still be collected)."""
    data = _sign(
        example_settings,
        test_pki,
        unsigned_pdf,
        folder / "bt.pdf",
        secret,
        SignatureLevel.B_T,
        test_pki.tsa_short_url,
    )
    assert b"/DSS" not in data
    due = renewal_due(data)
    signer, tsa = _not_after(test_pki, "signer-rsa"), _not_after(test_pki, "tsa-short")
    assert due is not None
    assert due.due == min(signer, tsa)
    assert due.reason == (REASON_TSA_CERTIFICATE if tsa <= signer else REASON_NO_ARCHIVE_TIMESTAMP)
    assert due.tsa_certificate_expires == tsa and due.timestamp_time is not None
    # and at the long-lived TSA, the signer's certificate is what runs out first
    data = _sign(
        example_settings,
        test_pki,
        unsigned_pdf,
        folder / "bt-long.pdf",
        secret,
        SignatureLevel.B_T,
        test_pki.tsa_url,
    )
    due = renewal_due(data)
    assert due is not None
    assert due.due == min(signer, RSA_2048_HORIZON)
    if signer < RSA_2048_HORIZON:
        assert due.reason == REASON_NO_ARCHIVE_TIMESTAMP
        assert due.tsa_certificate_expires == _not_after(test_pki, "tsa")


def test_due_within_a_window(short_lta: Path, test_pki: RunningPki) -> None:
    data = short_lta.read_bytes()
    now = dt.datetime.now(UTC)
    assert due_within(data, "12m", now)
    assert due_within(data, f"{SHORT_TSA_DAYS}d", now)
    assert not due_within(data, "90d", now)
    assert not due_within(data, "0d", now)
    due = renewal_due(data)
    assert due is not None
    assert due.due_by(_not_after(test_pki, "tsa-short"))
    assert not due.due_by(_not_after(test_pki, "tsa-short") - dt.timedelta(seconds=1))


# --- hostile timestamps: due now, never a traceback --------------------------------------


def _newest_contents_span(data: bytes) -> tuple[int, int]:
    """Where the newest document timestamp's hex /Contents lies (inside the < >)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    stamp = reader.embedded_timestamp_signatures[-1]
    _a, b, c, _d = (int(x) for x in stamp.byte_range)
    assert data[b : b + 1] == b"<" and data[c - 1 : c] == b">"
    return b + 1, c - 1


def _replace_token(data: bytes, token: bytes) -> bytes:
    start, end = _newest_contents_span(data)
    text = token.hex().encode()
    assert len(text) <= end - start
    return data[:start] + text + b"0" * (end - start - len(text)) + data[end:]


def _token(data: bytes) -> cms.ContentInfo:
    start, end = _newest_contents_span(data)
    return cms.ContentInfo.load(bytes.fromhex(data[start:end].decode()))


def _without_certificates(data: bytes) -> bytes:
    token = _token(data)
    token["content"]["certificates"] = None
    return _replace_token(data, token.dump(force=True))


def _with_a_stranger_certificate(root_der: bytes) -> Callable[[bytes], bytes]:
    def attack(data: bytes) -> bytes:
        from asn1crypto import x509

        token = _token(data)
        token["content"]["certificates"] = [x509.Certificate.load(root_der)]
        return _replace_token(data, token.dump(force=True))

    return attack


def _zeros(data: bytes) -> bytes:
    return _replace_token(data, b"")


def _random(data: bytes) -> bytes:
    start, end = _newest_contents_span(data)
    return _replace_token(data, os.urandom((end - start) // 2))


def _truncated(data: bytes) -> bytes:
    return _replace_token(data, _token(data).dump()[:200])


@pytest.mark.parametrize(
    "attack", ["zeros", "random", "truncated", "no certificates", "TSA certificate missing"]
)
def test_a_damaged_timestamp_token_is_due_now(
    attack: str, long_lta: Path, test_pki: RunningPki
) -> None:
    data = long_lta.read_bytes()
    attacks = {
        "zeros": _zeros,
        "random": _random,
        "truncated": _truncated,
        "no certificates": _without_certificates,
        "TSA certificate missing": _with_a_stranger_certificate(test_pki.cert_der("root")),
    }
    damaged = attacks[attack](data)
    assert len(damaged) == len(data)
    due = renewal_due(damaged)
    assert due == RenewalDue(due=ALREADY_DUE, reason=REASON_UNREADABLE_TIMESTAMP)
    assert due_within(damaged, "0d", dt.datetime.now(UTC))


# --- windows -----------------------------------------------------------------------------

START = dt.datetime(2026, 12, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("12m", START, dt.datetime(2027, 12, 1, tzinfo=UTC)),
        ("18m", START, dt.datetime(2028, 6, 1, tzinfo=UTC)),
        ("1y", START, dt.datetime(2027, 12, 1, tzinfo=UTC)),
        ("2j", START, dt.datetime(2028, 12, 1, tzinfo=UTC)),
        ("90d", START, dt.datetime(2027, 3, 1, tzinfo=UTC)),
        ("6w", START, dt.datetime(2027, 1, 12, tzinfo=UTC)),
        (" 12 M ", START, dt.datetime(2027, 12, 1, tzinfo=UTC)),
        ("0d", START, START),
        (
            "1m",
            dt.datetime(2027, 1, 31, 9, 30, tzinfo=UTC),
            dt.datetime(2027, 2, 28, 9, 30, tzinfo=UTC),
        ),
        ("1y", dt.datetime(2028, 2, 29, tzinfo=UTC), dt.datetime(2029, 2, 28, tzinfo=UTC)),
        ("100y", START, dt.datetime(2126, 12, 1, tzinfo=UTC)),
    ],
)
def test_window_end(text: str, start: dt.datetime, end: dt.datetime) -> None:
    assert window_end(text, start) == end


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("12", "is not a time window"),
        ("m", "is not a time window"),
        ("-3m", "is not a time window"),
        ("12x", "is not a time window"),
        ("", "is not a time window"),
        ("1.5y", "is not a time window"),
        ("12m3d", "is not a time window"),
        ("999999y", "is too long"),
        ("101y", "is too long"),
        ("9" * 60 + "d", "is too long"),
    ],
)
def test_a_bad_window_is_refused_clearly(text: str, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        window_end(text, START)
    assert words in caught.value.message
    assert caught.value.hint


def test_a_bad_window_fails_before_the_pdf_is_read() -> None:
    with pytest.raises(ConfigError):
        due_within(b"not even a PDF", "soon", START)


def test_window_needs_an_aware_moment() -> None:
    with pytest.raises(ValueError):
        window_end("12m", dt.datetime(2026, 12, 1))


# --- `toetreding extend --due WINDOW FOLDER`: renewal of exactly what is due -------------


@pytest.fixture
def archive_folder(tmp_path: Path, test_pki: RunningPki, short_lta: Path, long_lta: Path) -> Path:
    """A workspace whose folder holds one statement due soon and one that is not."""
    import shutil

    workspace = tmp_path / "werkmap"
    (workspace / "verklaringen").mkdir(parents=True)
    shutil.copyfile(test_pki.root_pem, workspace / "root.pem")
    (workspace / "toetreding.yaml").write_text(
        "ondertekening:\n"
        f"  tijdstempeldienst: {test_pki.tsa_url}\n"
        "  vertrouwensankers: [root.pem]\n",
        encoding="utf-8",
    )
    shutil.copyfile(short_lta, workspace / "verklaringen" / "kort.pdf")
    shutil.copyfile(long_lta, workspace / "verklaringen" / "lang.pdf")
    return workspace


def test_extend_due_renews_exactly_what_is_due(archive_folder: Path, test_pki: RunningPki) -> None:
    from toetreding.register import Register
    from toetreding.verify import VerifyOptions, verify_file

    folder = archive_folder / "verklaringen"
    short_before = (folder / "kort.pdf").read_bytes()
    long_before = (folder / "lang.pdf").read_bytes()

    listed = toetreding(archive_folder, "extend", "--due", "12m", "--dry-run", "verklaringen")
    assert listed.returncode == 0, listed.stderr
    assert "kort.pdf: due by" in listed.stdout and "lang.pdf: not due" in listed.stdout
    assert (folder / "kort.pdf").read_bytes() == short_before  # a dry run changes nothing

    os.chmod(folder / "kort.pdf", 0o640)
    leftover = folder / ".kort.pdf.abcd1234.renewed.pdf"  # a killed renewal's half
    leftover.write_bytes(short_before)
    result = toetreding(archive_folder, "extend", "--due", "12m", "verklaringen")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 renewed, 0 due and not renewed, 2 looked at" in result.stdout
    assert not leftover.exists()
    assert (folder / "kort.pdf").stat().st_mode & 0o777 == 0o640
    short_after = (folder / "kort.pdf").read_bytes()
    assert short_after != short_before and short_after.startswith(short_before)
    assert (folder / "lang.pdf").read_bytes() == long_before  # not due: untouched
    # the newest timestamp is now the long-lived TSA's, so the next renewal is years away
    renewed = renewal_due(short_after)
    assert renewed is not None and renewed.reason != REASON_TSA_CERTIFICATE
    assert renewed.due > dt.datetime.now(dt.UTC) + dt.timedelta(days=365)
    # every signature and timestamp still verifies, the new one included
    report = verify_file(
        folder / "kort.pdf",
        VerifyOptions(trust_roots=tuple(load_certificates(test_pki.root_pem)), allow_fetching=True),
    )
    assert report.signatures and all(s.intact for s in report.signatures), report.to_dict()
    stamps = [s for s in report.signatures if s.kind == "document-timestamp"]
    assert (
        stamps[-1].signer is not None
        and stamps[-1].signer.common_name
        == test_pki.cert("tsa").subject.rfc4514_string().split("CN=")[-1].split(",")[0]
    )
    # recorded as a renewal, with what was due and why
    with Register(archive_folder / "toetreding-register.sqlite") as register:
        (entry,) = list(register.entries("verlenging"))
    assert entry.payload["document"] == "verklaringen/kort.pdf"
    assert entry.payload["vernieuwing"]["reden"] == REASON_TSA_CERTIFICATE
    assert entry.payload["uitvoer_sha256"] == hashlib.sha256(short_after).hexdigest()

    # nothing is due any more: a second run changes nothing
    again = toetreding(archive_folder, "extend", "--due", "12m", "verklaringen")
    assert again.returncode == 0 and "0 renewed" in again.stdout
    assert (folder / "kort.pdf").read_bytes() == short_after


def test_extend_due_leaves_packages_and_rounds_alone(archive_folder: Path) -> None:
    import shutil

    folder = archive_folder / "verklaringen"
    package = archive_folder / "archief" / "kort"
    package.mkdir(parents=True)
    shutil.copyfile(folder / "kort.pdf", package / "kort.pdf")
    (package / "manifest-sha256.txt").write_text("…\n")
    party = archive_folder / "ronde" / "GM0406"
    (party / "retouren").mkdir(parents=True)
    (party / "ronde.json").write_text("{}")
    shutil.copyfile(folder / "kort.pdf", party / "verklaring-met-instemming.pdf")
    shutil.copyfile(folder / "kort.pdf", party / "retouren" / "abc.pdf")
    before = {
        p: p.read_bytes()
        for p in (
            package / "kort.pdf",
            party / "verklaring-met-instemming.pdf",
            party / "retouren" / "abc.pdf",
        )
    }
    result = toetreding(archive_folder, "extend", "--due", "12m", "archief", "ronde")
    assert result.returncode == 3, result.stdout + result.stderr
    assert "archive package" in result.stderr and "coordinator's round" in result.stderr
    assert all(path.read_bytes() == data for path, data in before.items())


@pytest.mark.parametrize(
    ("arguments", "code", "said"),
    [
        (("extend", "--due", "12x", "verklaringen"), 2, "not a time window"),
        (("extend", "--due", "-1d", "verklaringen"), 2, "not a time window"),
        (("extend", "--due", "1.5y", "verklaringen"), 2, "not a time window"),
        (("extend", "--due", "12m", "verklaringen", "-o", "x.pdf"), 2, "in place"),
        (
            ("extend", "--dry-run", "verklaringen/kort.pdf", "-o", "x.pdf"),
            2,
            "--dry-run goes with --due",
        ),
        (("extend", "verklaringen"), 2, "-o FILE.pdf"),
        (("extend", "--due", "12m", "leeg"), 1, "no PDF"),
    ],
)
def test_extend_due_bad_input(
    archive_folder: Path, arguments: tuple[str, ...], code: int, said: str
) -> None:
    (archive_folder / "leeg").mkdir()
    result = toetreding(archive_folder, *arguments)
    assert result.returncode == code, result.stdout + result.stderr
    assert said in result.stderr and "Traceback" not in result.stderr


def test_repeated_renewals_keep_every_signature_valid(
    long_lta: Path, tmp_path: Path, test_pki: RunningPki
) -> None:
    """A B-LTA statement renewed again and again: each renewal adds validation data only for
    what has none yet (rewriting an existing VRI record under a later timestamp is a change
    no validator can explain — found by review: the second renewal failed verify)."""
    from toetreding.verify import Indication, VerifyOptions, verify_file

    roots = tuple(load_certificates(test_pki.root_pem))
    options = VerifyOptions(trust_roots=roots, allow_fetching=True)
    current = long_lta
    for round_number in range(3):
        renewed = tmp_path / f"vernieuwd-{round_number}.pdf"
        extend_statement(
            current, renewed, SignatureLevel.B_LTA, tsa_url=test_pki.tsa_url, trust_roots=roots
        )
        report = verify_file(renewed, options)
        indications = {s.field_name: s.indication for s in report.signatures}
        assert all(i is Indication.PASSED for i in indications.values()), (
            round_number,
            report.to_dict(),
        )
        assert len([s for s in report.signatures if s.kind == "document-timestamp"]) == (
            round_number + 2
        )
        current = renewed


def test_a_renewal_that_would_not_move_the_due_date_is_refused(
    archive_folder: Path, test_pki: RunningPki
) -> None:
    """Renewing with the same short-lived TSA leaves the statement due within the window:
    the original is kept, exit 3, and a scheduled run would not renew it over and over."""
    config = archive_folder / "toetreding.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(test_pki.tsa_url, test_pki.tsa_short_url),
        encoding="utf-8",
    )
    before = (archive_folder / "verklaringen" / "kort.pdf").read_bytes()
    result = toetreding(archive_folder, "extend", "--due", "12m", "verklaringen/kort.pdf")
    assert result.returncode == 3, result.stdout + result.stderr
    assert "would be due again" in result.stderr
    assert (archive_folder / "verklaringen" / "kort.pdf").read_bytes() == before


def test_extend_due_refuses_links_and_pipes(archive_folder: Path) -> None:
    folder = archive_folder / "verklaringen"
    (folder / "link.pdf").symlink_to(folder / "kort.pdf")
    os.mkfifo(folder / "pijp.pdf")
    before = (folder / "kort.pdf").read_bytes()
    result = toetreding(
        archive_folder, "extend", "--due", "12m", "verklaringen/link.pdf", "verklaringen/pijp.pdf"
    )
    assert result.returncode == 3, result.stdout + result.stderr
    assert "symbolic link" in result.stderr and "not a regular file" in result.stderr
    assert (folder / "link.pdf").is_symlink() and (folder / "kort.pdf").read_bytes() == before
