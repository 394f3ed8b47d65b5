"""The conversation store: SQLAlchemy 2 models, Alembic migrations and the repository.

``db.Database(url)`` gives sessions, ``migrate.upgrade(url)`` brings the schema
to the newest revision, and ``repo`` holds every query the channels, the
dialog runner and the desk make.
"""
