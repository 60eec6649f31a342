#!/usr/bin/env python
"""Django's command-line utility for PORT case management."""
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "port.settings")
    # A developer's commands run in development mode unless the environment says otherwise;
    # the servers (port/wsgi.py, port/celery.py) stay in production mode by default.
    os.environ.setdefault("DJANGO_DEBUG", "true")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
