"""What changed after a signature, in plain words, judged against a positive list.

A PDF signature covers the bytes of one revision; later incremental updates can change
what a reader *shows* without touching those bytes. pyHanko's difference analysis says how
*much* changed (a modification level), and its level "form filling" covers a new visible
signature widget painted over the text, or a changed form value — so a level alone must
never decide. This module compares the signed revision with every later revision object by
object, from the catalog down, and names each difference. Only these are allowed:

- a later signature in one of the statement's own pre-placed signature fields, in the
  statement's order (party first, then the acceptance); in a PDF that is not a statement,
  a later signature in any signature field, including a new one created for it;
- document timestamps in new, zero-size signature fields (B-LTA);
- validation data added to the document security store (DSS, B-LT): what it held may not
  be replaced, nor its records per signature (/VRI) or the store itself removed;
- the metadata update that signing needs: the XMP packet, /Info /ModDate and /Producer,
  and the catalog's /Version and /Extensions declarations.

Everything else is a forbidden change and is reported with where it is: a new field or
widget of any type (visible or not), a changed value of any non-signature field, an
appearance, flags or /Rect set on a field nobody signed, any annotation, actions and
JavaScript (/OpenAction, /AA, /Names), embedded files, optional content,
/NeedAppearances, /Perms, page content, resources, boxes and the page tree.

The comparison is structural and bounded: each pair of objects is compared once per
revision, nesting is limited, and objects with their own rules (pages, annotations,
fields) are judged where they belong, not again wherever they are referenced.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pyhanko.pdf_utils import generic

from ..i18n import N_, _
from .plainstreams import decoded_alike

MAX_DEPTH = 64
"""Deeper nesting than this is not compared (and reported): no real document needs it."""

BACK_POINTERS = frozenset({"/P", "/Parent", "/Pg"})
"""Keys that point back up a tree (to a parent, a page): compared by reference only, since
what they point to is compared on the way down."""

MAX_PAGES = 100_000
MAX_FIELDS = 10_000

INFO_KEYS_SIGNING_UPDATES = frozenset({"/ModDate", "/Producer"})
"""Document information entries a signing tool legitimately rewrites."""

DSS_KEYS = frozenset({"/Type", "/VRI", "/Certs", "/CRLs", "/OCSPs"})
"""What a document security store holds (PAdES, ISO 32000-2 §12.8.4.3)."""

CATALOG_KEYS_SIGNING_UPDATES = frozenset({"/Version", "/Extensions"})
"""Catalog entries that only declare which PDF features the file uses (signing adds them)."""

CATALOG_WORDS = {
    "/OpenAction": N_("an action that runs when the document is opened (/OpenAction)"),
    "/AA": N_("actions that run on document events (/AA)"),
    "/OCProperties": N_("optional content (/OCProperties), which can show or hide parts of a page"),
    "/Perms": N_("document permissions (/Perms)"),
    "/Outlines": N_("the bookmarks (/Outlines)"),
    "/StructTreeRoot": N_("the tagged structure that screen readers read (/StructTreeRoot)"),
    "/MarkInfo": N_("the tagging declaration (/MarkInfo)"),
    "/Lang": N_("the document language (/Lang)"),
    "/ViewerPreferences": N_("the viewer preferences"),
    "/PageLabels": N_("the page labels"),
    "/URI": N_("the base address for links (/URI)"),
    "/AF": N_("associated files (/AF)"),
    "/Collection": N_("a portfolio (/Collection)"),
    "/OutputIntents": N_("the colour output intent"),
    "/Dests": N_("the named destinations (/Dests)"),
    "/Threads": N_("the article threads"),
}

NAMES_WORDS = {
    "/JavaScript": N_("JavaScript (/Names /JavaScript)"),
    "/EmbeddedFiles": N_("embedded files (/Names /EmbeddedFiles)"),
    "/Dests": N_("named destinations (/Names /Dests)"),
    "/AP": N_("named appearance streams (/Names /AP)"),
}

PAGE_WORDS = {
    "/Contents": N_("its content"),
    "/Resources": N_("its resources (fonts, images)"),
    "/MediaBox": N_("its page size (/MediaBox)"),
    "/CropBox": N_("its visible area (/CropBox)"),
    "/BleedBox": N_("its /BleedBox"),
    "/TrimBox": N_("its /TrimBox"),
    "/ArtBox": N_("its /ArtBox"),
    "/Rotate": N_("its rotation"),
    "/UserUnit": N_("its scale (/UserUnit)"),
    "/AA": N_("actions that run when the page is opened or closed (/AA)"),
    "/Group": N_("its transparency group"),
    "/Tabs": N_("its tab order"),
}

INHERITED_PAGE_KEYS = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")

NEW_FIELD_SENTENCES = {
    "/Tx": N_("a new text field '{name}' was added after signing"),
    "/Btn": N_("a new button, check box or radio button '{name}' was added after signing"),
    "/Ch": N_("a new choice list '{name}' was added after signing"),
}
"""What a new field that is not a signature field is called, by its field type (/FT)."""


@dataclass(frozen=True)
class Change:
    """One difference between the signed revision and a later one."""

    revision: int
    description: str
    allowed: bool
    later_signature: bool = False
    """A later signature in a signature field (what DocMDP P=1 forbids even when allowed)."""


@dataclass(frozen=True)
class ChangePolicy:
    """Which later signatures are expected.

    ``statement_fields`` lists a statement's own signature fields in signing order; it is
    None for a PDF that is not a toetreding statement (any later signature allowed).
    """

    statement_fields: tuple[str, ...] | None


class _Incomparable(Exception):
    """The structure is too deep or too strange to compare: treat as a change."""


@dataclass
class _Field:
    """A terminal form field and its widget annotations, in one revision."""

    name: str
    ref: tuple[int, int]
    dictionary: Any
    field_type: str | None
    widgets: list[tuple[tuple[int, int], Any]]

    @property
    def value(self) -> Any:
        return _get(self.dictionary, "/V")

    @property
    def visible(self) -> bool:
        return any(_area(widget) > 0 or _may_draw(widget) for _ref, widget in self.widgets)

    @property
    def foreign_kids(self) -> bool:
        """Kids that are not widget annotations (a field's kids are widgets or fields)."""
        return any(
            _get(widget, "/Subtype") not in (None, "/Widget")
            if ref == self.ref
            else _get(widget, "/Subtype") != "/Widget"
            for ref, widget in self.widgets
        )


@dataclass
class _Revision:
    """One revision's view plus the lookups the comparison needs."""

    resolver: Any
    pages: list[tuple[tuple[int, int], Any]] = field(default_factory=list)
    tree_nodes: list[tuple[tuple[int, int], Any]] = field(default_factory=list)
    """The page tree's inner nodes, in the order a reader walks them."""
    parent_mismatch: bool = False
    """Whether some node's /Parent is not the node whose /Kids list it."""
    fields: dict[str, _Field] = field(default_factory=dict)
    widget_owner: dict[tuple[int, int], str] = field(default_factory=dict)
    field_objects: set[tuple[int, int]] = field(default_factory=set)
    """Every field dictionary of the form tree (each may be reached once)."""
    owned: set[tuple[int, int]] = field(default_factory=set)


class RevisionCache:
    """What the reviews of one file's signatures share: each revision's pages and fields,
    and for each signed revision which objects refer to which.

    A file with a signature and two document timestamps is reviewed three times, from three
    signed revisions; without this each review read and walked every object again. The
    reference graph of a later signed revision is derived from an earlier one: only the
    objects written after it (and what they newly lead to) are read again.
    """

    def __init__(self, reader: Any, earliest: int | None = None) -> None:
        self.reader = reader
        self.earliest = earliest
        """The earliest signed revision, whose graph the later ones are derived from."""
        self._revisions: dict[int, _Revision] = {}
        self._graphs: dict[int, _Graph] = {}

    def revision(self, number: int) -> _Revision:
        """One revision's pages and form fields (read once)."""
        loaded = self._revisions.get(number)
        if loaded is None:
            loaded = self._revisions[number] = _load(self.reader.get_historical_resolver(number))
        return loaded

    def parents(self, number: int) -> dict[tuple[int, int], set[tuple[int, int]]]:
        """For every object reachable in this revision, the objects that refer to it.

        Objects that stopped being reachable in a later revision keep their entries: that
        only marks more objects as touched, so more is compared, never less.
        """
        graph = self._graphs.get(number)
        if graph is None:
            if self.earliest is not None and self.earliest < number and not self._graphs:
                with suppress(_Incomparable, RecursionError):  # the earliest review reports it
                    self.parents(self.earliest)
            earlier = [n for n in self._graphs if n < number]
            resolver = self.reader.get_historical_resolver(number)
            if earlier:
                graph = self._graphs[max(earlier)].advanced_to(resolver)
            else:
                graph = _Graph.walked(resolver)
            self._graphs[number] = graph
        return graph.parents


def review_changes(
    reader: Any,
    signed_revision: int,
    policy: ChangePolicy,
    cache: RevisionCache | None = None,
) -> list[Change]:
    """Every difference after ``signed_revision``, each marked allowed or not.

    A difference is reported once, at the first revision that shows it. Reviews of the
    same file share a ``cache``.
    """
    cache = cache if cache is not None else RevisionCache(reader)
    total = reader.xrefs.total_revisions
    if signed_revision >= total - 1:
        return []
    seen: set[str] = set()
    changes: list[Change] = []
    try:
        base = cache.revision(signed_revision)
        parents = cache.parents(signed_revision)
    except (_Incomparable, RecursionError) as error:
        reason = str(error) if isinstance(error, _Incomparable) else _("it is nested too deeply")
        return [
            Change(
                signed_revision,
                _("the signed revision cannot be read safely: {reason}").format(reason=reason),
                False,
            )
        ]
    rewritten: set[tuple[int, int]] = set()
    for revision in range(signed_revision + 1, total):
        rewritten |= _written_in(reader, revision)
        try:
            current = cache.revision(revision)
        except (_Incomparable, RecursionError) as error:
            reason = str(error) if isinstance(error, _Incomparable) else _("nested too deeply")
            found = [
                Change(
                    revision,
                    _("a later revision cannot be read safely: {reason}").format(reason=reason),
                    False,
                )
            ]
        else:
            touched = _ancestors(rewritten, parents)
            found = list(_Comparison(base, current, revision, policy, frozenset(touched)).run())
        for change in found:
            if change.description not in seen:
                seen.add(change.description)
                changes.append(change)
    return changes


def _written_in(reader: Any, revision: int) -> set[tuple[int, int]]:
    """The objects a revision writes or frees."""
    return {_key(r) for r in reader.xrefs.explicit_refs_in_revision(revision)} | {
        _key(r) for r in reader.xrefs.refs_freed_in_revision(revision)
    }


def forbidden(changes: list[Change]) -> list[Change]:
    """The changes that break the earlier signature."""
    return [c for c in changes if not c.allowed]


# --- reading one revision ------------------------------------------------------------


MAX_OBJECTS = 2_000_000


@dataclass
class _Graph:
    """Who refers to whom among the objects reachable in one revision."""

    resolver: Any
    parents: dict[tuple[int, int], set[tuple[int, int]]] = field(default_factory=dict)
    children: dict[tuple[int, int], set[tuple[int, int]]] = field(default_factory=dict)
    visited: set[tuple[int, int]] = field(default_factory=set)

    @classmethod
    def walked(cls, resolver: Any) -> _Graph:
        """Every object reachable from the trailer's /Root and /Info, read once."""
        graph = cls(resolver)
        roots = graph._roots()
        graph.visited |= {_key(item.reference) for item in roots}
        graph._walk(roots)
        return graph

    def advanced_to(self, resolver: Any) -> _Graph:
        """The graph of a later revision: the objects written in between are read again,
        with what they lead to that was not reachable before.

        Any object newly reachable in the later revision is reached through one written in
        between (an unchanged object has the same references as before), and every such
        object that was reachable before is read again here, so nothing reachable is missed.
        """
        graph = _Graph(
            resolver,
            {child: set(refs) for child, refs in self.parents.items()},
            {parent: set(refs) for parent, refs in self.children.items()},
            set(self.visited),
        )
        reader = resolver.reader
        written: set[tuple[int, int]] = set()
        for revision in range(self.resolver.revision + 1, resolver.revision + 1):
            written |= _written_in(reader, revision)
        again = []
        for key in sorted(written & graph.visited):
            for child in graph.children.pop(key, set()):
                graph.parents.get(child, set()).discard(key)
            again.append(generic.IndirectObject(key[0], key[1], resolver))
        starts = [item for item in graph._roots() if _key(item.reference) not in graph.visited]
        graph.visited |= {_key(item.reference) for item in starts}
        graph._walk(again + starts)
        return graph

    def _roots(self) -> list[Any]:
        trailer = self.resolver.trailer_view
        start = [trailer.raw_get(k) for k in ("/Root", "/Info") if k in trailer]
        return [item for item in start if isinstance(item, generic.IndirectObject)]

    def _walk(self, queue: list[Any]) -> None:
        resolver = self.resolver
        reader = resolver.reader
        while queue:
            item = queue.pop()
            if len(self.visited) > MAX_OBJECTS:
                raise _Incomparable(_("the document has too many objects"))
            obj = _read_signed_version(reader, resolver, item)  # a freed object reads as null
            here = _key(item)
            children = self.children.setdefault(here, set())
            for child in _references_in(obj, 0):
                key = _key(child)
                children.add(key)
                self.parents.setdefault(key, set()).add(here)
                if key not in self.visited:
                    self.visited.add(key)
                    queue.append(child)


def reachable_objects(resolver: Any) -> set[tuple[int, int]]:
    """Every object reachable from one revision's trailer (/Root and /Info); empty when
    the revision cannot be walked (the change review reports that)."""
    try:
        return set(_Graph.walked(resolver).visited)
    except (_Incomparable, RecursionError):
        return set()


def _read_signed_version(reader: Any, resolver: Any, item: Any) -> Any:
    """An object as the signed revision has it, from the reader's shared cache when possible.

    Historical views copy every object they read; an object last written at or before the
    signed revision is the same in the shared cache, which all signatures of a file share.
    """
    plain = generic.Reference(item.idnum, item.generation)
    try:
        last = reader.xrefs.get_last_change(plain)
    except KeyError:
        last = None
    if last is not None and last <= resolver.revision:
        return reader.get_object(plain)
    return generic.IndirectObject(item.idnum, item.generation, resolver).get_object()


def _ancestors(
    changed: set[tuple[int, int]], parents: dict[tuple[int, int], set[tuple[int, int]]]
) -> set[tuple[int, int]]:
    """The changed objects and every object of the signed revision that leads to one."""
    result = set(changed)
    queue = list(changed)
    while queue:
        for parent in parents.get(queue.pop(), ()):
            if parent not in result:
                result.add(parent)
                queue.append(parent)
    return result


def _key(reference: Any) -> tuple[int, int]:
    return (int(reference.idnum), int(reference.generation))


def _get(dictionary: Any, key: str) -> Any:
    """A dictionary value, resolved, or None (also for non-dictionaries)."""
    if not isinstance(dictionary, generic.DictionaryObject):
        return None
    try:
        return dictionary[key]
    except KeyError:
        return None


def _raw(dictionary: Any, key: str) -> Any:
    if not isinstance(dictionary, generic.DictionaryObject):
        return None
    try:
        return dictionary.raw_get(key)
    except KeyError:
        return None


def _area(annotation: Any) -> float:
    """The widget's area; anything but four readable numbers counts as visible.

    Viewers differ on odd rectangles (MuPDF draws a five-number /Rect, numbers may be
    indirect objects), so only a plain zero-area rectangle is taken as invisible.
    """
    rect = _get(annotation, "/Rect")
    if not isinstance(rect, generic.ArrayObject) or len(rect) != 4:
        return float("inf")
    # numbers written as numbers: pyHanko reads "(842)" as 842 and poppler as 1, which
    # turned a "zero-size" rectangle into the whole page
    if not all(
        isinstance(rect.raw_get(i), (generic.NumberObject, generic.FloatObject)) for i in range(4)
    ):
        return float("inf")
    try:
        # exactly as written: 399.99999999999999999999 is not 400 (a float says it is,
        # poppler does not, and drew a text layer on a "zero-area" widget that way)
        x1, y1, x2, y2 = (Decimal(str(rect[i])) for i in range(4))  # resolves references
    except (TypeError, ValueError, ArithmeticError):
        return float("inf")
    return float(abs(x2 - x1) * abs(y2 - y1)) or (0.0 if x1 == x2 or y1 == y2 else 1.0)


_COMMENT = re.compile(rb"%[^\r\n]*")


def _may_draw(widget: Any) -> bool:
    """Whether a widget carries anything a viewer could draw, whatever its rectangle: an
    appearance stream with content, or a caption and style a viewer would draw from."""
    if _get(widget, "/MK") is not None:
        return True
    appearances = _get(widget, "/AP")
    if appearances is None:
        return False
    if not isinstance(appearances, generic.DictionaryObject):
        return True
    for key in appearances:
        value = _get(appearances, key)
        states = (
            [_get(value, state) for state in value]
            if isinstance(value, generic.DictionaryObject)
            and not isinstance(value, generic.StreamObject)
            else [value]
        )
        for state in states:
            if not isinstance(state, generic.StreamObject):
                return True
            # decoded as every reader decodes it: pyHanko ignores /F (an external file to
            # it) where poppler reads it as /Filter, and decoded a hidden drawing as a comment
            content = decoded_alike(state)
            # only comments and whitespace draw nothing (Acrobat writes "% DSBlank")
            if content is None or _COMMENT.sub(b"", content).strip():
                return True
    return False


def _load(resolver: Any) -> _Revision:
    revision = _Revision(resolver)
    root = resolver.root
    revision.owned.add(_key(resolver.root_ref))
    pages = _raw(root, "/Pages")
    if isinstance(pages, generic.IndirectObject):
        revision.owned.add(_key(pages.reference))
        _collect_pages(pages, revision, 0)
    form = _get(root, "/AcroForm")
    fields = _get(form, "/Fields")
    if isinstance(fields, generic.ArrayObject):
        _collect_fields(fields, "", None, revision, 0)
    for _ref, page in revision.pages:
        for annotation in _annotations(page):
            if isinstance(annotation, generic.IndirectObject):
                revision.owned.add(_key(annotation.reference))
    return revision


def _collect_pages(node: Any, revision: _Revision, depth: int) -> None:
    if depth > MAX_DEPTH or len(revision.pages) > MAX_PAGES:
        raise _Incomparable(_("the page tree is too deep or too large"))
    reference = _key(node.reference)
    dictionary = node.get_object()
    if not isinstance(dictionary, generic.DictionaryObject):
        return
    kind = _get(dictionary, "/Type")
    kids = _get(dictionary, "/Kids")
    # viewers (poppler) take a node with /Kids for an inner node and any other for a page,
    # whatever its /Type says; one whose /Type says otherwise is read two ways
    if (kind == "/Pages") != isinstance(kids, generic.ArrayObject) or (
        kind == "/Page" and kids is not None
    ):
        raise _Incomparable(_("the page tree has a node whose /Type and /Kids disagree"))
    if isinstance(kids, generic.ArrayObject):
        revision.owned.add(reference)
        revision.tree_nodes.append((reference, dictionary))
        for kid in kids:
            if not isinstance(kid, generic.IndirectObject):
                raise _Incomparable(_("the page tree has a node that is not an object"))
            if _key(kid.reference) in revision.owned:
                raise _Incomparable(_("the page tree refers to itself"))
            parent = _raw(kid.get_object(), "/Parent")
            if (
                not isinstance(parent, generic.IndirectObject)
                or _key(parent.reference) != reference
            ):
                # attributes are inherited along the /Kids path by viewers, along /Parent by
                # this review: where the two part, a change after signing is refused (_pages)
                revision.parent_mismatch = True
            _collect_pages(kid, revision, depth + 1)
    else:
        revision.owned.add(reference)
        revision.pages.append((reference, dictionary))


def _annotations(page: Any) -> list[Any]:
    value = _get(page, "/Annots")
    if not isinstance(value, generic.ArrayObject):
        return []
    raw = _raw(page, "/Annots")
    array = raw.get_object() if isinstance(raw, generic.IndirectObject) else raw
    return list(array) if isinstance(array, generic.ArrayObject) else []


def _collect_fields(
    array: Any, prefix: str, inherited_type: Any, revision: _Revision, depth: int
) -> None:
    if depth > MAX_DEPTH or len(revision.fields) > MAX_FIELDS:
        raise _Incomparable(_("the form is too deep or too large"))
    for item in array:
        if not isinstance(item, generic.IndirectObject):
            raise _Incomparable(_("the form lists a field that is not an object"))
        dictionary = item.get_object()
        if not isinstance(dictionary, generic.DictionaryObject):
            raise _Incomparable(_("the form lists a field that is not a dictionary"))
        reference = _key(item.reference)
        # one field object, one name: a field reached twice (through a second parent) would
        # be judged under one name while another field's widgets went unjudged
        if reference in revision.field_objects:
            raise _Incomparable(_("the form lists one field more than once"))
        revision.field_objects.add(reference)
        partial = _get(dictionary, "/T")
        field_type = _get(dictionary, "/FT") or inherited_type
        name = f"{prefix}.{partial}" if prefix and partial is not None else str(partial or prefix)
        kids = _get(dictionary, "/Kids")
        named_kids = [
            k
            for k in (kids if isinstance(kids, generic.ArrayObject) else [])
            if isinstance(k, generic.IndirectObject) and _get(k.get_object(), "/T") is not None
        ]
        revision.owned.add(reference)
        if named_kids:
            _collect_fields(named_kids, name, field_type, revision, depth + 1)
            continue
        widgets: list[tuple[tuple[int, int], Any]] = []
        if _get(dictionary, "/Subtype") == "/Widget" or not isinstance(kids, generic.ArrayObject):
            widgets.append((reference, dictionary))
        for kid in kids if isinstance(kids, generic.ArrayObject) else []:
            if isinstance(kid, generic.IndirectObject):
                widgets.append((_key(kid.reference), kid.get_object()))
                revision.owned.add(_key(kid.reference))
        if name in revision.fields:
            raise _Incomparable(_("two form fields have the same name '{name}'").format(name=name))
        revision.fields[name] = _Field(name, reference, dictionary, field_type, widgets)
        for widget_ref, _widget in widgets:
            revision.widget_owner[widget_ref] = name


# --- comparing two revisions -----------------------------------------------------------


class _Comparison:
    """The signed revision against one later revision."""

    def __init__(
        self,
        base: _Revision,
        current: _Revision,
        revision: int,
        policy: ChangePolicy,
        touched: frozenset[tuple[int, int]],
    ) -> None:
        self.touched = touched
        """Objects written again after the signed revision (up to this one), and every
        object of the signed revision that refers to one of them, directly or not."""
        self.base = base
        self.current = current
        self.revision = revision
        self.policy = policy
        self._memo: dict[tuple[tuple[int, int], tuple[int, int]], bool] = {}

    def run(self) -> Iterator[Change]:
        try:
            yield from self._trailer()
            yield from self._catalog()
            yield from self._fields()
            yield from self._pages()
        except _Incomparable as error:
            yield self._forbidden(
                _("the changed document cannot be compared safely: {reason}").format(reason=error)
            )
        except RecursionError:
            yield self._forbidden(_("the changed document is nested too deeply to compare safely"))

    def _allowed(self, text: str, *, later_signature: bool = False) -> Change:
        return Change(self.revision, text, True, later_signature)

    def _forbidden(self, text: str) -> Change:
        return Change(self.revision, text, False)

    # trailer and catalog ---------------------------------------------------------------

    def _trailer(self) -> Iterator[Change]:
        old, new = self.base.resolver.trailer_view, self.current.resolver.trailer_view
        if _raw(new, "/Encrypt") is not None and _raw(old, "/Encrypt") is None:
            yield self._forbidden(_("the document was encrypted after signing"))
        # the trailer's references resolve in the newest revision: bind them to each view
        old_info = _in_view(_raw(old, "/Info"), self.base.resolver)
        new_info = _in_view(_raw(new, "/Info"), self.current.resolver)
        if isinstance(old_info, generic.DictionaryObject) and not isinstance(
            new_info, generic.DictionaryObject
        ):
            yield self._forbidden(_("the document information (/Info) was removed or replaced"))
        elif isinstance(new_info, generic.DictionaryObject):
            old_info = old_info if isinstance(old_info, generic.DictionaryObject) else {}
            for key in sorted(set(old_info) | set(new_info)):
                if key in INFO_KEYS_SIGNING_UPDATES:
                    # a date or a name written as a string, nothing else: a reference here
                    # made a forged catalog an object "in use" (found in review)
                    value = _raw(new_info, key)
                    if value is not None and not isinstance(
                        value, (generic.TextStringObject, generic.ByteStringObject)
                    ):
                        yield self._forbidden(
                            _(
                                "the document information entry {key} is no longer a plain text"
                            ).format(key=key)
                        )
                    continue
                if self._differs(_raw(old_info, key), _raw(new_info, key)):
                    yield self._forbidden(
                        _("the document information entry {key} was changed").format(key=key)
                    )

    def _catalog(self) -> Iterator[Change]:
        old, new = self.base.resolver.root, self.current.resolver.root
        for key in sorted(set(old) | set(new)):
            before, after = _raw(old, key), _raw(new, key)
            if key in ("/Pages", "/AcroForm", "/Type"):
                if key == "/Type" and self._differs(before, after):
                    yield self._forbidden(_("the document catalog's /Type was changed"))
                continue  # judged by their own rules
            if not self._differs(before, after):
                continue
            if key == "/DSS":
                yield from self._dss(before, after)
            elif key == "/Metadata":
                yield from self._metadata(before, after)
            elif key in CATALOG_KEYS_SIGNING_UPDATES:
                yield self._allowed(
                    _("the PDF version declaration ({key}) was updated").format(key=key)
                )
            elif key == "/Names":
                yield from self._names(before, after)
            else:
                what = (
                    _(CATALOG_WORDS[key])
                    if key in CATALOG_WORDS
                    else _("the document catalog entry {key}").format(key=key)
                )
                if before is None:
                    sentence = _("{what} was added after signing")
                elif after is None:
                    sentence = _("{what} was removed after signing")
                else:
                    sentence = _("{what} was changed after signing")
                yield self._forbidden(sentence.format(what=what))
        yield from self._acroform_dictionary(_get(old, "/AcroForm"), _get(new, "/AcroForm"))

    def _dss(self, before: Any, after: Any) -> Iterator[Change]:
        """Validation data may be added, and single certificates, CRLs and OCSP responses
        dropped (PAdES allows it); the store itself, its record per signature (/VRI), what
        it held replaced in place, and anything else in it, may not (pyHanko's DSS rule)."""
        old = before.get_object() if _is_ref(before) else before  # in the signed revision
        new = after.get_object() if _is_ref(after) else after
        if not isinstance(new, generic.DictionaryObject):
            if new is None:
                yield self._forbidden(_("the validation data (/DSS) was removed after signing"))
            else:
                yield self._forbidden(_("the document security store (/DSS) is not a dictionary"))
            return
        unexpected = sorted(set(new) - DSS_KEYS)
        if unexpected:
            yield self._forbidden(
                _("the document security store holds unexpected entries: {keys}").format(
                    keys=", ".join(unexpected)
                )
            )
            return
        old_store = old if isinstance(old, generic.DictionaryObject) else generic.DictionaryObject()
        for key in ("/Certs", "/CRLs", "/OCSPs"):
            before_items = _raw_items(old_store, key)
            after_items = _raw_items(new, key)
            for reference, item in before_items.items():
                if reference in after_items and self._differs(item, after_items[reference]):
                    yield self._forbidden(
                        _(
                            "validation data in the document security store ({key}) was "
                            "replaced after signing"
                        ).format(key=key)
                    )
                    return
        old_records, new_records = _get(old_store, "/VRI"), _get(new, "/VRI")
        if isinstance(old_records, generic.DictionaryObject):
            for name in old_records:
                if not isinstance(new_records, generic.DictionaryObject) or (
                    name not in new_records
                    or self._differs(old_records.raw_get(name), new_records.raw_get(name))
                ):
                    yield self._forbidden(
                        _(
                            "a validation record (/VRI) in the document security store was "
                            "removed or changed after signing"
                        )
                    )
                    return
        if not _plain_validation_data(old_store, new):
            yield self._forbidden(
                _(
                    "validation data added to the document security store carries more than "
                    "data (other entries, or references to other objects): a certificate, CRL "
                    "or OCSP response refers to nothing"
                )
            )
            return
        yield self._allowed(_("validation data was added to the document security store"))

    def _metadata(self, before: Any, after: Any) -> Iterator[Change]:
        """Only the XMP properties signing rewrites may change (compared by meaning)."""
        from .xmp import SIGNING_UPDATES, XmpError, properties, readable

        try:
            new = properties(_stream_data(after))
        except XmpError as error:
            yield self._forbidden(
                _("the XMP metadata was replaced by something unusable: {reason}").format(
                    reason=error
                )
            )
            return
        try:
            old = properties(_stream_data(before)) if before is not None else {}
        except XmpError:
            old = {}
        changed = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
        forbidden_names = [readable(k) for k in changed if k not in SIGNING_UPDATES]
        for name in forbidden_names:
            yield self._forbidden(
                _("the document's metadata property {name} was changed").format(name=name)
            )
        if not forbidden_names:
            yield self._allowed(_("the XMP metadata was updated"))

    def _names(self, before: Any, after: Any) -> Iterator[Change]:
        old = before.get_object() if isinstance(before, generic.IndirectObject) else before
        new = after.get_object() if isinstance(after, generic.IndirectObject) else after
        old = old if isinstance(old, generic.DictionaryObject) else generic.DictionaryObject()
        new = new if isinstance(new, generic.DictionaryObject) else generic.DictionaryObject()
        named = False
        for key in sorted(set(old) | set(new)):
            if self._differs(_raw(old, key), _raw(new, key)):
                named = True
                what = (
                    _(NAMES_WORDS[key])
                    if key in NAMES_WORDS
                    else _("the name tree {key} (/Names)").format(key=key)
                )
                yield self._forbidden(
                    _("{what} was added or changed after signing").format(what=what)
                )
        if not named:
            yield self._forbidden(_("the document's name dictionary (/Names) was changed"))

    def _acroform_dictionary(self, old: Any, new: Any) -> Iterator[Change]:
        old = old if isinstance(old, generic.DictionaryObject) else generic.DictionaryObject()
        new = new if isinstance(new, generic.DictionaryObject) else generic.DictionaryObject()
        for key in sorted(set(old) | set(new)):
            if key in ("/Fields", "/SigFlags", "/DR", "/DA"):
                continue  # fields have their own rules; flags and defaults affect no appearance
            if not self._differs(_raw(old, key), _raw(new, key)):
                continue
            if key == "/NeedAppearances":
                if bool(_get(new, key)):
                    yield self._forbidden(
                        _(
                            "the form now asks viewers to redraw field appearances "
                            "(/NeedAppearances), which can change what is shown"
                        )
                    )
            elif key == "/XFA":
                yield self._forbidden(_("an XFA form was added or changed after signing"))
            else:
                yield self._forbidden(
                    _("the form's {key} entry was changed after signing").format(key=key)
                )

    # form fields -----------------------------------------------------------------------

    def _fields(self) -> Iterator[Change]:
        old_fields, new_fields = self.base.fields, self.current.fields
        for name in sorted(set(old_fields) - set(new_fields)):
            yield self._forbidden(_("the form field '{name}' was removed").format(name=name))
        for name in sorted(set(new_fields) - set(old_fields)):
            yield from self._new_field(new_fields[name])
        for name in sorted(set(old_fields) & set(new_fields)):
            yield from self._existing_field(old_fields[name], new_fields[name])

    def _new_field(self, new: _Field) -> Iterator[Change]:
        name = new.name
        visibility = _("visible") if new.visible else _("invisible")
        if new.foreign_kids:
            yield self._forbidden(
                _("the new field '{name}' carries annotations that are not form widgets").format(
                    name=name
                )
            )
            return
        if new.field_type != "/Sig":
            sentence = NEW_FIELD_SENTENCES.get(
                str(new.field_type), N_("a new form field '{name}' was added after signing")
            )
            yield self._forbidden(_(sentence).format(name=name))
            return
        value = new.value
        if value is None:
            yield self._forbidden(
                _(
                    "a new, empty signature field '{name}' ({visibility}) was added after "
                    "signing; an unsigned field can show anything"
                ).format(name=name, visibility=visibility)
            )
            return
        if not isinstance(value, generic.DictionaryObject):
            yield self._forbidden(
                _("the new signature field '{name}' holds a value that is not a signature").format(
                    name=name
                )
            )
            return
        if _is_document_timestamp(value):
            if _has_actions(new):
                yield self._forbidden(
                    _("the new timestamp field '{name}' carries actions").format(name=name)
                )
            elif new.visible:
                yield self._forbidden(
                    _("a document timestamp in new field '{name}' has a visible appearance").format(
                        name=name
                    )
                )
            else:
                yield self._allowed(
                    _("document timestamp in the new field '{name}'").format(name=name)
                )
            return
        if _has_actions(new):
            yield self._forbidden(
                _("the new signature field '{name}' carries actions (/AA, /A)").format(name=name)
            )
            return
        if self.policy.statement_fields is None:
            yield self._allowed(
                _("later signature in the new field '{name}'").format(name=name),
                later_signature=True,
            )
            return
        yield self._forbidden(
            _(
                "a new signature field '{name}' ({visibility}) was added and signed; a "
                "statement is signed only in its own fields"
            ).format(name=name, visibility=visibility)
        )

    def _existing_field(self, old: _Field, new: _Field) -> Iterator[Change]:
        if old.field_type != new.field_type:
            yield self._forbidden(
                _("the type of form field '{name}' was changed").format(name=old.name)
            )
            return
        if old.field_type != "/Sig":
            yield from self._explain_field_change(old, new)
            return
        was_signed, is_signed = old.value is not None, new.value is not None
        if was_signed:
            if self._field_differs(old, new, ignore=frozenset()):
                yield self._forbidden(
                    _("the signature in field '{name}' was changed after it was made").format(
                        name=old.name
                    )
                )
            return
        if not is_signed:
            yield from self._explain_field_change(old, new)
            return
        yield from self._later_signature(old, new)

    def _later_signature(self, old: _Field, new: _Field) -> Iterator[Change]:
        name = old.name
        value_raw = _raw(new.dictionary, "/V")
        if _is_document_timestamp(new.value):
            yield self._forbidden(
                _("a document timestamp was put into the signature field '{name}'").format(
                    name=name
                )
            )
            return
        if not isinstance(value_raw, generic.IndirectObject) or not (
            self.base.resolver.is_ref_unassignable(value_raw.reference)
        ):
            yield self._forbidden(
                _(
                    "the signature value in field '{name}' reuses an object of the signed document"
                ).format(name=name)
            )
            return
        order = self.policy.statement_fields
        if order is not None:
            if name not in order:
                yield self._forbidden(
                    _(
                        "a later signature was made in field '{name}', which is not one of the "
                        "statement's signature fields"
                    ).format(name=name)
                )
                return
            position = order.index(name)
            for earlier in order[:position]:
                field_now = self.current.fields.get(earlier)
                if field_now is None or field_now.value is None:
                    yield self._forbidden(
                        _(
                            "field '{name}' was signed before field '{earlier}', against the "
                            "statement's order"
                        ).format(name=name, earlier=earlier)
                    )
                    return
            for later in order[position + 1 :]:
                field_then = self.base.fields.get(later)
                if field_then is not None and field_then.value is not None:
                    yield self._forbidden(
                        _(
                            "field '{name}' was signed after field '{later}', against the "
                            "statement's order"
                        ).format(name=name, later=later)
                    )
                    return
        if self._field_differs(old, new, ignore=frozenset({"/V", "/AP"})):
            yield self._forbidden(
                _(
                    "field '{name}' was changed beyond its signature and appearance when it was "
                    "signed"
                ).format(name=name)
            )
            return
        yield self._allowed(
            _("later signature in the field '{name}'").format(name=name), later_signature=True
        )

    def _field_differs(self, old: _Field, new: _Field, ignore: frozenset[str]) -> bool:
        if old.ref != new.ref or len(old.widgets) != len(new.widgets):
            return True
        if self._dict_differs(old.dictionary, new.dictionary, ignore | {"/Kids", "/Parent"}):
            return True
        for (old_ref, old_widget), (new_ref, new_widget) in zip(
            old.widgets, new.widgets, strict=True
        ):
            if old_ref != new_ref:
                return True
            if old_ref != old.ref and self._dict_differs(
                old_widget, new_widget, (ignore & {"/AP"}) | {"/Parent"}
            ):
                return True
        return False

    def _explain_field_change(self, old: _Field, new: _Field) -> Iterator[Change]:
        name = old.name
        if old.ref != new.ref:
            yield self._forbidden(_("the form field '{name}' was replaced").format(name=name))
            return
        keys: set[str] = set()
        dictionaries = [(old.dictionary, new.dictionary)]
        if len(old.widgets) != len(new.widgets) or any(
            a[0] != b[0] for a, b in zip(old.widgets, new.widgets, strict=False)
        ):
            yield self._forbidden(
                _("widgets of the form field '{name}' were added or removed").format(name=name)
            )
            return
        dictionaries += [(a[1], b[1]) for a, b in zip(old.widgets, new.widgets, strict=True)]
        for before, after in dictionaries:
            for key in set(before) | set(after):
                if key in ("/Kids", "/Parent", "/P"):
                    continue
                if self._differs(_raw(before, key), _raw(after, key)):
                    keys.add(key)
        words = {
            "/V": N_("the value of form field '{name}' was changed"),
            "/AP": N_("the appearance of field '{name}' was changed although nobody signed it"),
            "/AS": N_("the appearance state of field '{name}' was changed"),
            "/F": N_("the display flags of field '{name}' were changed"),
            "/Rect": N_("the position or size (/Rect) of field '{name}' was changed"),
            "/MK": N_("the border and background of field '{name}' were changed"),
            "/DA": N_("the text style of field '{name}' was changed"),
            "/AA": N_("actions were added to field '{name}' (/AA)"),
            "/A": N_("an action was added to field '{name}' (/A)"),
        }
        for key in sorted(keys):
            sentence = words.get(key, N_("the entry {key} of field '{name}' was changed"))
            yield self._forbidden(_(sentence).format(name=name, key=key))

    # pages and annotations ---------------------------------------------------------------

    def _pages(self) -> Iterator[Change]:
        old_pages, new_pages = self.base.pages, self.current.pages
        if len(old_pages) != len(new_pages):
            yield self._forbidden(
                _("pages were added or removed: {then} when signed, {now} now").format(
                    then=len(old_pages), now=len(new_pages)
                )
            )
            return
        if [r for r, _page in old_pages] != [r for r, _page in new_pages]:
            yield self._forbidden(_("the pages were replaced or put in another order"))
            return
        if self.current.parent_mismatch and not self.base.parent_mismatch:
            yield self._forbidden(_("a page-tree node's /Parent is not the node listing it"))
            return
        old_nodes, new_nodes = self.base.tree_nodes, self.current.tree_nodes
        if [r for r, _node in old_nodes] != [r for r, _node in new_nodes] or any(
            self._differs(old, new)
            for (_ref, old), (_same, new) in zip(old_nodes, new_nodes, strict=True)
        ):
            # counts, kids and what pages inherit (resources, boxes, rotation) live here
            yield self._forbidden(_("the page tree was changed"))
            return
        for number, ((_ref, old), (_same, new)) in enumerate(
            zip(old_pages, new_pages, strict=True), start=1
        ):
            yield from self._page(number, old, new)

    def _page(self, number: int, old: Any, new: Any) -> Iterator[Change]:
        for key in sorted((set(old) | set(new)) - {"/Annots", "/Parent", "/Type"}):
            if key in INHERITED_PAGE_KEYS:
                continue
            if self._differs(_raw(old, key), _raw(new, key)):
                what = (
                    _(PAGE_WORDS[key])
                    if key in PAGE_WORDS
                    else _("its entry {key}").format(key=key)
                )
                yield self._forbidden(
                    _("page {number}: {what} was changed").format(number=number, what=what)
                )
        for key in INHERITED_PAGE_KEYS:
            if self._differs(_inherited(old, key), _inherited(new, key)):
                yield self._forbidden(
                    _("page {number}: {what} was changed").format(
                        number=number, what=_(PAGE_WORDS[key])
                    )
                )
        yield from self._annotations(number, old, new)

    def _annotations(self, number: int, old_page: Any, new_page: Any) -> Iterator[Change]:
        old = {_key(a.reference): a for a in _annotations(old_page) if _is_ref(a)}
        new = {_key(a.reference): a for a in _annotations(new_page) if _is_ref(a)}
        old_direct = [a for a in _annotations(old_page) if not _is_ref(a)]
        new_direct = [a for a in _annotations(new_page) if not _is_ref(a)]
        if len(old_direct) != len(new_direct) or any(
            self._differs(a, b) for a, b in zip(old_direct, new_direct, strict=True)
        ):
            yield self._forbidden(
                _("page {number}: an annotation was added, removed or changed").format(
                    number=number
                )
            )
        if set(old) - set(new):
            yield self._forbidden(
                _("page {number}: an annotation was removed").format(number=number)
            )
        for reference in sorted(set(new) - set(old)):
            annotation = new[reference].get_object()
            owner = self.current.widget_owner.get(reference)
            if owner is not None and owner not in self.base.fields:
                continue  # a widget of a new field: judged with that field
            subtype = str(_get(annotation, "/Subtype") or "?").lstrip("/")
            if owner is not None:
                yield self._forbidden(
                    _("page {number}: a new widget was added to the form field '{name}'").format(
                        number=number, name=owner
                    )
                )
            else:
                yield self._forbidden(
                    _("page {number}: a new annotation ({subtype}) was added").format(
                        number=number, subtype=subtype
                    )
                )
        for reference in sorted(set(old) & set(new)):
            owner = self.base.widget_owner.get(reference)
            if owner is not None:
                continue  # widgets are judged with their fields
            before, after = old[reference].get_object(), new[reference].get_object()
            if self._dict_differs(before, after, frozenset({"/P", "/Parent"})):
                subtype = str(_get(after, "/Subtype") or "?").lstrip("/")
                yield self._forbidden(
                    _("page {number}: an annotation ({subtype}) was changed").format(
                        number=number, subtype=subtype
                    )
                )

    # structural comparison -----------------------------------------------------------

    def _dict_differs(self, old: Any, new: Any, ignore: frozenset[str] | set[str]) -> bool:
        if not isinstance(old, generic.DictionaryObject) or not isinstance(
            new, generic.DictionaryObject
        ):
            return self._differs(old, new)
        if isinstance(old, generic.StreamObject) != isinstance(new, generic.StreamObject):
            return True
        keys = (set(old) | set(new)) - set(ignore)
        if any(self._differs(_raw(old, k), _raw(new, k)) for k in keys):
            return True
        if isinstance(old, generic.StreamObject) and isinstance(new, generic.StreamObject):
            return bool(old.encoded_data != new.encoded_data)
        return False

    def _differs(self, old: Any, new: Any, depth: int = 0) -> bool:
        if depth > MAX_DEPTH:
            raise _Incomparable(_("objects are nested too deeply"))
        if old is None or new is None:
            return (old is None) != (new is None)
        if isinstance(old, generic.IndirectObject) or isinstance(new, generic.IndirectObject):
            if not (
                isinstance(old, generic.IndirectObject) and isinstance(new, generic.IndirectObject)
            ):
                return True
            old_ref, new_ref = _key(old.reference), _key(new.reference)
            if old_ref == new_ref and (old_ref in self.base.owned or new_ref in self.current.owned):
                return False  # a page, annotation or field: judged by its own rule
            if old_ref != new_ref and (old_ref in self.base.owned or new_ref in self.current.owned):
                return True
            pair = (old_ref, new_ref)
            if pair in self._memo:
                return self._memo[pair]
            self._memo[pair] = False  # assume equal while comparing (cycles)
            if old_ref == new_ref and old_ref not in self.touched:
                result = False  # neither it nor anything it refers to was written again
            else:
                result = self._differs(old.get_object(), new.get_object(), depth + 1)
            self._memo[pair] = result
            return result
        strings = (generic.TextStringObject, generic.ByteStringObject)
        if isinstance(old, strings) and isinstance(new, strings):
            # the same text may be written as PDFDocEncoding, UTF-16 or hex: compare values
            if isinstance(old, generic.TextStringObject) and isinstance(
                new, generic.TextStringObject
            ):
                # …but only in the encodings every reader knows: poppler reads a UTF-8 text
                # (PDF 2.0, with its byte-order mark) as PDFDocEncoding bytes (found in review)
                return str(old) != str(new) or _text_encoding(old) != _text_encoding(new)
            return bool(old.original_bytes != new.original_bytes)
        if type(old) is not type(new):
            if isinstance(old, (generic.NumberObject, generic.FloatObject)) and isinstance(
                new, (generic.NumberObject, generic.FloatObject)
            ):
                return Decimal(str(old)) != Decimal(str(new))  # exactly, not as floats
            return True
        if isinstance(old, generic.StreamObject) and old.encoded_data != new.encoded_data:
            return True
        if isinstance(old, generic.DictionaryObject):
            if set(old) != set(new):
                return True
            return any(
                _pointer_differs(old.raw_get(k), new.raw_get(k))
                if k in BACK_POINTERS
                else self._differs(old.raw_get(k), new.raw_get(k), depth + 1)
                for k in old
            )
        if isinstance(old, generic.ArrayObject):
            return len(old) != len(new) or any(
                self._differs(a, b, depth + 1) for a, b in zip(old, new, strict=True)
            )
        return bool(old != new)


VALIDATION_STREAM_KEYS = frozenset({"/Length", "/Filter", "/DecodeParms"})
VALIDATION_RECORD_KEYS = frozenset({"/Type", "/Cert", "/CRL", "/OCSP", "/TU", "/TS"})


def _plain_validation_data(old_store: Any, new_store: Any) -> bool:
    """Whether what was added to the store is only data: each new certificate, CRL and OCSP
    response a stream whose dictionary names its length and encoding and nothing else, and
    each new record (/VRI) only the lists PAdES gives it, of the store's own streams.

    Found in review: a new "certificate" stream carried `/X 200 0 R`, which made a forged
    catalog and its pages objects in use (so no rule about unused objects saw them) that a
    second `/Root` in the trailer then showed to viewers.
    """
    listed: set[tuple[int, int]] = set()
    for key in ("/Certs", "/CRLs", "/OCSPs"):
        before = _raw_items(old_store, key)
        for reference, item in _raw_items(new_store, key).items():
            listed.add(reference)
            if reference in before:
                continue
            if not _plain_stream(item):
                return False
    old_records = _get(old_store, "/VRI")
    new_records = _get(new_store, "/VRI")
    if not isinstance(new_records, generic.DictionaryObject):
        return True
    for name in new_records:
        if isinstance(old_records, generic.DictionaryObject) and name in old_records:
            continue  # compared whole above
        record = new_records[name]
        if not isinstance(record, generic.DictionaryObject) or set(record) - VALIDATION_RECORD_KEYS:
            return False
        for key in ("/Cert", "/CRL", "/OCSP"):
            items = record.get(key)
            items = items.get_object() if isinstance(items, generic.IndirectObject) else items
            if items is None:
                continue
            if not isinstance(items, generic.ArrayObject) or not all(
                isinstance(i, generic.IndirectObject) and _key(i.reference) in listed for i in items
            ):
                return False
        if "/TU" in record and _has_reference(record.raw_get("/TU")):
            return False
        if "/TS" in record and not _plain_stream(record.raw_get("/TS")):
            return False
    return True


def _plain_stream(value: Any) -> bool:
    """A stream, by reference, whose dictionary names its length and encoding only."""
    if not isinstance(value, generic.IndirectObject):
        return False
    stream = value.get_object()
    return (
        isinstance(stream, generic.StreamObject)
        and not set(stream) - VALIDATION_STREAM_KEYS
        and not any(_has_reference(stream.raw_get(k)) for k in stream if k != "/Length")
    )


def _has_reference(value: Any, depth: int = 0) -> bool:
    if depth > MAX_DEPTH:
        return True
    if isinstance(value, generic.IndirectObject):
        return True
    if isinstance(value, generic.DictionaryObject):
        return any(_has_reference(value.raw_get(k), depth + 1) for k in value)
    if isinstance(value, (generic.ArrayObject, list)):
        return any(_has_reference(v, depth + 1) for v in value)
    return False


def _raw_items(dictionary: Any, key: str) -> dict[tuple[int, int], Any]:
    """The indirect entries of an array in ``dictionary`` (a DSS list), by reference."""
    array = _get(dictionary, key)
    if not isinstance(array, generic.ArrayObject):
        return {}
    return {
        _key(item.reference): item for item in array if isinstance(item, generic.IndirectObject)
    }


def _references_in(value: Any, depth: int) -> Iterator[Any]:
    """The indirect references directly inside an object (not behind other references)."""
    if depth > MAX_DEPTH:
        raise _Incomparable(_("objects are nested too deeply"))
    if isinstance(value, generic.DictionaryObject):
        for key in value:
            if key in BACK_POINTERS:
                continue
            item = value.raw_get(key)
            if isinstance(item, generic.IndirectObject):
                yield item
            elif isinstance(item, (generic.DictionaryObject, generic.ArrayObject)):
                yield from _references_in(item, depth + 1)
    elif isinstance(value, generic.ArrayObject):
        for item in value:
            if isinstance(item, generic.IndirectObject):
                yield item
            elif isinstance(item, (generic.DictionaryObject, generic.ArrayObject)):
                yield from _references_in(item, depth + 1)


def _text_encoding(text: Any) -> str:
    """The family of a text string's encoding as readers tell them apart: UTF-8 and UTF-16LE
    (which not every reader decodes) apart from PDFDocEncoding and UTF-16BE (which all do)."""
    raw = bytes(getattr(text, "original_bytes", b"") or b"")
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8"
    if raw.startswith(b"\xff\xfe"):
        return "utf-16le"
    return "common"


def _stream_data(value: Any) -> bytes:
    """The decoded data of a stream (given directly or by reference), for metadata."""
    from .xmp import MAX_XMP_BYTES, XmpError

    stream = value.get_object() if isinstance(value, generic.IndirectObject) else value
    if not isinstance(stream, generic.StreamObject):
        raise XmpError(_("the metadata is not a stream"))
    # decoded as every reader decodes it: with /F (pyHanko: an external file; poppler: the
    # filter) each would read another packet
    data = decoded_alike(stream)
    if data is None:
        raise XmpError(_("the metadata stream cannot be decoded alike by every reader"))
    if len(data) > MAX_XMP_BYTES:
        raise XmpError(_("the metadata packet is too large"))
    return bytes(data)


def _in_view(value: Any, resolver: Any) -> Any:
    """A trailer entry resolved in the given revision (pyHanko's trailer view does not)."""
    if isinstance(value, generic.IndirectObject):
        return generic.IndirectObject(value.idnum, value.generation, resolver).get_object()
    return value


def _pointer_differs(old: Any, new: Any) -> bool:
    """Whether a back pointer was redirected (what it points to is judged elsewhere)."""
    if isinstance(old, generic.IndirectObject) and isinstance(new, generic.IndirectObject):
        return _key(old.reference) != _key(new.reference)
    return (old is None) != (new is None) or type(old) is not type(new)


def _is_ref(value: Any) -> bool:
    return isinstance(value, generic.IndirectObject)


def _inherited(page: Any, key: str) -> Any:
    node, hops = page, 0
    while isinstance(node, generic.DictionaryObject) and hops <= MAX_DEPTH:
        value = _raw(node, key)
        if value is not None:
            return value
        node, hops = _get(node, "/Parent"), hops + 1
    return None


def _has_actions(form_field: _Field) -> bool:
    parts = [form_field.dictionary, *(widget for _ref, widget in form_field.widgets)]
    return any(_raw(part, key) is not None for part in parts for key in ("/AA", "/A"))


def _is_document_timestamp(value: Any) -> bool:
    return isinstance(value, generic.DictionaryObject) and (
        _get(value, "/Type") == "/DocTimeStamp" or _get(value, "/SubFilter") == "/ETSI.RFC3161"
    )
