"""The dashboard's tables, built once from the KPI snapshots: shown on the page, drawn as
charts, exported as CSV and, with small cells suppressed, printed in the quarterly report."""

from dataclasses import dataclass, field, replace

from referrals.models import Category, Referral

from .suppression import marker, needs_suppression


@dataclass(frozen=True)
class Cell:
    text: str
    csv: object = None  # the machine-readable value; the text when None
    people: tuple = ()  # counts of people behind the cell, for suppression
    href: str = ""
    note: str = ""

    @property
    def csv_value(self):
        return self.text if self.csv is None else self.csv

    def suppressed(self):
        if needs_suppression(self.people):
            return Cell(marker(), marker(), note="fewer people than the reporting threshold")
        return replace(self, href="")


@dataclass
class Table:
    key: str
    title: str
    columns: list
    rows: list = field(default_factory=list)
    caption: str = ""
    # {index of a row total: indexes of the cells that add up to it}, for complementary suppression.
    totals: dict = field(default_factory=dict)

    def suppressed(self):
        rows = []
        for row in self.rows:
            hidden = [cell.suppressed() for cell in row]
            for total, parts in self.totals.items():
                _hide_a_second_part(row, hidden, total, parts)
            rows.append(hidden)
        return Table(self.key, self.title, list(self.columns), rows, self.caption, dict(self.totals))

    def csv_rows(self):
        yield list(self.columns)
        for row in self.rows:
            yield [cell.csv_value for cell in row]


def _hide_a_second_part(row, hidden, total, parts):
    """One hidden part of a shown total could be worked out by subtraction: hide the next smallest too."""

    mark = marker()
    if hidden[total].text == mark or [hidden[i].text for i in parts].count(mark) != 1:
        return
    shown = [i for i in parts if hidden[i].text != mark and row[i].csv]
    victim = min(shown, key=lambda i: row[i].csv) if shown else total
    hidden[victim] = Cell(mark, mark, note="hidden so that a small cell cannot be worked out")


def label(text):
    return Cell(text)


# --- Key figures ------------------------------------------------------------------------


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    kind: str  # count, share, hours, days, ratio
    definition: str


KPIS = [
    Kpi("events", "Overdose events", "count", "Non-fatal events with a survivor that occurred in the period."),
    Kpi("people", "People", "count", "Survivors of those events, each counted once."),
    Kpi("attempted_72h", "Attempted within 72 h", "share",
        "Events with any contact attempt at or before the event + 72 hours."),
    Kpi("reached_72h", "Reached within 72 h", "share",
        "Events with an attempt that reached the person (engaged or declined) at or before the event + 72 hours."),
    Kpi("reached_24h", "Reached within 24 h", "share", "As above, at or before the event + 24 hours."),
    Kpi("median_hours", "Time to first contact (median)", "hours",
        "Median hours from the event to the first attempt that reached the person, over events reached."),
    Kpi("attempts_per_person", "Attempts per person", "ratio",
        "Contact attempts on these events' follow-ups, divided by the people."),
    Kpi("declined", "Declined", "count", "People who, reached, declined follow-up for one of these events."),
    Kpi("not_locatable", "Not locatable", "count",
        "People with at least one attempt who were reached for none of their events in the period."),
    Kpi("linked", "Linked to treatment", "share",
        "Reached people with a treatment referral (MOUD, detox, inpatient, outpatient) connected "
        "within 30 days of the event."),
    Kpi("kits_survivors", "Naloxone kits to survivors", "count", "Kits handed to survivors in the period."),
    Kpi("kits_family", "Naloxone kits to family members", "count", "Kits handed to family members in the period."),
    Kpi("repeat", "Repeat overdoses", "count", "Survivors with two or more events in the period."),
    Kpi("treatment", "Treatment referrals", "count",
        "Referrals to MOUD, detox, inpatient or outpatient treatment made in the period."),
    Kpi("days_to_admission", "Days to admission (median)", "days",
        "Median days from a treatment referral to admission, over those admitted."),
    Kpi("retained_30", "Retained at 30 days", "share",
        "People still engaged 30 days after a treatment referral, of those whose 30-day check is recorded."),
    Kpi("retained_90", "Retained at 90 days", "share",
        "People still engaged 90 days after a treatment referral, of those whose 90-day check is recorded."),
]
KPI_KEYS = {k.key for k in KPIS}


@dataclass(frozen=True)
class Measure:
    value: object  # int, float (hours, days, ratio), or a 0-1 share; None when undefined
    numerator: int | None = None
    denominator: int | None = None
    people: tuple = ()


def measures(snap):
    c, n, t = snap.contact, snap.naloxone, snap.treatment

    def share(num, den, num_people, den_people):
        return Measure(num / den if den else None, num, den, (num_people, den_people, den_people - num_people))

    ppl = c["people"]
    return {
        "events": Measure(c["events"], people=(ppl,)),
        "people": Measure(ppl, people=(ppl,)),
        "attempted_72h": share(c["attempted_72h"], c["events"], c["attempted_72h_people"], ppl),
        "reached_72h": share(c["reached_72h"], c["events"], c["reached_72h_people"], ppl),
        "reached_24h": share(c["reached_24h"], c["events"], c["reached_24h_people"], ppl),
        "median_hours": Measure(c["median_hours_to_contact"], c["reached"], people=(c["reached_people"],)),
        "attempts_per_person": Measure(c["attempts"] / ppl if ppl else None, c["attempts"], ppl, (ppl,)),
        "declined": Measure(c["declined_people"], people=(c["declined_people"],)),
        "not_locatable": Measure(c["not_locatable_people"], people=(c["not_locatable_people"],)),
        "linked": share(c["linked_people"], c["reached_people"], c["linked_people"], c["reached_people"]),
        "kits_survivors": Measure(n["kits_survivors"], people=(n["survivors_given"],)),
        "kits_family": Measure(n["kits_family"], people=(n["family_given"],)),
        "repeat": Measure(snap.repeat_people, people=(snap.repeat_people,)),
        "treatment": Measure(t["referrals"], people=(t["people"],)),
        "days_to_admission": Measure(t["median_days_to_admission"], t["admitted"], people=(t["admitted_people"],)),
        "retained_30": share(t["retained_30_people"], t["checked_30_people"], t["retained_30_people"],
                             t["checked_30_people"]),
        "retained_90": share(t["retained_90_people"], t["checked_90_people"], t["retained_90_people"],
                             t["checked_90_people"]),
    }


def fmt(kind, m):
    if m.value is None:
        return "—"
    if kind == "count":
        return f"{m.value:,}"
    if kind == "share":
        return f"{m.value * 100:.0f}% ({m.numerator:,} of {m.denominator:,})"
    if kind == "hours":
        return f"{m.value:.1f} h"
    if kind == "days":
        return f"{m.value:.1f} days"
    return f"{m.value:.1f}"


def csv_number(kind, m):
    if m.value is None:
        return ""
    if kind == "share":
        return round(m.value * 100, 1)
    if kind in ("hours", "days", "ratio"):
        return round(m.value, 1)
    return m.value


def key_figures(current, previous, link=None):
    """Figure | this period | previous period | how it is counted; `link(key, period)` gives drill URLs."""

    now, before = measures(current), measures(previous)
    table = Table(
        "figures", "Key figures",
        ["Figure", f"This period ({current.period.label})", f"Previous period ({previous.period.label})",
         "How it is counted"],
        caption="Shares are in percent; hours and days are medians.",
    )
    for kpi in KPIS:
        row = [label(kpi.label)]
        for snap, m in ((current, now[kpi.key]), (previous, before[kpi.key])):
            href = link(kpi.key, snap.period) if link and m.value is not None else ""
            row.append(Cell(fmt(kpi.kind, m), csv_number(kpi.kind, m), m.people, href))
        row.append(Cell(kpi.definition))
        table.rows.append(row)
    return table


# --- Referrals by category and status --------------------------------------------------


def referrals_table(current, previous, link=None):
    statuses = list(Referral.Status.choices)
    table = Table(
        "referrals", "Referrals by category and status",
        ["Category", *[name for _, name in statuses], "All", "People", "All, previous period"],
        caption="Referrals made in the period, by their status now.",
        totals={len(statuses) + 1: list(range(1, len(statuses) + 1))},
    )
    for value, name in Category.choices:
        total = current.referral_totals.get(value, {"referrals": 0, "people": 0})
        before = previous.referral_totals.get(value, {"referrals": 0, "people": 0})
        row = [label(name)]
        for status, _ in statuses:
            cell = current.referral_cells.get((value, status), {"referrals": 0, "people": 0})
            href = ""
            if link and cell["referrals"]:
                href = link("referrals", current.period, category=value, status=status)
            row.append(Cell(f"{cell['referrals']:,}", cell["referrals"], (cell["people"],), href))
        href = link("referrals", current.period, category=value) if link and total["referrals"] else ""
        row.append(Cell(f"{total['referrals']:,}", total["referrals"], (total["people"],), href))
        row.append(Cell(f"{total['people']:,}", total["people"], (total["people"],)))
        href = link("referrals", previous.period, category=value) if link and before["referrals"] else ""
        row.append(Cell(f"{before['referrals']:,}", before["referrals"], (before["people"],), href))
        table.rows.append(row)
    return table


def report_referrals_table(current, previous):
    """For reports that leave the team: people and referrals per category, no status breakdown
    (fewer, larger cells, and no row total that would give a suppressed cell away)."""

    table = Table(
        "report_referrals", "Referrals by category",
        ["Category", "People referred", "Referrals", "People referred, previous period"],
        caption="Referrals made in the period; a person referred twice to one category counts once.",
    )
    empty = {"referrals": 0, "people": 0}
    for value, name in Category.choices:
        now, before = current.referral_totals.get(value, empty), previous.referral_totals.get(value, empty)
        table.rows.append([
            label(name),
            Cell(f"{now['people']:,}", now["people"], (now["people"],)),
            Cell(f"{now['referrals']:,}", now["referrals"], (now["people"],)),
            Cell(f"{before['people']:,}", before["people"], (before["people"],)),
        ])
    return table


def referral_category_counts(snap):
    return [(name, snap.referral_totals.get(value, {}).get("referrals", 0)) for value, name in Category.choices]


# --- Weekly series and workload -----------------------------------------------------------


def weekly_events_table(weeks, link=None, period_for_week=None):
    table = Table(
        "weekly_events", "Events per week",
        ["Week of", "Non-fatal events", "Fatal events", "Counted for contact"],
        caption="Weeks start on Monday; the first and last weeks may be partial.",
    )
    for w in weeks:
        href = link("events", period_for_week(w["week"])) if link and w["counted"] else ""
        table.rows.append([
            Cell(w["week"].isoformat()),
            Cell(f"{w['nonfatal']:,}", w["nonfatal"], (w["nonfatal"], w["nonfatal_people"])),
            Cell(f"{w['fatal']:,}", w["fatal"], (w["fatal"],)),
            Cell(f"{w['counted']:,}", w["counted"], (w["counted"], w["counted_people"]), href),
        ])
    return table


def weekly_reached_table(weeks, link=None, period_for_week=None):
    table = Table(
        "weekly_reached", "Reached within 72 hours, per week",
        ["Week of", "Events counted", "Reached within 72 h", "Share reached (%)"],
        caption="Non-fatal events with a survivor, by the week they occurred.",
    )
    for w in weeks:
        reached, counted = w["reached_72h"], w["counted"]
        href = link("reached_72h", period_for_week(w["week"])) if link and reached else ""
        people = (w["reached_72h_people"], w["counted_people"], w["counted_people"] - w["reached_72h_people"])
        table.rows.append([
            Cell(w["week"].isoformat()),
            Cell(f"{counted:,}", counted, (counted, w["counted_people"])),
            Cell(f"{reached:,}", reached, (reached, w["reached_72h_people"]), href),
            Cell(f"{reached / counted * 100:.0f}" if counted else "—",
                 round(reached / counted * 100, 1) if counted else "", people),
        ])
    return table


def workload_table(rows, link=None):
    table = Table(
        "workload", "Open and overdue follow-ups now, by worker",
        ["Worker", "Open", "Overdue"],
        caption="Follow-ups open right now; overdue means past their deadline.",
    )
    for r in rows:
        who = r["worker_id"] if r["worker_id"] is not None else "none"
        table.rows.append([
            label(r["worker"]),
            Cell(f"{r['open']:,}", r["open"], (r["open"],), link("open", None, worker=who) if link else ""),
            Cell(f"{r['overdue']:,}", r["overdue"], (r["overdue"],),
                 link("overdue", None, worker=who) if link and r["overdue"] else ""),
        ])
    return table
