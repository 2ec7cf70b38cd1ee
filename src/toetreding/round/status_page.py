"""The round's status as one self-contained, accessible HTML page a coordinator can open or
mail: no scripts, nothing fetched (styles inline), headings, a real table with a caption and
header cells, contrast of at least 4.5:1, and the look of a Dutch government page.

The page is made with Jinja's autoescape on: every name, reason and signer is data from
returned files, which an outsider controls, so none of it can become markup.
"""

from __future__ import annotations

import datetime as dt

import jinja2

from .._version import __version__
from ..i18n import _, ui_language
from ..resources import bundled
from ..template_cache import template_cache
from ..textformat import long_date
from .status import STATE_WORDS, RoundStatus

TEMPLATE = "status.html.j2"


def status_page(status: RoundStatus, made_at: dt.datetime | None = None) -> str:
    """The HTML page for ``status`` (in the interface language)."""
    language = "nl" if ui_language() == "nl" else "en"
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(bundled("templates") / "round"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.bytecode_cache = template_cache(environment)
    made = (made_at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)

    def day(iso: str | None) -> str | None:
        if not iso:
            return None
        try:
            return long_date(dt.date.fromisoformat(iso), language)
        except ValueError:
            return iso  # not a date: shown as it is (and the register does not confirm it)

    counts = [
        {"state": state.value, "count": count, "word": _(STATE_WORDS[state])}
        for state, count in status.counts.items()
    ]
    rows = [
        {
            "code": party.code,
            "name": party.name,
            "state": party.state.value,
            "word": _(STATE_WORDS[party.state]),
            "effective": day(party.effective_date),
            "returns": party.returns,
            "signer": party.signer,
            "reasons": party.reasons,
        }
        for party in status.parties
    ]
    labels = {
        "title": _("Status of the round"),
        "round": _("round"),
        "skip": _("Skip to the status"),
        "covenant": _("Covenant"),
        "as_of": _("Status on"),
        "due": _("Returns due by"),
        "parties": _("Parties"),
        "note": _("Not confirmed"),
        "summary": _("Summary"),
        "per_party": _("Per party"),
        "caption": _(
            "Every party of the round: its state, the date its accession took effect, "
            "and why a return was rejected."
        ),
        "party": _("Party"),
        "code": _("CBS code"),
        "state": _("State"),
        "effective": _("Effective date"),
        "returns": _("Returns"),
        "signer": _("Signed by"),
        "reasons": _("Reasons"),
        "footer": _(
            "Made by toetreding {version} on {moment} (UTC) from the files of the round in "
            "{folder}. A verdict here rests on `toetreding verify`; check a single statement "
            "with it."
        ).format(version=__version__, moment=f"{made:%Y-%m-%d %H:%M}", folder=status.folder.name),
    }
    return environment.get_template(TEMPLATE).render(
        lang=language,
        version=__version__,
        status=status,
        t=labels,
        covenant=status.covenant_title or status.covenant,
        as_of=day(status.as_of.isoformat()),
        due=day(status.due),
        counts=counts,
        rows=rows,
    )
