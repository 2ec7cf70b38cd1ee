"""The chain-of-authority rules: valid chains pass; each rule has a failing case."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from toetreding.config import Settings
from toetreding.errors import SigningError
from toetreding.mandate import (
    CertificateFacts,
    ChainContext,
    check_chain,
    consent_context,
    expected_formula,
    party_context,
)
from toetreding.model import Authority, PartyForm
from toetreding.render import RenderedStatement
from toetreding.sign import SignerChoice, sign_file

from .conftest import EXAMPLE, needs_poppler
from .support.pki import PASSPHRASE, RunningPki

COLLEGE = "college van burgemeester en wethouders"
COVENANT = "pga-radicalisering-2018"
BESLUIT = {
    "id": "b1",
    "orgaan": COLLEGE,
    "datum": "2024-01-10",
    "kenmerk": "Z-1",
    "onderwerp": "toetreden",
    "grondslag": "artikel 160, eerste lid, Gemeentewet",
}
MANDAATBESLUIT = {
    "id": "b2",
    "orgaan": COLLEGE,
    "datum": "2024-01-15",
    "kenmerk": "Z-2",
    "onderwerp": "mandaat",
}
BENOEMING = {
    "id": "kb",
    "orgaan": "de Koning (koninklijk besluit)",
    "datum": "2023-05-22",
    "kenmerk": "KB 2023/1",
    "onderwerp": "benoeming burgemeester",
}
BURGEMEESTERSBESLUIT = {
    "id": "b3",
    "orgaan": "burgemeester",
    "datum": "2024-01-12",
    "kenmerk": "B-3",
    "onderwerp": "toetreden",
    "grondslag": "artikel 172 Gemeentewet",
}
BURGEMEESTER = {
    "functie": "burgemeester van Huizen",
    "naam": "J. de Vries",
    "certificaat": {
        "onderwerp": {"serial_number": "H-1", "common_name": "J. de Vries"},
        "uitgever": {"common_name": "PKIoverheid Test CA"},
    },
}
REPRESENTATION = {
    "soort": "vertegenwoordiging",
    "aan": BURGEMEESTER,
    "besluit": "kb",
    "reikwijdte": [COVENANT],
    "geldig_vanaf": "2023-06-01",
    "geldig_tot": "2029-05-31",
}
MANDATE = {"soort": "mandaat", "van": COLLEGE, "aan": BURGEMEESTER, "besluit": "b2"}
AT = dt.date(2024, 6, 1)
TEST_CA = {"common_name": "PKIoverheid Test CA"}
CERT = CertificateFacts(
    subject={"serial_number": "H-1", "common_name": "J. de Vries"},
    serial_number="1A",
    sha256_fingerprint="00",
    issuer=TEST_CA,
)
ORGANS_FORMULA = (
    "burgemeester van Huizen, namens het college van burgemeester en wethouders van Huizen"
)


def authority(
    *links: dict[str, Any],
    decisions: tuple[dict[str, Any], ...] = (
        BESLUIT,
        MANDAATBESLUIT,
        BENOEMING,
        BURGEMEESTERSBESLUIT,
    ),
) -> Authority:
    return Authority.model_validate({"besluiten": list(decisions), "keten": list(links)})


def person(function: str, name: str, common_name: str | None = None) -> dict[str, Any]:
    return {
        "functie": function,
        "naam": name,
        "certificaat": {
            "onderwerp": {"serial_number": f"H-{name}", "common_name": common_name or name},
            "uitgever": {"common_name": "PKIoverheid Test CA"},
        },
    }


def cert_of(name: str) -> CertificateFacts:
    return CertificateFacts(
        subject={"serial_number": f"H-{name}", "common_name": name},
        serial_number="2",
        sha256_fingerprint="0",
        issuer={"common_name": "PKIoverheid Test CA"},
    )


def check(chain: Authority, **overrides: Any) -> list[str]:
    """The rules broken, for a gemeente joining as a legal person unless told otherwise."""
    organs = overrides.pop("organs", None)
    context = party_context(
        overrides.pop("at", AT),
        covenant_id=COVENANT,
        party_name="Huizen",
        form=PartyForm.ORGANS if organs else PartyForm.LEGAL_PERSON,
        organs=organs or (),
        accession_decisions=overrides.pop("decisions", ("b1",)),
        certificate=overrides.pop("certificate", CERT),
        formula=overrides.pop(
            "formula",
            ORGANS_FORMULA if organs else "burgemeester van Huizen, namens de gemeente Huizen",
        ),
    )
    assert not overrides, overrides
    verdict = check_chain(chain, context)
    return [b.rule for b in verdict.breaches]


# ------------------------------------------------------------------- valid chains


def test_burgemeester_represents_by_law() -> None:
    assert check(authority(REPRESENTATION)) == []


def test_assignment_to_a_wethouder_under_171_lid_2() -> None:
    chain = authority(
        REPRESENTATION,
        {
            "soort": "aanwijzing",
            "van": "burgemeester van Huizen",
            "aan": person("wethouder", "A. Smit"),
            "besluit": "b2",
        },
    )
    formula = "wethouder, namens de gemeente Huizen"
    assert check(chain, certificate=cert_of("A. Smit"), formula=formula) == []


def test_locoburgemeester_substitutes() -> None:
    chain = authority(
        {
            "soort": "waarneming",
            "van": COLLEGE,  # the college designates the wethouder who stands in (art. 77)
            "aan": person("locoburgemeester van Huizen", "B. Bos"),
            "besluit": "b2",
        }
    )
    formula = "locoburgemeester van Huizen, namens de gemeente Huizen"
    assert check(chain, certificate=cert_of("B. Bos"), formula=formula) == []


def test_the_college_as_organ_acts_by_mandate() -> None:
    assert check(authority(MANDATE), organs=("college",)) == []
    ten_ten = "burgemeester, namens burgemeester en wethouders van Huizen"  # Awb 10:10 wording
    assert check(authority(MANDATE), organs=("college",), formula=ten_ten) == []


def test_two_organs_each_decide_and_the_mayor_signs_for_both() -> None:
    chain = authority(MANDATE)
    assert check(chain, organs=("college", "burgemeester"), decisions=("b1", "b3")) == []
    assert check(chain, organs=("college", "burgemeester"), decisions=("b1",)) == [
        "accession-decision"
    ]
    secretary = authority(
        {**MANDATE, "aan": person("gemeentesecretaris", "C. Dijk")},
    )
    assert check(
        secretary,
        organs=("college", "burgemeester"),
        decisions=("b1", "b3"),
        certificate=cert_of("C. Dijk"),
        formula="gemeentesecretaris, namens het college van burgemeester en wethouders van Huizen",
    ) == ["party-form"]


def test_submandate_where_the_mandate_allows_it() -> None:
    chain = authority(
        {
            "soort": "mandaat",
            "van": COLLEGE,
            "aan": person("gemeentesecretaris", "C. Dijk"),
            "besluit": "b2",
            "ondermandaat_toegestaan": True,
        },
        {
            "soort": "ondermandaat",
            "van": "gemeentesecretaris",
            "aan": person("afdelingshoofd", "D. Vos"),
            "besluit": "b2",
        },
    )
    formula = "afdelingshoofd, namens het college van burgemeester en wethouders van Huizen"
    assert check(chain, organs=("college",), certificate=cert_of("D. Vos"), formula=formula) == []


def test_certificate_matched_by_serial_and_fingerprint() -> None:
    signer = {
        "functie": "burgemeester van Huizen",
        "naam": "J. de Vries",
        "certificaat": {"serienummer": "00:1a", "vingerafdruk_sha256": "AB" * 32},
    }
    chain = authority({**REPRESENTATION, "aan": signer})
    good = CertificateFacts(subject={}, serial_number="1A", sha256_fingerprint="ab" * 32)
    assert check(chain, certificate=good) == []
    bad = CertificateFacts(subject={}, serial_number="1B", sha256_fingerprint="ab" * 32)
    assert check(chain, certificate=bad) == ["certificate"]


# ------------------------------------------------------------- one failure per rule


def test_the_legal_person_is_represented_not_mandated() -> None:
    assert check(authority(MANDATE)) == ["party-form"]
    starts_with_submandate = authority(
        {"soort": "ondermandaat", "van": COLLEGE, "aan": BURGEMEESTER, "besluit": "b2"}
    )
    assert "party-form" in check(starts_with_submandate)
    mandate_after_representation = authority(
        REPRESENTATION,
        {**MANDATE, "van": "burgemeester van Huizen", "aan": person("wethouder", "A. Smit")},
    )
    assert "party-form" in check(
        mandate_after_representation,
        certificate=cert_of("A. Smit"),
        formula="wethouder, namens de gemeente Huizen",
    )


def test_organs_act_by_their_own_mandate() -> None:
    assert "party-form" in check(authority(REPRESENTATION), organs=("college",))
    from_the_council = authority({**MANDATE, "van": "gemeenteraad"})
    assert "party-form" in check(
        from_the_council,
        organs=("college",),
        formula="burgemeester van Huizen, namens de gemeenteraad van Huizen",
    )


def test_the_decision_to_join_is_the_right_organs() -> None:
    assert check(authority(REPRESENTATION), decisions=("b3",)) == ["accession-decision"]
    no_basis = {**BESLUIT, "grondslag": None}
    chain = authority(MANDATE, decisions=(no_basis, MANDAATBESLUIT))
    broken = check(chain, organs=("college",))
    assert broken == ["accession-decision"]
    assert check(authority(MANDATE), organs=("college",), decisions=("b3",)) == [
        "accession-decision",
        "accession-decision",
    ]


def test_a_representation_by_law_is_the_mayors_for_his_term() -> None:
    without_term = {k: v for k, v in REPRESENTATION.items() if k != "geldig_tot"}
    assert check(authority(without_term)) == ["representation"]
    wethouder = {**REPRESENTATION, "aan": person("wethouder van Huizen", "A. Smit")}
    assert check(
        authority(wethouder),
        certificate=cert_of("A. Smit"),
        formula="wethouder van Huizen, namens de gemeente Huizen",
    ) == ["representation"]
    without_appointment = {k: v for k, v in REPRESENTATION.items() if k != "besluit"}
    assert check(authority(without_appointment)) == ["written"]


def test_a_representation_by_law_names_no_grantor() -> None:
    with pytest.raises(ValueError, match="comes from the law"):
        authority({**REPRESENTATION, "van": COLLEGE})


def test_an_assignment_follows_the_mayor_and_a_substitute_comes_first() -> None:
    assignment = {
        "soort": "aanwijzing",
        "van": "gemeentesecretaris",
        "aan": person("wethouder", "A. Smit"),
        "besluit": "b2",
    }
    substitute = {
        "soort": "waarneming",
        "van": "burgemeester van Huizen",
        "aan": person("locoburgemeester", "B. Bos"),
        "besluit": "b2",
    }
    assert "assignment" in check(
        authority({**MANDATE, "aan": person("gemeentesecretaris", "C. Dijk")}, assignment),
        certificate=cert_of("A. Smit"),
        formula="wethouder, namens de gemeente Huizen",
    )
    assert "substitution" in check(
        authority(REPRESENTATION, substitute),
        certificate=cert_of("B. Bos"),
        formula="locoburgemeester, namens de gemeente Huizen",
    )


def test_links_must_connect() -> None:
    chain = authority(
        REPRESENTATION,
        {
            "soort": "aanwijzing",
            "van": "gemeentesecretaris",
            "aan": person("wethouder", "A. Smit"),
            "besluit": "b2",
        },
    )
    formula = "wethouder, namens de gemeente Huizen"
    assert check(chain, certificate=cert_of("A. Smit"), formula=formula) == ["connected"]


def test_submandate_needs_permission() -> None:
    chain = authority(
        {
            "soort": "mandaat",
            "van": COLLEGE,
            "aan": person("gemeentesecretaris", "C. Dijk"),
            "besluit": "b2",
        },
        {
            "soort": "ondermandaat",
            "van": "gemeentesecretaris",
            "aan": person("afdelingshoofd", "D. Vos"),
            "besluit": "b2",
        },
    )
    formula = "afdelingshoofd, namens het college van burgemeester en wethouders van Huizen"
    assert check(chain, organs=("college",), certificate=cert_of("D. Vos"), formula=formula) == [
        "submandate"
    ]


@pytest.mark.parametrize(
    ("change", "at", "broken"),
    [
        ({"geldig_vanaf": "2024-07-01"}, AT, {"in-force"}),
        ({"geldig_tot": "2024-05-31"}, AT, {"in-force"}),
        ({"ingetrokken_op": "2024-06-01"}, AT, {"in-force"}),
        # before the appointment it rests on (and before the decision to join)
        ({"geldig_vanaf": None}, dt.date(2023, 5, 1), {"in-force", "accession-decision"}),
    ],
)
def test_every_link_in_force_at_the_signing_moment(
    change: dict[str, str], at: dt.date, broken: set[str]
) -> None:
    assert set(check(authority({**REPRESENTATION, **change}), at=at)) == broken


def test_nobody_signs_before_the_decision_to_join() -> None:
    assert check(authority(REPRESENTATION), at=dt.date(2024, 1, 9)) == ["accession-decision"]
    assert check(authority(REPRESENTATION), at=dt.date(2024, 1, 10)) == []


def test_a_mandate_rests_on_a_written_decision() -> None:
    chain = authority({"soort": "mandaat", "van": COLLEGE, "aan": BURGEMEESTER})
    assert check(chain, organs=("college",)) == ["written"]


def test_scope_must_cover_the_covenant() -> None:
    assert check(authority({**REPRESENTATION, "reikwijdte": ["ander-convenant"]})) == ["scope"]


def test_certificate_must_match_the_last_grantee() -> None:
    other = CertificateFacts(
        subject={"serial_number": "H-K. Klaas", "common_name": "K. Klaas"},
        serial_number="9",
        sha256_fingerprint="0",
    )
    assert check(authority(REPRESENTATION), certificate=other) == ["certificate"]
    without_identity = {
        **REPRESENTATION,
        "aan": {"functie": "burgemeester van Huizen", "naam": "J. de Vries"},
    }
    assert check(authority(without_identity)) == ["certificate"]


def test_formula_names_party_and_original_mandator() -> None:
    assert check(
        authority(REPRESENTATION), formula="burgemeester, namens de gemeente Blaricum"
    ) == ["formula"]
    assert check(
        authority(MANDATE), organs=("college",), formula="burgemeester, namens de gemeente Huizen"
    ) == ["formula"]


def test_breaches_explain_themselves() -> None:
    chain = authority({**REPRESENTATION, "ingetrokken_op": "2024-03-01"})
    verdict = check_chain(chain, ChainContext(at=AT, covenant_id=COVENANT, party_name="Huizen"))
    (breach,) = verdict.breaches
    assert (
        "withdrawn on 2024-03-01" in str(breach) and "10:8 Awb" in str(breach) and breach.link == 1
    )


def test_each_kind_of_link_cites_its_own_article() -> None:
    without = {k: v for k, v in REPRESENTATION.items() if k != "besluit"}
    (written,) = check_chain(authority(without), ChainContext(at=AT)).breaches
    assert "171" in written.article and "Gemeentewet" in written.article
    (mandate,) = check_chain(
        authority({"soort": "mandaat", "van": COLLEGE, "aan": BURGEMEESTER}), ChainContext(at=AT)
    ).breaches
    assert "10:3" in mandate.article and "Awb" in mandate.article
    assert (
        Authority.model_validate({"besluiten": [MANDAATBESLUIT], "keten": [MANDATE]})
        .chain[0]
        .effective_legal_basis
        == "artikel 10:3 Algemene wet bestuursrecht"
    )


# ------------------------------------------------------------------- the consent


COORDINATOR = "de Minister van Justitie en Veiligheid"
NCTV = person("Nationaal Coördinator Terrorismebestrijding en Veiligheid", "A. Bakker")
CONSENT_CHAIN = Authority.model_validate(
    {
        "besluiten": [
            {
                "id": "m",
                "orgaan": "Minister van Justitie en Veiligheid",
                "datum": "2020-01-06",
                "kenmerk": "M-1",
                "onderwerp": "mandaatbesluit",
            }
        ],
        "keten": [
            {
                "soort": "mandaat",
                "van": "Minister van Justitie en Veiligheid",
                "aan": NCTV,
                "besluit": "m",
            }
        ],
    }
)
CONSENT_FORMULA = (
    "Nationaal Coördinator Terrorismebestrijding en Veiligheid, namens de Minister van Justitie "
    "en Veiligheid"
)


def test_the_consent_is_checked_by_the_coordinators_own_chain() -> None:
    good = consent_context(
        AT,
        covenant_id=COVENANT,
        coordinator=COORDINATOR,
        certificate=cert_of("A. Bakker"),
        formula=CONSENT_FORMULA,
    )
    assert check_chain(CONSENT_CHAIN, good).authorised
    # the party's own key, with the party's formula or the coordinator's: refused
    for formula in ("burgemeester van Huizen, namens de gemeente Huizen", CONSENT_FORMULA):
        party_key = consent_context(
            AT, covenant_id=COVENANT, coordinator=COORDINATOR, certificate=CERT, formula=formula
        )
        assert "certificate" in [b.rule for b in check_chain(CONSENT_CHAIN, party_key).breaches]
    other_minister = consent_context(
        AT,
        covenant_id=COVENANT,
        coordinator="de Minister van Binnenlandse Zaken en Koninkrijksrelaties",
        certificate=cert_of("A. Bakker"),
        formula=CONSENT_FORMULA,
    )
    assert "party-form" in [b.rule for b in check_chain(CONSENT_CHAIN, other_minister).breaches]


def test_the_chain_gives_the_formula_it_asks_for() -> None:
    legal = party_context(
        AT,
        covenant_id=COVENANT,
        party_name="Huizen",
        form=PartyForm.LEGAL_PERSON,
        organs=(),
        accession_decisions=("b1",),
    )
    assert (
        expected_formula(authority(REPRESENTATION), legal)
        == "burgemeester van Huizen, namens de gemeente Huizen"
    )
    organs = party_context(
        AT,
        covenant_id=COVENANT,
        party_name="Huizen",
        form=PartyForm.ORGANS,
        organs=("college",),
        accession_decisions=("b1",),
    )
    assert expected_formula(authority(MANDATE), organs) == ORGANS_FORMULA
    consent = consent_context(AT, covenant_id=COVENANT, coordinator=COORDINATOR)
    assert expected_formula(CONSENT_CHAIN, consent) == CONSENT_FORMULA


# ------------------------------------------------------------------- with signing


@needs_poppler
def test_sign_refuses_a_certificate_the_chain_does_not_name(
    tmp_path: Path, huizen_pdf: RenderedStatement, example_settings: Settings, test_pki: RunningPki
) -> None:
    statement = tmp_path / "verklaring.pdf"
    statement.write_bytes(huizen_pdf.pdf)  # the example's chain names the demo certificate
    secret = tmp_path / "pw"
    secret.write_text(PASSPHRASE)
    choice = SignerChoice(
        pkcs12=test_pki.pkcs12("signer-rsa"),
        secret_file=secret,
        function="burgemeester van Huizen",
        on_behalf_of="de gemeente Huizen",
    )
    with pytest.raises(SigningError, match=r"(?s)does not authorise.*\[?certificate|common_name"):
        sign_file(example_settings, statement, tmp_path / "getekend.pdf", choice)
    assert not (tmp_path / "getekend.pdf").exists()


@needs_poppler
def test_signed_pdf_carries_the_chain_that_was_checked(
    tmp_path: Path, unsigned_pdf: Path, example_settings: Settings, test_pki: RunningPki
) -> None:
    secret = tmp_path / "pw"
    secret.write_text(PASSPHRASE)
    signed = tmp_path / "getekend.pdf"
    outcome = sign_file(
        example_settings,
        unsigned_pdf,
        signed,
        SignerChoice(
            pkcs12=test_pki.pkcs12("signer-rsa"),
            secret_file=secret,
            function="burgemeester van Huizen",
            on_behalf_of="de gemeente Huizen",
        ),
    )
    assert outcome.signed.chain_digest
    # a fresh process reads the chain back from the signed PDF alone and checks it
    result = subprocess.run(
        [sys.executable, "-m", "toetreding", "mandate", "check", str(signed)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert f"chain sha256 {outcome.signed.chain_digest}" in result.stdout


def test_mandate_check_cli_passes_the_example_and_refuses_an_early_date() -> None:
    ok = subprocess.run(
        [
            sys.executable,
            "-m",
            "toetreding",
            "mandate",
            "check",
            str(EXAMPLE / "bevoegdheid.yaml"),
            "--for",
            str(EXAMPLE / "verzoek.yaml"),
        ],
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0, ok.stderr
    early = subprocess.run(
        [
            sys.executable,
            "-m",
            "toetreding",
            "mandate",
            "check",
            str(EXAMPLE / "bevoegdheid.yaml"),
            "--at",
            "2023-05-01",
        ],
        capture_output=True,
        text=True,
    )
    assert early.returncode == 1 and "in-force" in early.stderr and "Traceback" not in early.stderr
    shown = subprocess.run(
        [sys.executable, "-m", "toetreding", "mandate", "show", str(EXAMPLE / "bevoegdheid.yaml")],
        capture_output=True,
        text=True,
    )
    assert (
        shown.returncode == 0
        and "vertegenwoordiging" in shown.stdout
        and "KB 2023/000123" in shown.stdout  # the appointment it rests on
    )


# ------------------------------------------------------------------- exact binding (#13)


def _contained_pairs() -> list[tuple[str, str]]:
    """Every pair of municipalities where one name lies inside the other (Huizen/Enkhuizen)."""
    from toetreding.municipalities import all_municipalities

    names = sorted({m.official_name for m in all_municipalities().values()})
    return [(a, b) for a in names for b in names if a != b and a.lower() in b.lower()]


CONTAINED = _contained_pairs()


def test_there_are_municipality_names_inside_other_names() -> None:
    assert ("Huizen", "Enkhuizen") in CONTAINED and len(CONTAINED) >= 20, CONTAINED


@pytest.mark.parametrize(("party", "other"), CONTAINED, ids=[f"{a}-in-{b}" for a, b in CONTAINED])
def test_a_formula_for_another_municipality_never_passes(party: str, other: str) -> None:
    chain = authority(
        {**REPRESENTATION, "aan": {**BURGEMEESTER, "functie": f"burgemeester van {party}"}}
    )
    context = ChainContext(
        at=AT,
        covenant_id=COVENANT,
        party_name=party,
        form=PartyForm.LEGAL_PERSON,
        accession_decisions=("b1",),
        certificate=CERT,
        formula=f"burgemeester van {other}, namens de gemeente {other}",
    )
    assert [b.rule for b in check_chain(chain, context).breaches] == ["formula", "formula"]
    right = f"burgemeester van {party}, namens de gemeente {party}"
    context = ChainContext(**{**context.__dict__, "formula": right})
    assert check_chain(chain, context).authorised


@pytest.mark.parametrize(
    "formula",
    [
        "burgemeester van Huizen",  # no 'namens' at all
        "burgemeester van Huizen namens de gemeente Huizen",  # no comma: not the 10:10 form
        "burgemeester van Huizen, de gemeente Huizen",
        ", namens de gemeente Huizen",
        "burgemeester van Huizen, namens ",
    ],
)
def test_a_formula_must_say_namens_whom(formula: str) -> None:
    verdict = check_chain(
        authority(REPRESENTATION),
        ChainContext(at=AT, party_name="Huizen", certificate=CERT, formula=formula),
    )
    assert [b.rule for b in verdict.breaches] == ["formula"]
    assert "namens" in verdict.breaches[0].message


@pytest.mark.parametrize(
    ("formula", "ok"),
    [
        ("burgemeester van Huizen, namens de gemeente Huizen", True),
        ("Burgemeester  van HUIZEN, namens gemeente Huizen", True),
        ("burgemeester, namens de gemeente Huizen", True),
        ("wethouder van Huizen, namens de gemeente Huizen", False),  # not the authorised function
        ("burgemeester van Huizen, namens de gemeente Huizen en Blaricum", False),
        ("burgemeester van Huizen, namens de burgemeester van Huizen", False),
        ("burgemeester van Huizen, namens de gemeente Huizen, namens de gemeente Laren", False),
    ],
)
def test_formula_is_compared_as_whole_phrases(formula: str, ok: bool) -> None:
    verdict = check_chain(
        authority(REPRESENTATION),
        ChainContext(at=AT, party_name="Huizen", certificate=CERT, formula=formula),
    )
    assert verdict.authorised is ok, verdict.breaches


@pytest.mark.parametrize(
    ("function", "on_behalf_of"),
    [
        ("burgemeester van Enkhuizen", "de gemeente Enkhuizen"),
        ("burgemeester van Huizen", "de gemeente Enkhuizen"),
        ("burgemeester van Huizen", "de gemeente Huizen en de gemeente Laren"),
        ("wethouder van Huizen", "de gemeente Huizen"),
    ],
)
def test_sign_refuses_a_formula_that_is_not_exactly_the_chains(
    tmp_path: Path,
    unsigned_pdf: Path,
    example_settings: Settings,
    test_pki: RunningPki,
    function: str,
    on_behalf_of: str,
) -> None:
    secret = tmp_path / "pw"
    secret.write_text(PASSPHRASE)
    choice = SignerChoice(
        pkcs12=test_pki.pkcs12("signer-rsa"),
        secret_file=secret,
        function=function,
        on_behalf_of=on_behalf_of,
    )
    with pytest.raises(SigningError, match=r"(?s)does not authorise.*formula"):
        sign_file(example_settings, unsigned_pdf, tmp_path / "getekend.pdf", choice)
    assert not (tmp_path / "getekend.pdf").exists()


@pytest.mark.parametrize(
    ("identity", "unique"),
    [
        ({"onderwerp": {"organization_name": "Gemeente Huizen"}}, False),
        ({"onderwerp": {"common_name": "J. de Vries", "title": "burgemeester van Huizen"}}, False),
        ({"serienummer": "1A"}, False),  # a serial number is unique only per issuer
        ({"onderwerp": {"serial_number": "H-1"}}, False),  # unique only within its CA
        (
            {
                "onderwerp": {"serial_number": "H-1"},
                "uitgever": {"common_name": "PKIoverheid Test CA"},
            },
            True,
        ),
        ({"vingerafdruk_sha256": "AB" * 32}, True),
        ({"serienummer": "1A", "uitgever": {"common_name": "PKIoverheid Test CA"}}, True),
    ],
)
def test_a_certificate_is_bound_by_something_unique(identity: dict[str, Any], unique: bool) -> None:
    chain = authority({**REPRESENTATION, "aan": {**BURGEMEESTER, "certificaat": identity}})
    cert = CertificateFacts(
        subject={"serial_number": "H-1", "common_name": "J. de Vries"},
        serial_number="1A",
        sha256_fingerprint="AB" * 32,
        issuer={"common_name": "PKIoverheid Test CA"},
    )
    verdict = check_chain(chain, ChainContext(at=AT, party_name="Huizen", certificate=cert))
    assert verdict.authorised is unique, verdict.breaches
    if not unique:
        assert "name or organisation only" in verdict.breaches[0].message


def test_the_issuer_must_match_when_given() -> None:
    identity = {"serienummer": "1A", "uitgever": {"common_name": "PKIoverheid Test CA"}}
    chain = authority({**REPRESENTATION, "aan": {**BURGEMEESTER, "certificaat": identity}})
    other_ca = CertificateFacts(
        subject={}, serial_number="1A", sha256_fingerprint="0", issuer={"common_name": "Andere CA"}
    )
    verdict = check_chain(chain, ChainContext(at=AT, certificate=other_ca))
    assert [b.rule for b in verdict.breaches] == ["certificate"]
    assert "issuer common_name" in verdict.breaches[0].message


def test_a_substitute_is_designated_by_college_or_commissaris() -> None:
    by_the_king = authority(
        {
            "soort": "waarneming",
            "van": "de Koning",
            "aan": person("beleidsmedewerker", "B. Bos"),
            "besluit": "b2",
        }
    )
    broken = check(
        by_the_king,
        certificate=cert_of("B. Bos"),
        formula="beleidsmedewerker, namens de gemeente Huizen",
    )
    assert broken.count("substitution") == 2  # wrong designator, and not a wethouder
    appointed = authority(
        {
            "soort": "waarneming",
            "van": "Commissaris van de Koning",
            "aan": person("waarnemend burgemeester van Huizen", "W. Wit"),
            "besluit": "b2",
        }
    )
    formula = "waarnemend burgemeester van Huizen, namens de gemeente Huizen"
    assert check(appointed, certificate=cert_of("W. Wit"), formula=formula) == []


def test_nobody_mandates_himself() -> None:
    itself = authority({**MANDATE, "aan": person(COLLEGE, "het college")})
    formula = "college van burgemeester en wethouders, namens het college van burgemeester en wethouders van Huizen"
    assert "self-grant" in check(
        itself, organs=("college",), certificate=cert_of("het college"), formula=formula
    )


def test_a_decomposed_letter_is_the_same_letter() -> None:
    decomposed = "Nationaal Coo\u0308rdinator Terrorismebestrijding en Veiligheid"
    context = consent_context(
        AT,
        covenant_id=COVENANT,
        coordinator=COORDINATOR,
        certificate=cert_of("A. Bakker"),
        formula=f"{decomposed}, namens de Minister van Justitie en Veiligheid",
    )
    assert check_chain(CONSENT_CHAIN, context).authorised
    cyrillic = CONSENT_FORMULA.replace("o", "\u043e", 1)  # a Cyrillic 'о' looks the same
    context = consent_context(
        AT,
        covenant_id=COVENANT,
        coordinator=COORDINATOR,
        certificate=cert_of("A. Bakker"),
        formula=cyrillic,
    )
    assert not check_chain(CONSENT_CHAIN, context).authorised


def test_every_municipality_name_is_recognised_after_its_functions() -> None:
    """'burgemeester van De Bilt' is De Bilt's burgemeester: a leading 'De'/'Het' in a
    municipality's name is part of the name (the benchmark of issue #15 found De Bilt
    refused). Checked for all 342 names, for the mayor and the college."""
    from toetreding.mandate import _forms, _is_mayor, normalise
    from toetreding.municipalities import all_municipalities

    names = [m.official_name for m in all_municipalities().values()]
    assert "De Bilt" in names and "Het Hogeland" in names and len(names) == 342
    for name in names:
        assert _is_mayor(f"burgemeester van {name}", name), name
        college = "college van burgemeester en wethouders"
        assert normalise(f"{college} van {name}") in _forms(college, name), name
    assert not _is_mayor("burgemeester van De Bilt", "Bilthoven")
    assert not _is_mayor("burgemeester van Huizen", "Enkhuizen")
