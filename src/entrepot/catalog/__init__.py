"""The SQL catalog: SQLite or PostgreSQL from one URL, the same models and migrations.

Open it with :func:`entrepot.catalog.engine.make_engine`, bring the schema up with
:func:`entrepot.catalog.migrate.upgrade`, and work through a unit of work from
:func:`entrepot.catalog.uow.unit_of_work_factory`. This package never imports
``entrepot.storage``; importing it (or an area's ``records``) loads no SQLAlchemy.
"""
