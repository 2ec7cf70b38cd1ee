"""Which changes after a signature are allowed: pyHanko's standard rules, plus one for
tagged signature widgets.

A statement is PDF/UA: each signature widget is referenced from the structure tree
(an OBJR in a /Form element). When the acceptance fills the second field, its widget
object is updated, and pyHanko's standard policy then finds the widget "also used in
.Root.StructTreeRoot…" and calls the whole update suspicious — so every tagged
two-signature document would fail. The extra rule clears exactly that: the struct-tree
paths to a signature widget that *this revision signs* (its /V goes from absent to a
signature). Everything else about the update is still judged by the standard form rules
(only signature fields may be filled, nothing on the page may change).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pyhanko.sign.diff_analysis import (
    DEFAULT_DIFF_POLICY,
    ModificationLevel,
    QualifiedWhitelistRule,
    ReferenceUpdate,
    StandardDiffPolicy,
)
from pyhanko.sign.diff_analysis.rules_api import Context
from pyhanko.sign.fields import enumerate_sig_fields


class TaggedSignatureWidgetRule(QualifiedWhitelistRule):
    """Allow the structure tree's references to a signature widget that is being signed."""

    def apply_qualified(
        self, old: Any, new: Any
    ) -> Iterable[tuple[ModificationLevel, ReferenceUpdate]]:
        previously_signed = {
            field.reference: value is not None for _name, value, field in enumerate_sig_fields(old)
        }
        old._load_reverse_xref_cache()
        for _name, value, field in enumerate_sig_fields(new):
            reference = field.reference
            if value is None or previously_signed.get(reference, True):
                continue  # not signed in this revision (or a new field: standard rules)
            for path in old._get_usages_of_ref(reference):
                if str(path).startswith(".Root.StructTreeRoot"):
                    yield (
                        ModificationLevel.FORM_FILLING,
                        ReferenceUpdate(
                            reference, context_checked=Context.from_absolute(old, path)
                        ),
                    )


STATEMENT_DIFF_POLICY = StandardDiffPolicy(
    global_rules=[*DEFAULT_DIFF_POLICY.global_rules, TaggedSignatureWidgetRule()],
    form_rule=DEFAULT_DIFF_POLICY.form_rule,
)
"""pyHanko's default policy plus :class:`TaggedSignatureWidgetRule`."""
