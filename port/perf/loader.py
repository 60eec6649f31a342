"""Bulk loading for scale data: PostgreSQL COPY of rows built in Python, with ids we choose.

Rows are tuples in the order of the columns a generator names; every other concrete
field of the model gets its default (prepared once), so a field added to a model later
does not break the generator unless it is required and has no default.
"""

import psycopg
from django.db import connection
from django.utils import timezone


class RequiredFieldMissing(Exception):
    pass


def _skip_foreign_key_checks(cursor):
    """As pg_restore does: the rows are consistent by construction, and per-row FK checks
    triple the load time. Needs a superuser; without one the checks simply run."""

    try:
        cursor.execute("SET session_replication_role = replica")
        return True
    except psycopg.errors.InsufficientPrivilege:
        return False


def default_for(field, now):
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        value = now
    elif field.has_default():
        value = field.get_default()
    elif field.null:
        value = None
    elif field.empty_strings_allowed:
        value = ""
    else:
        raise RequiredFieldMissing(
            f"{field.model._meta.label}.{field.name} is required and has no default: "
            "teach port/perf the value it should hold."
        )
    return field.get_db_prep_save(value, connection)


class CopyLoader:
    """COPY rows into one model's table; `columns` are attnames in the order rows give them."""

    def __init__(self, model, columns):
        now = timezone.now()
        fields = {f.attname: f for f in model._meta.concrete_fields}
        unknown = [c for c in columns if c not in fields]
        if unknown:
            raise ValueError(f"{model._meta.label} has no column(s) {unknown}")
        rest = [f for name, f in fields.items() if name not in columns]
        self.model = model
        self.table = model._meta.db_table
        self.columns = list(columns) + [f.column for f in rest]
        self.defaults = tuple(default_for(f, now) for f in rest)
        self.count = 0

    def load(self, rows):
        """COPY the rows (an iterable of tuples); returns how many were written."""

        cols = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        sql = f"COPY {connection.ops.quote_name(self.table)} ({cols}) FROM STDIN"
        defaults = self.defaults
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            replica = _skip_foreign_key_checks(cursor)
            try:
                with cursor.copy(sql) as copy:
                    write = copy.write_row
                    n = 0
                    for row in rows:
                        write(row + defaults)
                        n += 1
            finally:
                if replica:
                    cursor.execute("RESET session_replication_role")
        self.count += n
        return n


def next_id(model):
    """The first free primary key of a model's table (so a load can append to existing data)."""

    with connection.cursor() as cursor:
        table = connection.ops.quote_name(model._meta.db_table)  # a model's own table name, quoted
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608
        return cursor.fetchone()[0]


def reset_sequences(models):
    """After loading with explicit ids, move each id sequence past the largest id."""

    with connection.cursor() as cursor:
        for model in models:
            pk = model._meta.pk
            if pk.get_internal_type() not in ("AutoField", "BigAutoField"):
                continue
            table = model._meta.db_table
            largest = f"SELECT COALESCE(MAX(id), 0) + 1 FROM {connection.ops.quote_name(table)}"  # noqa: S608
            cursor.execute(f"SELECT setval(pg_get_serial_sequence(%s, %s), ({largest}), false)", [table, pk.column])


def analyze(models):
    """VACUUM ANALYZE, as autovacuum would soon after: statistics for the planner, and the
    visibility map that lets the dashboards read their covering index without the table."""

    command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"  # VACUUM needs its own transaction
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")
