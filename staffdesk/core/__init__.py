"""The desk's infrastructure: settings, database, secrets, request guards, login throttling, migrations, changes."""
