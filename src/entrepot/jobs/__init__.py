"""Background jobs: rows in the catalog, ids carried by a task queue (huey).

The catalog row is the truth (state, progress, heartbeat, outcome); the queue only says
"run job X". Embedded by default (huey on a SQLite file, no server), Redis to share the
work among machines. Workers beat a heartbeat while they run a job; the reaper hands a
job whose worker went silent back to the queue, or fails it after its last attempt.
"""
