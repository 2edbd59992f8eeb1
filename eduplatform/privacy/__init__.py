"""Personal data: a person's data export (subject access), erasure on request, the retention purge,
and backups. Oversight layer: reads and writes every table through the personal data map
(``eduplatform.db.personal_data``), never through a feature package.
"""
