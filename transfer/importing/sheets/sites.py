"""The sites sheet: a program's shelters, flats, contact points and offices, by name."""

from programs import rules
from programs.models import Site

from ... import format as fmt
from ..rows import ABSENT
from .base import Handler, site_capacities


class Sites(Handler):
    sheet = fmt.SITES
    model = Site
    key_field = "name"
    fields = ("kind", "area_id", "city", "capacity")
    keymap_name = "sites"

    def defaults(self):
        return {"area_id": None, "city": "", "capacity": None}

    def parse(self, row):
        data = {"kind": row.choice("kind"), "city": row.text("city")}
        data["capacity"] = row.integer("capacity")
        area = row.text("area")
        data["area_id"] = (self.run.area(area) if area else None) if area is not ABSENT else area
        return data

    def complete(self, row, merged, data, old):
        row.report(rules.check_site(capacity=merged["capacity"]))
        site = self.run.sites.get(row.text("name"))
        if site is not None:
            site_capacities(self.run)[site] = merged["capacity"]
