"""The validated, immutable records model that rules, draws and pages read."""
from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any, Iterator, Mapping


class Fields(Mapping[str, Any]):
    """A read-only record or sub-object: `f["name"]` and `f.name` both work (as in templates)."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Any]) -> None:
        object.__setattr__(self, "_data", dict(data))

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._data[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("records are read-only")

    def __repr__(self) -> str:
        return f"Fields({self._data!r})"


@dataclass(frozen=True)
class Record:
    """One record file: its kind, id, where it came from, and its typed fields."""

    kind: str
    id: str
    file: str
    fields: Fields
    lines: Mapping[str, int] = field(default_factory=dict)
    # the parse cache's key of the file (kind, name, bytes), when it was loaded with one: what a
    # check cached by what it read compares (checks/memo.py); None otherwise
    digest: bytes | None = field(default=None, compare=False, repr=False)

    def __getattr__(self, name: str) -> Any:
        # Only reached for names that are not dataclass attributes: the record's own fields.
        try:
            return self.fields[name]
        except KeyError:
            raise AttributeError(name) from None

    def status_on(self, day: dt.date) -> str | None:
        """The status in force on `day` (dynamic management), None before the first entry."""
        current = None
        for entry in self.fields.get("status_history") or ():
            if entry.since <= day:
                current = entry.status
        return current

    def line_of(self, path: str = "") -> int:
        """The line of a field path such as `certificate.valid_until` or `follow_ups[2].due`."""
        while path:
            if path in self.lines:
                return self.lines[path]
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return self.lines.get("", 1)


@dataclass(frozen=True)
class DrawFile:
    """One JSON file of a draw folder, as parsed and as its exact bytes."""

    file: str
    data: Any
    raw: bytes


@dataclass(frozen=True)
class Draw:
    """records/draws/<plan>/: what `ssj draw` wrote for one plan."""

    plan: str
    folder: str
    files: Mapping[str, DrawFile]
    broken: frozenset[str] = frozenset()  # files present but unreadable (already reported)

    def get(self, name: str) -> DrawFile | None:
        return self.files.get(name)

    @property
    def rounds(self) -> tuple[DrawFile, ...]:
        return tuple(f for name, f in sorted(self.files.items()) if name.startswith("drand-"))

    @property
    def stamps(self) -> dict[str, DrawFile]:
        """The RFC 3161 token files, by authority id (timestamp-<id>.tsr)."""
        return {name[len("timestamp-"):-len(".tsr")]: f for name, f in sorted(self.files.items())
                if name.startswith("timestamp-") and name.endswith(".tsr")}

    @property
    def witnessed(self) -> dict[str, dict[str, DrawFile]]:
        """Each witness's files (witness-<id>/run.json and its tokens), by witness id; a token
        file is named by its authority as the draw's own are."""
        out: dict[str, dict[str, DrawFile]] = {}
        for name, f in sorted(self.files.items()):
            folder, slash, inner = name.partition("/")
            if slash and folder.startswith("witness-"):
                out.setdefault(folder[len("witness-"):], {})[inner] = f
        return out


@dataclass(frozen=True)
class Round:
    """One inspection of a sector actually made (一次抽查, 方案 二（八）): the inspections of the
    sector's institutions under one plan, or one targeted inspection."""

    kind: str  # "random" (drawn here), "delegated" (drawn by a higher bureau), "targeted"
    plan: Record | None
    findings: tuple[Record, ...]
    institutions: frozenset[str]  # the sector's institutions inspected

    @property
    def size(self) -> int:
        return len(self.institutions)


# (plan or None for a targeted inspection, target, inspectors) of one finding
Meeting = tuple[str | None, str, tuple[str, ...]]

ROUND_KINDS = {"random": "随机抽查", "delegated": "上级抽取的委托检查", "targeted": "非随机检查"}

KIND_ORDER = (
    "institution", "person", "inspector", "item", "plan", "finding", "list_entry",
    "credit_notice", "amendment", "irregularity",
)


@dataclass(frozen=True)
class Records:
    """Everything under records/, validated, with the indexes the rest of the tool needs."""

    root: str
    jurisdiction: Record | None
    by_kind: Mapping[str, tuple[Record, ...]]
    # ids of records that exist but failed to load: references to them are not reported twice
    broken_ids: frozenset[str] = frozenset()
    draws: Mapping[str, Draw] = field(default_factory=dict)
    _index: Mapping[str, tuple[Record, ...]] = field(default_factory=dict, repr=False)
    # a digest of every file loaded, by kind, name and bytes, when the load kept one (with the
    # parse cache): what a verification cached by its inputs is keyed on; None for records
    # built otherwise, which nothing cached may stand for
    digest: bytes | None = field(default=None, repr=False)

    @classmethod
    def build(cls, root: str, jurisdiction: Record | None, records: list[Record],
              broken_ids: set[str], draws: list[Draw], digest: bytes | None = None) -> "Records":
        by_kind: dict[str, list[Record]] = {k: [] for k in KIND_ORDER}
        index: dict[str, list[Record]] = {}
        for r in sorted(records, key=lambda r: (KIND_ORDER.index(r.kind), r.id, r.file)):
            by_kind[r.kind].append(r)
            index.setdefault(r.id, []).append(r)
        return cls(
            root=root,
            jurisdiction=jurisdiction,
            by_kind=MappingProxyType({k: tuple(v) for k, v in by_kind.items()}),
            broken_ids=frozenset(broken_ids),
            draws=MappingProxyType({d.plan: d for d in sorted(draws, key=lambda d: d.plan)}),
            _index=MappingProxyType({k: tuple(v) for k, v in index.items()}),
            digest=digest,
        )

    def all(self, kind: str) -> tuple[Record, ...]:
        return self.by_kind.get(kind, ())

    def get(self, record_id: str, kinds: tuple[str, ...] | None = None) -> Record | None:
        """The record with this id (of one of `kinds`, if given)."""
        return next((r for r in self._index.get(record_id, ())
                     if kinds is None or r.kind in kinds), None)

    @property
    def institutions(self) -> tuple[Record, ...]:
        return self.all("institution")

    @property
    def personnel(self) -> tuple[Record, ...]:
        return self.all("person")

    @property
    def inspectors(self) -> tuple[Record, ...]:
        return self.all("inspector")

    @property
    def items(self) -> tuple[Record, ...]:
        return self.all("item")

    @property
    def plans(self) -> tuple[Record, ...]:
        return self.all("plan")

    @property
    def findings(self) -> tuple[Record, ...]:
        return self.all("finding")

    @property
    def list_entries(self) -> tuple[Record, ...]:
        return self.all("list_entry")

    @property
    def credit_notices(self) -> tuple[Record, ...]:
        return self.all("credit_notice")

    @property
    def amendments(self) -> tuple[Record, ...]:
        return self.all("amendment")

    @property
    def irregularities(self) -> tuple[Record, ...]:
        return self.all("irregularity")

    @cached_property
    def _relations(self) -> dict[str, Mapping[str, tuple[Record, ...]]]:
        """Every one-to-many relation, indexed in one pass over the records (each group in the
        records' order), so that no lookup scans a whole kind."""
        keys = {"amendments_of": ("amendment", "record"), "persons_of": ("person", "institution"),
                "findings_for_plan": ("finding", "plan"),
                "findings_for_target": ("finding", "target"),
                "list_entries_of": ("list_entry", "institution"),
                "irregularities_of": ("irregularity", "plan")}
        out: dict[str, Mapping[str, tuple[Record, ...]]] = {}
        for relation, (kind, key) in keys.items():
            groups: dict[str, list[Record]] = {}
            for r in self.all(kind):
                groups.setdefault(r.fields.get(key), []).append(r)
            out[relation] = {k: tuple(v) for k, v in groups.items()}
        return out

    def _related(self, relation: str, record_id: str) -> tuple[Record, ...]:
        return self._relations[relation].get(record_id, ())

    @cached_property
    def _sectors(self) -> dict[str, tuple[Record, ...]]:
        groups: dict[str, list[Record]] = {}
        for r in self.institutions:
            groups.setdefault(r.sector, []).append(r)
        return {k: tuple(v) for k, v in groups.items()}

    def practising(self, sector: str, day: dt.date) -> tuple[Record, ...]:
        """The institutions of `sector` in practice on `day` (a draw's pool), in id order."""
        return tuple(r for r in self._sectors.get(sector, ()) if r.status_on(day) == "active")

    @cached_property
    def _ends(self) -> tuple[list[dt.date], list[int]]:
        order = sorted(range(len(self.findings)), key=lambda i: self.findings[i].inspected.end)
        return [self.findings[i].inspected.end for i in order], order

    def meetings(self, after: dt.date, until: dt.date) -> tuple[Meeting, ...]:
        """Who met whom in the inspections that ended after `after` and by `until`, in the
        findings' id order: only these fields, so that what reads them (a draw's period rule)
        depends on nothing else of the findings."""
        ends, order = self._ends
        found = order[bisect.bisect_right(ends, after):bisect.bisect_right(ends, until)]
        return tuple((f.plan, f.target, f.inspectors) for f in map(self.findings.__getitem__,
                                                                   sorted(found)))

    def amendments_of(self, record_id: str) -> tuple[Record, ...]:
        return self._related("amendments_of", record_id)

    def irregularities_of(self, plan_id: str) -> tuple[Record, ...]:
        return self._related("irregularities_of", plan_id)

    @property
    def departments(self) -> Mapping[str, Fields]:
        if self.jurisdiction is None:
            return {}
        return {d.id: d for d in self.jurisdiction.departments}

    @property
    def policy(self) -> Fields | None:
        return self.jurisdiction.policy if self.jurisdiction else None

    @property
    def superseded(self) -> frozenset[str]:
        """Ids of plans replaced by a revision: their draw is on record but not carried out."""
        return frozenset(p.revision.supersedes for p in self.plans if p.revision is not None)

    def published_by(self, day: dt.date) -> "Records":
        """What may be public on `day`: a finding, plan, item or credit notice whose `published_on`
        is later (or a finding without one: a draft), a list entry not yet entered, and an
        amendment dated later or of a record left out are all left out, with the draws of the
        plans left out. Every public output is made from this, so nothing escapes early."""
        def public_on(r: Record) -> bool:
            if r.kind == "finding":
                return r.published_on is not None and r.published_on <= day
            if r.kind in ("plan", "credit_notice"):
                return r.published_on is None or r.published_on <= day
            if r.kind == "list_entry":
                return r.entered_on <= day
            if r.kind in ("item", "irregularity"):
                return r.published_on <= day
            return True

        kept = [r for kind in KIND_ORDER for r in self.all(kind)
                if kind != "amendment" and public_on(r)]
        ids = {r.id for r in kept}
        kept += [a for a in self.amendments if a.date <= day and a.record in ids]
        plans = {r.id for r in kept if r.kind == "plan"}
        if len(kept) == sum(len(self.all(kind)) for kind in KIND_ORDER) and plans >= set(self.draws):
            return self  # nothing withheld: the same records, indexes and all
        return Records.build(self.root, self.jurisdiction, kept, set(self.broken_ids),
                             [d for d in self.draws.values() if d.plan in plans])

    def ancestors(self, plan: Record) -> tuple[Record, ...]:
        """The plans `plan` revises, nearest first (a cycle stops the walk)."""
        out: list[Record] = []
        current = plan
        while current.revision is not None:
            older = self.get(current.revision.supersedes, ("plan",))
            if older is None or older in out or older is plan:
                break
            out.append(older)
            current = older
        return tuple(out)

    def revision_family(self, plan_id: str) -> frozenset[str]:
        """Every plan linked to `plan_id` by revisions, either way, itself included."""
        links: dict[str, set[str]] = {}
        for p in self.plans:
            if p.revision is not None:
                links.setdefault(p.id, set()).add(p.revision.supersedes)
                links.setdefault(p.revision.supersedes, set()).add(p.id)
        family, frontier = {plan_id}, [plan_id]
        while frontier:
            for other in links.get(frontier.pop(), ()):
                if other not in family:
                    family.add(other)
                    frontier.append(other)
        return frozenset(family)

    def institution_of(self, target_id: str) -> Record | None:
        """The institution a target is, or belongs to (persons are inspected with theirs)."""
        target = self.get(target_id, ("institution", "person"))
        if target is not None and target.kind == "person":
            return self.get(target.institution, ("institution",))
        return target

    def draw_result(self, plan_id: str) -> dict[str, Any] | None:
        """The plan's stored draw result, if drawn (a superseded draw stays on record)."""
        folder = self.draws.get(plan_id)
        stored = folder.get("result.json") if folder else None
        return stored.data if stored is not None and isinstance(stored.data, dict) else None

    def standing_result(self, plan_id: str) -> dict[str, Any] | None:
        """The result of a draw that stands: drawn, and not replaced by a revision."""
        return None if plan_id in self.superseded else self.draw_result(plan_id)

    def drawn_targets(self, plan_id: str, sector: str) -> frozenset[str]:
        """The institutions of `sector` that the plan's standing draw selected."""
        result = self.standing_result(plan_id)
        if result is None:
            return frozenset()
        return frozenset(t["target"] for t in result.get("teams", ())
                         if (inst := self.institution_of(t["target"])) is not None
                         and inst.sector == sector)

    def drawn_plans(self, year: int, sector: str) -> tuple[Record, ...]:
        """The plans of `year` whose standing draw selected institutions of `sector`: the
        draws made for it. A plan that names the sector but drew none of its institutions is
        not one. What counts toward the yearly frequency are inspections made (`rounds`)."""
        return tuple(p for p in self.plans if p.year == year and self.drawn_targets(p.id, sector))

    def rounds(self, year: int, sector: str, until: dt.date | None = None) -> tuple[Round, ...]:
        """Every inspection of `sector` actually made for `year` (begun by `until`, if given),
        as 方案 二（八） counts them: a plan's in the plan's year, even where its schedule runs
        past New Year (一次抽查 is the campaign, not the day of each visit) — for a plan drawn
        here, its drawn institutions of the sector that were inspected; for a plan whose targets
        a higher bureau drew (draw.delegated), its inspections of the sector; and each targeted
        inspection of the sector on its own, in the year it began. A plan that inspected none of
        the sector's institutions is no round of it, whatever its scope names; a superseded plan
        is none at all."""
        def institution(finding: Record) -> str | None:
            if until is not None and until < finding.inspected.start:
                return None
            inst = self.institution_of(finding.target)
            return inst.id if inst is not None and inst.sector == sector else None

        out = []
        for plan in self.plans:
            if plan.year != year or plan.id in self.superseded:
                continue
            delegated = plan.draw.get("delegated") is not None
            allowed = None if delegated else self.drawn_targets(plan.id, sector)
            found = [(f, i) for f in self.findings_for_plan(plan.id)
                     if (i := institution(f)) is not None and (allowed is None or i in allowed)]
            if found:
                out.append(Round("delegated" if delegated else "random", plan,
                                 tuple(f for f, _ in found), frozenset(i for _, i in found)))
        for finding in self.findings:
            if finding.targeted is not None and finding.inspected.start.year == year \
                    and (i := institution(finding)) is not None:
                out.append(Round("targeted", None, (finding,), frozenset({i})))
        return tuple(out)

    def counted_rounds(self, year: int, sector: str,
                       until: dt.date | None = None) -> tuple[Round, ...]:
        """The rounds that count toward `sector`'s yearly frequency (方案 二（八）): random ones
        always; targeted ones, and those a higher bureau drew, where the policy's entry for the
        sector says so (targeted_count, delegated_count; both false unless given)."""
        entry = next((s for s in self.policy.sectors if s.sector == sector),
                     None) if self.policy is not None else None
        counts = {"random": True,
                  "delegated": bool(entry is not None and entry.get("delegated_count")),
                  "targeted": bool(entry is not None and entry.get("targeted_count"))}
        return tuple(r for r in self.rounds(year, sector, until) if counts[r.kind])

    def persons_of(self, institution_id: str) -> tuple[Record, ...]:
        return self._related("persons_of", institution_id)

    def findings_for_plan(self, plan_id: str) -> tuple[Record, ...]:
        return self._related("findings_for_plan", plan_id)

    def findings_for_target(self, target_id: str) -> tuple[Record, ...]:
        return self._related("findings_for_target", target_id)

    def list_entries_of(self, institution_id: str) -> tuple[Record, ...]:
        return self._related("list_entries_of", institution_id)

    def counts(self) -> dict[str, int]:
        return {k: len(v) for k, v in self.by_kind.items()}
