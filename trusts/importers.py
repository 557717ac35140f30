"""Importers of the trust register: ``prepare_trusts`` (the trusts file) and ``prepare_ods_etr``
(the ODS trust list) diff a parsed file into a :class:`~common.versioning.Plan`; ``trust_codes``
and ``resolve_org_codes`` turn the org codes of every returns import into trust ids. Bulk
operations only: no query per row.
"""
import hashlib
import re

from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from common.errors import RowError
from common.tabular import Parsed
from common.versioning import BATCH, Plan

from .models import Footprint, Region, Trust, TrustType


def trust_codes() -> dict:
    """org_code -> trust id, for every trust (one query)."""
    return dict(Trust.objects.values_list("org_code", "id"))


def resolve_org_codes(parsed: Parsed, plan: Plan, codes: dict, *, skip_unknown: bool):
    """Attach ``trust_id`` to every row; unknown codes are errors, or skipped in published layouts."""
    kept = []
    for row in parsed.rows:
        trust_id = codes.get(row["org_code"])
        if trust_id is None:
            if skip_unknown:
                plan.skipped.append({"row": row["row"], "org_code": row["org_code"],
                                     "rows": row.get("source_rows", 1),
                                     "reason": "not an NHS trust in the trust register"})
                continue
            plan.errors.append(RowError(row["row"], "org_code", row["org_code"],
                                        f"Unknown org code {row['org_code']!r}: it is not in the trust register."))
            continue
        row["trust_id"] = trust_id
        kept.append(row)
    parsed.rows = kept
    if not skip_unknown:
        for row in parsed.partial:
            code = row.get("org_code")
            if code and code not in codes:
                plan.errors.append(RowError(row["row"], "org_code", code,
                                            f"Unknown org code {code!r}: it is not in the trust register."))


# --- Trusts ----------------------------------------------------------------------------------


def make_code(name: str, taken: set, limit: int = 16) -> str:
    """A short unique code for a region or footprint named only by its name."""
    base = slugify(name).upper().replace("-", "")[: limit - 5] or "X"
    code = base
    if code in taken:
        code = f"{base}-{hashlib.sha1(name.encode()).hexdigest()[:4].upper()}"
    taken.add(code)
    return code


class _Places:
    """Regions and footprints looked up by code or name (case-insensitive), created when new."""

    def __init__(self):
        self.regions = {}
        self.region_codes = set()
        for region in Region.objects.all():
            self.regions[region.code.lower()] = region
            self.regions[region.name.lower()] = region
            self.region_codes.add(region.code)
        self.footprints = {}
        self.footprint_codes = set()
        for footprint in Footprint.objects.all():
            self.footprints[footprint.code.lower()] = footprint
            self.footprints[(footprint.region_id, footprint.name.lower())] = footprint
            self.footprint_codes.add(footprint.code)
        self.new_regions, self.new_footprints = {}, {}

    def region(self, name, *, code=None):
        found = self.regions.get((code or "").lower()) or self.regions.get(name.lower())
        if found is None:
            found = self.new_regions.get(name.lower())
        if found is None:
            found = Region(code=code or make_code(name, self.region_codes), name=name)
            self.new_regions[name.lower()] = found
        return found

    def footprint(self, name, region):
        found = self.footprints.get(name.lower())  # given by code
        if found is None and region.pk:
            found = self.footprints.get((region.pk, name.lower()))
        if found is None:
            found = self.new_footprints.get((region.name.lower(), name.lower()))
        if found is None:
            found = Footprint(code=make_code(name, self.footprint_codes), name=name, region=region)
            self.new_footprints[(region.name.lower(), name.lower())] = found
        return found

    def save_new(self):
        if self.new_regions:
            Region.objects.bulk_create(list(self.new_regions.values()))
        for footprint in self.new_footprints.values():
            footprint.region_id = footprint.region.pk
        if self.new_footprints:
            Footprint.objects.bulk_create(list(self.new_footprints.values()))


TRUST_VALUES = ["name", "trust_type", "region", "footprint", "active"]  # what a file may change


def _trust_diff(plan, existing, row, target):
    """target: dict of field -> value (region/footprint are objects)."""
    if existing is None:
        plan.new.append(row)
        return
    before = {"name": existing.name, "trust_type": existing.trust_type,
              "region": existing.region.name, "footprint": existing.footprint.name if existing.footprint else "",
              "active": existing.active}
    after = {"name": target["name"], "trust_type": target["trust_type"], "region": target["region"].name,
             "footprint": target["footprint"].name if target["footprint"] else "", "active": target["active"]}
    row["existing"] = existing
    plan.trust_ids.add(existing.pk)
    if before != after:
        row["before"] = before
        plan.changed.append(row)
    else:
        plan.unchanged.append(row)


def _apply_trusts(plan, places):
    def apply(*, upload, user):
        places.save_new()
        creates, updates = [], []
        for row in plan.new:
            target = row["target"]
            creates.append(Trust(org_code=row["org_code"], name=target["name"], trust_type=target["trust_type"],
                                 region_id=target["region"].pk,
                                 footprint_id=target["footprint"].pk if target["footprint"] else None,
                                 active=target["active"]))
        for row in plan.changed:
            trust, target = row["existing"], row["target"]
            trust.name, trust.trust_type, trust.active = target["name"], target["trust_type"], target["active"]
            trust.region_id = target["region"].pk
            trust.footprint_id = target["footprint"].pk if target["footprint"] else None
            updates.append(trust)
        if creates:
            created = bulk_create_with_history(creates, Trust, batch_size=BATCH, default_user=user)
            plan.trust_ids.update(trust.pk for trust in created)
        if updates:
            bulk_update_with_history(updates, Trust, TRUST_VALUES,
                                     batch_size=BATCH, default_user=user)
    return apply


def _existing_trusts(codes):
    return {t.org_code: t for t in Trust.objects.select_related("region", "footprint").filter(org_code__in=codes)}


def prepare_trusts(parsed: Parsed) -> Plan:
    """Diff a parsed trusts file against the register: new trusts, changed, unchanged."""
    plan = Plan(kind="trusts", errors=list(parsed.errors), skipped=list(parsed.skipped))
    places = _Places()
    existing = _existing_trusts([row["org_code"] for row in parsed.rows])
    for row in parsed.rows:
        region = places.region(row["region"])
        footprint = places.footprint(row["footprint"], region) if row["footprint"] else None
        if footprint is not None and footprint.pk and footprint.region_id != region.pk:
            plan.errors.append(RowError(row["row"], "footprint", row["footprint"],
                                        f"Footprint {footprint.name!r} belongs to region {footprint.region.name!r}, "
                                        f"not {region.name!r}."))
            continue
        row["target"] = {"name": row["name"], "trust_type": row["trust_type"], "region": region,
                         "footprint": footprint, "active": True}
        row["label"] = row["org_code"]
        _trust_diff(plan, existing.get(row["org_code"]), row, row["target"])
    plan.apply = _apply_trusts(plan, places)
    return plan


DEFAULT_TRUST_TYPE_RULES = [
    (re.compile(r"AMBULANCE", re.I), TrustType.AMBULANCE),
    (re.compile(r"MENTAL HEALTH|PARTNERSHIP|\bCARE\b", re.I), TrustType.MENTAL_HEALTH),
    (re.compile(r"COMMUNITY", re.I), TrustType.COMMUNITY),
]


def default_trust_type(name: str) -> str:
    """ETR carries no trust type. A new trust's type is guessed from its name: AMBULANCE ->
    ambulance; MENTAL HEALTH, PARTNERSHIP or CARE -> mental_health; COMMUNITY -> community;
    otherwise acute. Known trusts keep their type; analysts correct guesses with a trusts file."""
    for pattern, trust_type in DEFAULT_TRUST_TYPE_RULES:
        if pattern.search(name):
            return str(trust_type)
    return str(TrustType.ACUTE)


def prepare_ods_etr(parsed: Parsed) -> Plan:
    """Diff the ODS trust list against the register. Known trusts keep their type and footprint
    (and their name unless ODS spells it differently beyond letter case); a close date marks a
    trust inactive."""
    plan = Plan(kind="ods_etr", errors=list(parsed.errors), skipped=list(parsed.skipped))
    places = _Places()
    existing = _existing_trusts([row["org_code"] for row in parsed.rows])
    guessed = 0
    for row in parsed.rows:
        region = places.region(row["region_name"], code=row["region_code"])
        known = existing.get(row["org_code"])
        if known is not None:
            name = known.name if known.name.lower() == row["name"].lower() else row["name"]
            trust_type, footprint = known.trust_type, known.footprint
            if footprint is not None and footprint.region_id != region.pk:
                footprint = None
        else:
            name, trust_type, footprint = row["name"], default_trust_type(row["name"]), None
            guessed += 1
        row["target"] = {"name": name, "trust_type": trust_type, "region": region, "footprint": footprint,
                         "active": row["close_date"] is None}
        row["label"] = row["org_code"]
        _trust_diff(plan, known, row, row["target"])
    if guessed:
        plan.notes["trust_types_guessed"] = guessed
    plan.apply = _apply_trusts(plan, places)
    return plan

