"""What a check reads of the records, written down as it reads it, so that it need not run again
while every read gives the same answer (checks/memo.py, draw/verifycache.py).

A check reads the records only through a few questions: a kind's records, a record by id, the
records related to one (a plan's findings, an institution's persons), the draws, the
jurisdiction, the ids of broken files, the root. Everything else Records offers (rounds,
institution_of, published_by …) is built from those, and runs here on the traced view, so that
its questions are written down too. An answer is kept as a digest of the records it gave, by
file and parse-cache key (kind, name and bytes): reading any field of a record it gave is
covered by that record's digest. A derived question (`derived`: a draw's pool and weights, say)
is asked whole, and its answer is a digest of its value.
"""
from __future__ import annotations

import functools
import hashlib
from types import FunctionType
from typing import Any, Callable, Iterable, Mapping, TypeVar

from generator.records.model import Draw, Record, Records

Question = tuple[Any, ...]


def _of(found: Iterable[Record]) -> bytes:
    h = hashlib.blake2b(digest_size=16)
    for r in found:
        h.update(r.file.encode())
        h.update(b"\0")
        h.update(r.digest or b"")
    return h.digest()


def _of_draws(draws: Mapping[str, Draw]) -> bytes:
    h = hashlib.blake2b(digest_size=16)
    for plan, folder in draws.items():
        h.update(b"%s\0%s\0%s\0" % (plan.encode(), folder.folder.encode(),
                                    "\0".join(sorted(folder.broken)).encode()))
        for name, f in sorted(folder.files.items()):
            h.update(b"%s\0%d\0" % (name.encode(), len(f.raw)))
            h.update(f.raw)
    return h.digest()


# each question, and the types of what it asks about
_FORMS: dict[str, tuple[tuple[type, ...], ...]] = {
    "all": ((str,),), "kinds": (), "get": ((str, type(None)), (tuple, type(None))),
    "related": ((str,), (str, type(None))), "jurisdiction": (), "draws": (), "broken": (),
    "root": ()}


# questions asked whole (derived): name -> fn(records, *args), each arg a str
_DERIVED: dict[str, Callable[..., Any]] = {}
F = TypeVar("F", bound=Callable[..., Any])


def derived(name: str) -> Callable[[F], F]:
    """Declare `fn(records, *args)` (args strings, value made of tuples, strings and numbers)
    a question of its own: a traced view asks it whole and keeps a digest of its value, not
    of the records it read, so an edit that leaves the value as it was changes nothing (a
    draw's pool and its weights, say, after an edit of an institution outside it)."""
    def declare(fn: F) -> F:
        _DERIVED[name] = fn

        @functools.wraps(fn)
        def ask(records: Any, *args: str) -> Any:
            if isinstance(records, Traced):
                return records.derive(name, fn, args)
            return fn(records, *args)
        return ask  # type: ignore[return-value]
    return declare


def _of_value(value: Any) -> bytes:
    return hashlib.blake2b(repr(value).encode(), digest_size=16).digest()


def well_asked(question: Any) -> bool:
    """Whether `question` is one a Traced view asks (a stored one may be damaged or forged)."""
    if type(question) is tuple and len(question) >= 2 and question[0] == "derived":
        return all(type(arg) is str for arg in question[1:])
    if type(question) is not tuple or not question or question[0] not in _FORMS:
        return False
    form = _FORMS[question[0]]
    return len(question) == len(form) + 1 and all(
        type(arg) in types for arg, types in zip(question[1:], form)) and all(
        type(k) is str for arg in question[1:] if type(arg) is tuple for k in arg)


def traceable(records: Records) -> bool:
    """Whether every record was loaded with a digest (from the parse cache)."""
    return all(r.digest is not None for kind in records.by_kind.values() for r in kind) and (
        records.jurisdiction is None or records.jurisdiction.digest is not None)


class Answers:
    """The digest of each question's answer over one Records, each worked out once."""

    def __init__(self, records: Records) -> None:
        self.records = records
        self._known: dict[Question, bytes] = {}
        self._first: dict[Question, Question] = {}

    def __call__(self, question: Question) -> bytes:
        known = self._known.get(question)
        if known is None:
            known = self._known[question] = self._work_out(question)
        return known

    def remember(self, question: Question, answer: bytes) -> None:
        self._known.setdefault(question, answer)

    def asked(self, question: Question) -> tuple[Question, bytes]:
        """The question as first asked (one object for every unit that asks it, so a cache
        stores it once) and its answer."""
        answer = self(question)
        return self._first.setdefault(question, question), answer

    def _work_out(self, question: Question) -> bytes:
        what, *args = question
        r = self.records
        if what == "all":
            return _of(r.all(args[0]))
        if what == "kinds":
            return _of(x for kind in r.by_kind.values() for x in kind)
        if what == "get":
            found = r.get(args[0], args[1])
            return _of(() if found is None else (found,))
        if what == "related":
            return _of(r._related(args[0], args[1]))
        if what == "derived":
            fn = _DERIVED.get(args[0])
            try:
                return b"" if fn is None else _of_value(fn(r, *args[1:]))
            except (TypeError, ValueError):  # a stored question not of its form: never the same
                return b""
        if what == "jurisdiction":
            return _of(() if r.jurisdiction is None else (r.jurisdiction,))
        if what == "draws":
            return _of_draws(r.draws)
        if what == "broken":
            return "\0".join(sorted(r.broken_ids)).encode()
        return r.root.encode()  # "root": well_asked() lets nothing else through


class Traced:
    """The records as one check sees them: each question asked is answered by the records and
    written down in `reads` with the digest of its answer."""

    def __init__(self, answers: Answers) -> None:
        self._records = answers.records
        self._answers = answers
        self.reads: dict[Question, bytes] = {}

    def _ask(self, question: Question) -> None:
        if question not in self.reads:
            asked, answer = self._answers.asked(question)
            self.reads[asked] = answer

    def derive(self, name: str, fn: Callable[..., Any], args: tuple[str, ...]) -> Any:
        """A derived question's value, worked out on the records themselves (untraced)."""
        question = ("derived", name, *args)
        value = fn(self._records, *args)
        self._answers.remember(question, _of_value(value))
        self._ask(question)
        return value

    def all(self, kind: str) -> tuple[Record, ...]:
        self._ask(("all", kind))
        return self._records.all(kind)

    def get(self, record_id: str, kinds: tuple[str, ...] | None = None) -> Record | None:
        self._ask(("get", record_id, kinds))
        return self._records.get(record_id, kinds)

    def _related(self, relation: str, record_id: str) -> tuple[Record, ...]:
        self._ask(("related", relation, record_id))
        return self._records._related(relation, record_id)

    @property
    def by_kind(self) -> Mapping[str, tuple[Record, ...]]:
        self._ask(("kinds",))
        return self._records.by_kind

    @property
    def jurisdiction(self) -> Record | None:
        self._ask(("jurisdiction",))
        return self._records.jurisdiction

    @property
    def draws(self) -> Mapping[str, Draw]:
        self._ask(("draws",))
        return self._records.draws

    @property
    def broken_ids(self) -> frozenset[str]:
        self._ask(("broken",))
        return self._records.broken_ids

    @property
    def root(self) -> str:
        self._ask(("root",))
        return self._records.root


# the rest of Records, run on the traced view: built from the questions above
# (practising and meetings index the records for derived questions, never asked on a view)
_ASKED = set(vars(Traced)) | {"_relations", "_sectors", "_ends", "build", "digest", "_index",
                              "practising", "meetings"}
for _name, _value in vars(Records).items():
    if not _name.startswith("__") and _name not in _ASKED and isinstance(_value, (FunctionType,
                                                                                 property)):
        setattr(Traced, _name, _value)
