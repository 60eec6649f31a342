"""The CSV import of events: a saved column mapping per source, and each uploaded file's batch."""

from django.conf import settings
from django.db import models

from port.accounts.scoping import ScopedQuerySet
from port.crypto import EncryptedJSONField, EncryptedTextField


class ImportQuerySet(ScopedQuerySet):
    team_path = "team"


def _sources():
    from .models import OverdoseEvent

    return OverdoseEvent.Source.choices


class ImportMapping(models.Model):
    """Which column of a source's export holds which of our fields, remembered for next time."""

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=10, choices=_sources)
    columns = models.JSONField(default=dict, help_text="Our field name -> the file's column header.")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ImportQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "source"], name="one_import_mapping_per_source")]

    def __str__(self):
        return f"Import mapping for {self.get_source_display()}"


class ImportBatch(models.Model):
    """One uploaded file, from upload through mapping and preview to the (resumable) import."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Uploaded: choose the columns"
        PREVIEWED = "previewed", "Checked: ready to import"
        QUEUED = "queued", "Waiting to import"
        RUNNING = "running", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"

    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=10, choices=_sources)
    file_name = models.CharField(max_length=200, blank=True)
    # The decoded file, encrypted at rest; emptied once the import is done.
    content = EncryptedTextField(blank=True)
    encoding = models.CharField(max_length=20, blank=True)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPLOADED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0, help_text="Rows done: where a resumed import goes on.")
    created_events = models.PositiveIntegerField(default=0)
    duplicate_rows = models.PositiveIntegerField(default=0)
    error_rows = models.PositiveIntegerField(default=0)
    new_survivors = models.PositiveIntegerField(default=0)
    matched_rows = models.PositiveIntegerField(default=0)
    unmatched_rows = models.PositiveIntegerField(default=0)
    # [{"row": 7, "column": "DOB", "reason": "..."}]: what to fix, row by row.
    errors = EncryptedJSONField(default=list, blank=True)
    # The bad rows as they were in the file, for the "download to fix" CSV.
    bad_rows = EncryptedJSONField(default=list, blank=True)
    failure = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ImportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Import {self.pk} ({self.get_source_display()})"

    @property
    def is_finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self):
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 100
