"""The floor of each page: the same rows and figures fetched by the fewest hand-written SQL queries.

A page's time divided by its floor says how much the ORM, the template and the middleware
add over the database's own work. Each function returns what it fetched, so a run can be
checked against the page (same row count).
"""

from django.db import connection
from django.utils import timezone

from .loader import default_for

REACHED = ("reached_engaged", "reached_declined")
TREATMENT = ("moud", "detox", "inpatient", "outpatient")


def _fetch(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _team_clause(alias, team_ids):
    """`team_ids` None: every team (a supervisor); else the user's teams (ids, so inlined: a one-element
    IN is an equality the planner can walk an index by, which `= ANY(%s)` is not)."""

    if team_ids is None:
        return "TRUE"
    return f"{alias}.team_id IN ({', '.join(str(int(t)) for t in team_ids)})"


WORKLIST_SQL = """
SELECT f.id, f.kind, f.target_at, f.deadline_at, f.status, f.escalated_at,
       s.id, s.legal_first_name, s.legal_last_name, s.preferred_name, s.phone, s.address, s.high_risk,
       e.id, e.occurred_at, e.source, u.first_name, u.last_name, t.name,
       c.n, c.unreached, last.outcome, last.at,
       (SELECT count(*) FROM followups_followup g WHERE g.status = 'open' AND {where_g}),
       {overdue}
FROM (SELECT * FROM followups_followup f WHERE f.status = 'open' AND {where_f}
      ORDER BY f.deadline_at, f.id LIMIT %(limit)s OFFSET %(offset)s) f
LEFT JOIN survivors_survivor s ON s.id = f.survivor_id
LEFT JOIN survivors_overdoseevent e ON e.id = f.event_id
LEFT JOIN accounts_user u ON u.id = f.assigned_to_id
JOIN accounts_team t ON t.id = f.team_id
LEFT JOIN LATERAL (
    SELECT count(*) AS n, count(*) FILTER (WHERE a.outcome NOT IN ('reached_engaged', 'reached_declined')) AS unreached
    FROM followups_contactattempt a WHERE a.followup_id = f.id) c ON TRUE
LEFT JOIN LATERAL (
    SELECT a.outcome, a.at FROM followups_contactattempt a WHERE a.followup_id = f.id
    ORDER BY a.at DESC, a.id DESC LIMIT 1) last ON TRUE
ORDER BY f.deadline_at, f.id
"""


def reference():
    return _fetch("SELECT 1", [])


def _worklist(where, params, *, overdue="NULL"):
    sql = WORKLIST_SQL.format(where_f=where.format(a="f"), where_g=where.format(a="g"), overdue=overdue)
    return _fetch(sql, params)


def worklist(user_id, team_ids, limit):
    """The first page of my worklist, with how many are open and how many overdue."""

    where = "{a}.assigned_to_id = %(user)s AND " + _team_clause("{a}", team_ids)
    overdue = "(SELECT count(*) FROM followups_followup g WHERE g.status = 'open' AND g.deadline_at < now() AND {})"
    return _worklist(where, {"user": user_id, "teams": team_ids, "limit": limit, "offset": 0},
                     overdue=overdue.format(where.format(a="g")))


def team_worklist(team_ids, page_size=50):
    return _worklist(_team_clause("{a}", team_ids), {"teams": team_ids, "limit": page_size, "offset": 0})


SEARCH_SQL = """
SELECT s.id, s.legal_first_name, s.legal_last_name, s.preferred_name, s.date_of_birth, s.phone, s.status,
       s.high_risk, t.name, max(e.occurred_at), count(e.id), count(*) OVER ()
FROM survivors_survivor s
JOIN accounts_team t ON t.id = s.team_id
LEFT JOIN survivors_overdoseevent e ON e.survivor_id = s.id
WHERE s.deleted_at IS NULL AND s.merged_into_id IS NULL AND {teams} AND {match}
GROUP BY s.id, t.id
ORDER BY s.legal_last_name, s.legal_first_name, s.id
LIMIT 25
"""


def search_by_name(team_ids, normalized_name):
    parts = normalized_name.split()
    match = " AND ".join(f"s.search_name LIKE %(p{i})s" for i in range(len(parts))) or "TRUE"
    params = {"teams": team_ids, **{f"p{i}": f"%{p}%" for i, p in enumerate(parts)}}
    return _fetch(SEARCH_SQL.format(teams=_team_clause("s", team_ids), match=match), params)


def search_by_phone(team_ids, e164):
    match = "(s.phone = %(p)s OR s.phone_alt = %(p)s)"
    return _fetch(SEARCH_SQL.format(teams=_team_clause("s", team_ids), match=match), {"teams": team_ids, "p": e164})


LIST_SQL = """
SELECT s.id, s.legal_first_name, s.legal_last_name, s.preferred_name, s.date_of_birth, s.phone, s.status,
       s.high_risk, t.name,
       (SELECT max(e.occurred_at) FROM survivors_overdoseevent e WHERE e.survivor_id = s.id),
       (SELECT count(*) FROM survivors_overdoseevent e WHERE e.survivor_id = s.id),
       (SELECT count(*) FROM survivors_survivor c WHERE c.deleted_at IS NULL AND c.merged_into_id IS NULL AND {teams_c})
FROM (SELECT * FROM survivors_survivor s WHERE s.deleted_at IS NULL AND s.merged_into_id IS NULL AND {teams_s}
      ORDER BY s.legal_last_name, s.legal_first_name, s.id LIMIT 25) s
JOIN accounts_team t ON t.id = s.team_id
ORDER BY s.legal_last_name, s.legal_first_name, s.id
"""


def survivor_list(team_ids):
    return _fetch(LIST_SQL.format(teams_c=_team_clause("c", team_ids), teams_s=_team_clause("s", team_ids)), {})


SURVIVOR_PAGE_SQL = """
WITH latest AS (
  SELECT * FROM survivors_overdoseevent e WHERE e.survivor_id = %(id)s
  ORDER BY e.occurred_at DESC, e.id DESC LIMIT %(latest)s
), shown AS (
  -- the follow-ups shown: the open ones and those due since the earliest event shown (all of them for a
  -- history the page shows whole)
  SELECT f.* FROM followups_followup f WHERE f.survivor_id = %(id)s AND (f.status = 'open' OR f.target_at >= (
    SELECT CASE WHEN (SELECT count(*) FROM survivors_overdoseevent e WHERE e.survivor_id = %(id)s) <= %(latest)s
                THEN '-infinity' ELSE min(occurred_at) END FROM latest))
)
SELECT row_to_json(s), t.name,
  (SELECT count(*) FROM survivors_overdoseevent e WHERE e.survivor_id = s.id),
  (SELECT json_agg(e ORDER BY e.occurred_at, e.id) FROM latest e),
  (SELECT json_agg(fm ORDER BY fm.name) FROM survivors_familymember fm WHERE fm.survivor_id = s.id),
  (SELECT json_agg(json_build_object('n', n, 'by', u.username) ORDER BY n.given_at DESC)
     FROM survivors_naloxonedistribution n LEFT JOIN accounts_user u ON u.id = n.given_by_id
     WHERE n.survivor_id = s.id),
  (SELECT count(*) FROM followups_followup f WHERE f.survivor_id = s.id),
  (SELECT json_agg(json_build_object('f', f, 'by', u.username, 'attempts',
        (SELECT json_agg(json_build_object('a', a, 'by', au.username) ORDER BY a.at DESC)
           FROM followups_contactattempt a LEFT JOIN accounts_user au ON au.id = a.performed_by_id
           WHERE a.followup_id = f.id)) ORDER BY f.target_at DESC)
     FROM shown f LEFT JOIN accounts_user u ON u.id = f.assigned_to_id),
  (SELECT json_agg(c ORDER BY c.given_at DESC) FROM survivors_consent c WHERE c.survivor_id = s.id),
  (SELECT json_agg(json_build_object('r', r, 'org', o.name) ORDER BY r.made_at DESC)
     FROM referrals_referral r JOIN referrals_organization o ON o.id = r.organization_id WHERE r.survivor_id = s.id),
  (SELECT json_agg(m ORDER BY m.created_at DESC) FROM messaging_message m WHERE m.survivor_id = s.id)
FROM survivors_survivor s JOIN accounts_team t ON t.id = s.team_id
WHERE s.id = %(id)s
"""


def survivor_page(survivor_id, latest_events):
    """What the survivor page shows of a long history: the latest events, the open and recent follow-ups."""

    return _fetch(SURVIVOR_PAGE_SQL, {"id": survivor_id, "latest": latest_events})


def _insert(model, values, params, *, source=""):
    """`INSERT INTO <table> (every column) SELECT ...`: `values` maps columns to SQL expressions; the
    other columns get the model's default as a parameter (so a column added later needs no edit)."""

    now = timezone.now()
    columns, exprs = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key and field.column not in values:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.column in values:
            exprs.append(values[field.column])
        else:
            key = f"{model._meta.db_table}__{field.column}"
            params[key] = default_for(field, now)
            exprs.append(f"%({key})s")
    table = connection.ops.quote_name(model._meta.db_table)
    return f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(exprs)} {source}"


def event_create(*, team_id, user_id, survivor_id, occurred_at, incident, new_person=None):
    """The writes of recording an event: (the person,) the event, its follow-up, its clock rows, audit rows."""

    from followups.models import FollowUp, ScheduledEffect
    from port.audit.models import AuditEvent
    from survivors.models import OverdoseEvent, Survivor

    params = {"user": user_id, "team": team_id, "survivor": survivor_id, "at": occurred_at, "incident": incident}
    ctes, survivor, rows = [], "%(survivor)s", []
    if new_person:
        params.update(new_person)
        # The duplicate check: people with this name, date of birth or phone.
        rows += _fetch(
            "SELECT id FROM survivors_survivor WHERE deleted_at IS NULL AND team_id = %(team)s AND "
            "(search_name LIKE %(like)s OR date_of_birth = %(dob)s OR phone = %(phone)s) LIMIT 20",
            {"team": team_id, "like": f"%{new_person['last'].lower()}%", "dob": new_person["dob"],
             "phone": new_person["phone"]},
        )
        ctes.append("person AS (" + _insert(Survivor, {
            "created_by_id": "%(user)s", "updated_by_id": "%(user)s", "team_id": "%(team)s",
            "legal_first_name": "%(first)s", "legal_last_name": "%(last)s", "date_of_birth": "%(dob)s::date",
            "phone": "%(phone)s", "search_name": "%(search)s"}, params) + " RETURNING id)")
        survivor = "(SELECT id FROM person)"
    ctes.append("ev AS (" + _insert(OverdoseEvent, {
        "created_by_id": "%(user)s", "updated_by_id": "%(user)s", "survivor_id": survivor, "team_id": "%(team)s",
        "occurred_at": "%(at)s", "source": "'ems'", "source_incident_number": "%(incident)s",
        "naloxone_administered": "true", "outcome": "'survived'"}, params) + " RETURNING id, survivor_id)")
    ctes.append("fu AS (" + _insert(FollowUp, {
        "survivor_id": "ev.survivor_id", "event_id": "ev.id", "kind": "'initial'", "team_id": "%(team)s",
        "assigned_to_id": "%(user)s", "target_at": "%(at)s + interval '24 hours'",
        "deadline_at": "%(at)s + interval '72 hours'"}, params, source="FROM ev") + " RETURNING id)")
    ctes.append("eff AS (" + _insert(ScheduledEffect, {
        "followup_id": "fu.id", "stage": "st.stage", "due_at": "%(at)s + st.after"}, params,
        source="FROM fu, (VALUES ('due', interval '24 hours'), ('warning', interval '48 hours'), "
               "('escalate', interval '72 hours')) AS st(stage, after)") + " RETURNING id)")
    audit = _insert(AuditEvent, {
        "user_id": "%(user)s", "role": "'coordinator'", "at": "now()", "action": "'create'",
        "object_type": "'survivors.overdoseevent'", "object_id": "ev.id::text", "survivor_id": "ev.survivor_id"},
        params, source="FROM ev")
    return rows + _fetch("WITH " + ", ".join(ctes) + " " + audit + " RETURNING id", params)


def log_attempt(*, followup_id, user_id):
    from followups.models import ContactAttempt
    from port.audit.models import AuditEvent

    params = {"f": followup_id, "user": user_id}
    attempt = _insert(ContactAttempt, {
        "followup_id": "f.id", "method": "'visit'", "performed_by_id": "%(user)s", "at": "now()",
        "outcome": "'not_home'", "left_behind": "'generic_card'", "created_at": "now()"}, params, source="FROM f")
    audit = _insert(AuditEvent, {
        "user_id": "%(user)s", "role": "'outreach'", "at": "now()", "action": "'create'",
        "object_type": "'followups.contactattempt'", "object_id": "a.id::text", "survivor_id": "f.survivor_id"},
        params, source="FROM a, f")
    # Built from our own column names; every value is a parameter.
    lock = "WITH f AS (SELECT id, survivor_id FROM followups_followup WHERE id = %(f)s FOR UPDATE)"
    sql = f"{lock}, a AS ({attempt} RETURNING id) {audit} RETURNING id"
    return _fetch(sql, params)


# --- The dashboard and the export: the per-event facts the events carry ------------------
# (port/dashboards/facts.py keeps them; the floor reads the same stored columns the pages do)

DASHBOARD_FACTS = """
facts AS (
  SELECT e.id, e.occurred_at, e.survivor_id, e.outcome,
    (e.outcome <> 'fatal' AND e.survivor_id IS NOT NULL
     AND e.survivor_id NOT IN (SELECT id FROM survivors_survivor WHERE deleted_at IS NOT NULL)) AS counted,
    e.contact_attempts AS n, e.contact_first_attempt_at AS first_at, e.contact_first_reach_at AS first_reached,
    e.contact_declined AS declined, e.treatment_linked AS linked,
    coalesce(e.contact_first_attempt_at <= e.occurred_at + interval '72 hours', false) AS attempted_72h,
    coalesce(e.contact_first_reach_at <= e.occurred_at + interval '72 hours', false) AS reached_72h,
    coalesce(e.contact_first_reach_at <= e.occurred_at + interval '24 hours', false) AS reached_24h
  FROM survivors_overdoseevent e
  WHERE e.occurred_at >= %(start)s AND e.occurred_at < %(end)s AND {teams}
)
"""

EVENT_FACTS = """
facts AS (
  SELECT e.id, e.occurred_at, e.survivor_id, e.outcome, e.zip_code, e.source, e.naloxone_administered,
    e.naloxone_by, e.transported_to, e.agreed_to_followup,
    (e.outcome <> 'fatal' AND e.survivor_id IS NOT NULL AND s.deleted_at IS NULL) AS counted,
    s.date_of_birth, s.age_estimate, s.sex,
    e.contact_attempts AS n, e.contact_first_reach_at AS first_reached, e.contact_declined AS declined,
    e.treatment_linked AS linked,
    coalesce(e.contact_first_attempt_at <= e.occurred_at + interval '72 hours', false) AS attempted_72h,
    coalesce(e.contact_first_reach_at <= e.occurred_at + interval '72 hours', false) AS reached_72h,
    coalesce(e.contact_first_reach_at <= e.occurred_at + interval '24 hours', false) AS reached_24h
  FROM survivors_overdoseevent e LEFT JOIN survivors_survivor s ON s.id = e.survivor_id
  WHERE e.occurred_at >= %(start)s AND e.occurred_at < %(end)s AND {teams}
)
"""

CONTACT_FIGURES_SQL = """
WITH {facts}
SELECT count(*) FILTER (WHERE counted), count(DISTINCT survivor_id) FILTER (WHERE counted),
  count(*) FILTER (WHERE counted AND attempted_72h),
  count(DISTINCT survivor_id) FILTER (WHERE counted AND attempted_72h),
  count(*) FILTER (WHERE counted AND reached_72h), count(DISTINCT survivor_id) FILTER (WHERE counted AND reached_72h),
  count(*) FILTER (WHERE counted AND reached_24h), count(DISTINCT survivor_id) FILTER (WHERE counted AND reached_24h),
  count(DISTINCT survivor_id) FILTER (WHERE counted AND n > 0),
  count(DISTINCT survivor_id) FILTER (WHERE counted AND first_reached IS NOT NULL),
  count(DISTINCT survivor_id) FILTER (WHERE counted AND declined),
  count(DISTINCT survivor_id) FILTER (WHERE counted AND first_reached IS NOT NULL AND linked),
  sum(n) FILTER (WHERE counted),
  percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM first_reached - occurred_at) / 3600)
    FILTER (WHERE counted AND first_reached IS NOT NULL),
  (SELECT count(*) FROM (SELECT survivor_id FROM facts WHERE counted GROUP BY survivor_id HAVING count(*) > 1) r),
  (SELECT json_agg(w) FROM (
     SELECT date_trunc('week', occurred_at AT TIME ZONE %(tz)s) AS week,
       count(*) FILTER (WHERE outcome <> 'fatal'), count(*) FILTER (WHERE outcome = 'fatal'),
       count(DISTINCT survivor_id) FILTER (WHERE outcome <> 'fatal'),
       count(*) FILTER (WHERE counted), count(DISTINCT survivor_id) FILTER (WHERE counted),
       count(*) FILTER (WHERE counted AND reached_72h),
       count(DISTINCT survivor_id) FILTER (WHERE counted AND reached_72h)
     FROM facts GROUP BY 1 ORDER BY 1) w)
FROM facts
"""

OTHER_FIGURES_SQL = """
SELECT
 (SELECT json_build_array(coalesce(sum(kits), 0), coalesce(sum(kits) FILTER (WHERE family_member_id IS NULL), 0),
    coalesce(sum(kits) FILTER (WHERE family_member_id IS NOT NULL), 0),
    count(DISTINCT survivor_id) FILTER (WHERE family_member_id IS NULL), count(DISTINCT family_member_id))
  FROM survivors_naloxonedistribution n
  WHERE n.given_at >= %(start)s AND n.given_at < %(end)s AND {teams_n}),
 (SELECT json_agg(x) FROM (
    SELECT category, status, count(*), count(DISTINCT survivor_id) FILTER (WHERE family_member_id IS NULL),
      count(DISTINCT family_member_id)
    FROM referrals_referral r WHERE r.made_at >= %(start)s AND r.made_at < %(end)s AND {teams_r}
    GROUP BY ROLLUP (category, status)) x),
 (SELECT json_build_array(count(*), count(*) FILTER (WHERE admitted_on IS NOT NULL),
    count(DISTINCT survivor_id), count(DISTINCT survivor_id) FILTER (WHERE admitted_on IS NOT NULL),
    count(DISTINCT survivor_id) FILTER (WHERE engaged_30d), count(DISTINCT survivor_id) FILTER (WHERE engaged_30d
    IS NOT NULL), count(DISTINCT survivor_id) FILTER (WHERE engaged_90d),
    count(DISTINCT survivor_id) FILTER (WHERE engaged_90d IS NOT NULL),
    percentile_cont(0.5) WITHIN GROUP (ORDER BY admitted_on - (made_at AT TIME ZONE %(tz)s)::date)
      FILTER (WHERE admitted_on IS NOT NULL))
  FROM referrals_referral r WHERE r.made_at >= %(start)s AND r.made_at < %(end)s AND {teams_r}
    AND r.category IN ('moud', 'detox', 'inpatient', 'outpatient'))
"""

WORKLOAD_SQL = """
SELECT f.assigned_to_id, u.first_name, u.last_name, u.username, count(*),
       count(*) FILTER (WHERE f.deadline_at < now())
FROM followups_followup f LEFT JOIN accounts_user u ON u.id = f.assigned_to_id
WHERE f.status = 'open' AND {teams}
GROUP BY 1, 2, 3, 4
"""


def dashboard(team_ids, start, end, tz):
    """Current and previous period figures, the weekly series and the workload now."""

    teams = {"teams": team_ids, "tz": tz}
    previous = (start - (end - start), start)
    rows = []
    for first, last in ((start, end), previous):
        params = {**teams, "start": first, "end": last}
        rows += _fetch(CONTACT_FIGURES_SQL.format(facts=DASHBOARD_FACTS.format(teams=_team_clause("e", team_ids))),
                       params)
        rows += _fetch(OTHER_FIGURES_SQL.format(teams_n=_team_clause("n", team_ids),
                                                teams_r=_team_clause("r", team_ids)), params)
    rows += _fetch(WORKLOAD_SQL.format(teams=_team_clause("f", team_ids)), teams)
    return rows


EXPORT_SQL = """
WITH {facts}
SELECT survivor_id, occurred_at, date_of_birth, age_estimate, sex, zip_code, source, outcome, naloxone_administered,
       naloxone_by, transported_to, agreed_to_followup, counted, attempted_72h, reached_24h, reached_72h,
       first_reached, n, declined, linked,
       survivor_id IN (SELECT survivor_id FROM facts WHERE counted GROUP BY survivor_id HAVING count(*) > 1)
FROM facts ORDER BY occurred_at, id
"""


def deidentified_export(team_ids, start, end, limit=None):
    sql = EXPORT_SQL.format(facts=EVENT_FACTS.format(teams=_team_clause("e", team_ids)))
    return _fetch(sql + (f" LIMIT {int(limit)}" if limit else ""), {"teams": team_ids, "start": start, "end": end})


def login_landing(username, user_id, team_ids, limit):
    """The user row (the password check is Python's), then the worklist the login lands on."""

    return _fetch("SELECT id, password FROM accounts_user WHERE username = %s", [username]) + worklist(
        user_id, team_ids, limit
    )


