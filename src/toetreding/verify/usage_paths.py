"""Where each object of a revision is used: pyHanko's map, computed without copying objects.

Why: pyHanko's difference analysis, our second opinion on every change after a signature,
first maps every object of the signed revision to the paths from the trailer that lead to
it (``HistoricalResolver._load_reverse_xref_cache``). pyHanko builds that map through its
historical view, which copies each object it reads (and every value inside it), once per
signature; for an accepted statement the map was about 80 % of pyHanko's analysis and a
third of the whole verification (cProfile, issue #16).

How: the same map by the same rules, reading each object as the revision has it from the
reader's shared cache without copying (an object last written at or before the revision is
the one the revision has — pyHanko's own historical view relies on the same fact), and
turning the paths into pyHanko's path objects only when pyHanko asks for them. The rules
are pyHanko's: every path from the trailer, a reference already on the path ends it,
``/Parent`` (and ``/P`` inside the structure tree) is not followed, a page-tree node is
entered only along its place in the page tree, and a structure element only from the
structure tree's ``/K``.

Anything unusual — an encrypted object, a value of an unexpected kind where the page or
structure tree is read, nesting deeper than plain documents have, any error — makes this
step give up, and pyHanko then computes the map itself, errors included, so its opinion
is never other than its own. ``tests/test_usage_paths.py`` compares both maps on the
project's statements and its hostile files.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pyhanko.pdf_utils import generic

MAX_DEPTH = 200
"""Deeper nesting than this is left to pyHanko (plain statements stay below 30)."""

_Key = tuple[int, int]
_Path = tuple[Any, ...] | None
"""A path as a linked list, newest element first: (element, rest) or None."""
_STRUCT_TREE_ROOT: _Path = ("/StructTreeRoot", ("/Root", None))
_LEADS_ON = (generic.IndirectObject, generic.DictionaryObject, generic.ArrayObject)


class _Unsure(Exception):
    """Something this step does not mirror exactly: pyHanko computes the map itself."""


def precompute(resolver: Any) -> None:
    """Give pyHanko's historical ``resolver`` its map of usages, computed here if possible.

    Leaves the resolver untouched when it already has one, when pyHanko no longer keeps
    the map where this expects it, or when anything is unusual (pyHanko then does it).
    """
    if "_indirect_object_access_cache" not in vars(resolver):
        return
    if resolver._indirect_object_access_cache is not None:
        return
    try:
        usages = _UsageWalk(resolver).run()
    except Exception:  # _Unsure, RecursionError, anything: pyHanko's own code decides
        return
    resolver._indirect_object_access_cache = usages


class _UsageWalk:
    """One revision's objects, each with every path from the trailer that reaches it."""

    def __init__(self, resolver: Any) -> None:
        self.resolver = resolver
        self.reader = resolver.reader
        self.revision = resolver.revision
        self.objects: dict[_Key, Any] = {}
        self.paths: dict[_Key, list[_Path]] = {}
        self.page_nodes: dict[_Key, _Path] = {}
        self.struct_nodes: set[_Key] = set()

    def run(self) -> Usages:
        root = self._dictionary(self._resolved(self.resolver.trailer_view.raw_get("/Root")))
        self._collect_page_tree(root)
        self._collect_struct_tree(root)
        self._walk(self.resolver.trailer_view, None, (), False, 0)
        return Usages(self.resolver, self.paths)

    # reading ---------------------------------------------------------------------------

    def _object(self, key: _Key) -> Any:
        """The object as this revision has it (as pyHanko's historical view reads it)."""
        found = self.objects.get(key)
        if found is not None:
            return found
        cached = self.resolver.cache.get(generic.Reference(*key))
        if cached is not None:
            found = cached
        else:
            reference = generic.Reference(*key)
            try:
                last = self.reader.xrefs.get_last_change(reference)
            except KeyError:
                last = None
            if last is not None and last <= self.revision:
                found = self.reader.get_object(reference, transparent_decrypt=False)
            else:
                found = self.reader.get_object(reference, self.revision, transparent_decrypt=False)
        if isinstance(found, generic.DecryptedObjectProxy):
            raise _Unsure("encrypted")
        self.objects[key] = found
        return found

    def _resolved(self, value: Any) -> Any:
        if isinstance(value, generic.IndirectObject):
            return self._object((value.idnum, value.generation))
        return value

    @staticmethod
    def _dictionary(value: Any) -> Any:
        if not isinstance(value, generic.DictionaryObject):
            raise _Unsure("not a dictionary")
        return value

    # the page tree and the structure tree ----------------------------------------------

    def _collect_page_tree(self, root: Any) -> None:
        """Each page-tree node's one canonical path (/Root /Pages /Kids i /Kids j …)."""
        pages = root.raw_get("/Pages") if "/Pages" in root else None
        if pages is None:
            raise _Unsure("no page tree")
        path: _Path = ("/Pages", ("/Root", None))
        if isinstance(pages, generic.IndirectObject):
            self.page_nodes[(pages.idnum, pages.generation)] = path
        self._page_kids(self._dictionary(self._resolved(pages)), path, 0)

    def _page_kids(self, node: Any, path: _Path, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise _Unsure("deep page tree")
        kids = self._resolved(node.raw_get("/Kids")) if "/Kids" in node else None
        if not isinstance(kids, generic.ArrayObject):
            raise _Unsure("page tree node without kids")
        for index, raw in enumerate(kids):
            kid_path: _Path = (index, ("/Kids", path))
            if isinstance(raw, generic.IndirectObject):
                key = (raw.idnum, raw.generation)
                if key in self.page_nodes:
                    raise _Unsure("page tree refers to itself")
                self.page_nodes[key] = kid_path
            kid = self._resolved(raw)
            if not isinstance(kid, generic.DictionaryObject):
                raise _Unsure("page tree kid not a dictionary")
            kind = kid.raw_get("/Type") if "/Type" in kid else None
            if kind is not None and not isinstance(kind, generic.NameObject):
                raise _Unsure("page tree /Type not a name")
            if kind == "/Pages":
                self._page_kids(kid, kid_path, depth + 1)

    def _collect_struct_tree(self, root: Any) -> None:
        """Every structure element reached from the structure tree root along /K."""
        if "/StructTreeRoot" not in root:
            return
        tree = self._resolved(root.raw_get("/StructTreeRoot"))
        if not isinstance(tree, generic.DictionaryObject):
            raise _Unsure("structure tree root not a dictionary")
        self._struct_children(tree, 0)

    def _struct_children(self, element: Any, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise _Unsure("deep structure tree")
        if "/K" not in element:
            return
        children = self._resolved(element.raw_get("/K"))
        if isinstance(children, generic.NullObject):
            raise _Unsure("structure /K is null")
        for raw in children if isinstance(children, generic.ArrayObject) else (children,):
            key = (raw.idnum, raw.generation) if isinstance(raw, generic.IndirectObject) else None
            child = self._resolved(raw)
            if not isinstance(child, generic.DictionaryObject):
                continue
            if "/Type" in child:
                kind = child.raw_get("/Type")
                if not isinstance(kind, generic.NameObject):
                    raise _Unsure("structure /Type not a name")
                if kind != "/StructElem":
                    continue
            if key is not None:
                if key in self.struct_nodes:
                    raise _Unsure("structure tree refers to itself")
                self.struct_nodes.add(key)
            self._struct_children(child, depth + 1)

    # every path ------------------------------------------------------------------------

    def _walk(
        self, value: Any, path: _Path, on_path: tuple[_Key, ...], in_struct: bool, depth: int
    ) -> None:
        if depth > MAX_DEPTH:
            raise _Unsure("deep nesting")
        if isinstance(value, generic.IndirectObject):
            key = (value.idnum, value.generation)
            if key in on_path:
                return
            self.paths.setdefault(key, []).append(path)
            on_path = (*on_path, key)
            value = self._object(key)
            canonical = self.page_nodes.get(key, path)
            if canonical != path:
                return
            if not in_struct and key in self.struct_nodes:
                return
        # names, numbers and strings lead nowhere: only references and containers are walked
        if isinstance(value, generic.DictionaryObject):
            for name, item in value.items():
                if not isinstance(item, _LEADS_ON):
                    continue
                if name == "/Parent" or (in_struct and name == "/P"):
                    continue
                entering = in_struct or (name == "/K" and path == _STRUCT_TREE_ROOT)
                self._walk(item, (name, path), on_path, entering, depth + 1)
        elif isinstance(value, generic.ArrayObject):
            for index, item in enumerate(value):
                if isinstance(item, _LEADS_ON):
                    self._walk(item, (index, path), on_path, in_struct, depth + 1)


class Usages(Mapping[Any, set[Any]]):
    """pyHanko's map (reference → set of paths), its path objects made when asked for."""

    def __init__(self, resolver: Any, paths: dict[_Key, list[_Path]]) -> None:
        self._resolver = resolver
        self._paths = paths
        self._made: dict[_Key, set[Any]] = {}

    def __getitem__(self, reference: Any) -> set[Any]:
        key = (int(reference.idnum), int(reference.generation))
        made = self._made.get(key)
        if made is None:
            from pyhanko.pdf_utils.reader import RawPdfPath

            made = self._made[key] = {RawPdfPath(*_elements(p)) for p in self._paths[key]}
        return made

    def __iter__(self) -> Iterator[Any]:
        return (generic.Reference(*key, pdf=self._resolver) for key in self._paths)

    def __len__(self) -> int:
        return len(self._paths)


def _elements(path: _Path) -> list[Any]:
    """The path's elements from the trailer on."""
    elements = []
    while path is not None:
        elements.append(path[0])
        path = path[1]
    elements.reverse()
    return elements
