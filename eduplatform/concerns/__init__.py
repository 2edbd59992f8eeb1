"""Report a worry: pupils, parents and staff tell the school's DSLs about something online, the DSLs
keep the concern log, and the coordinator and DSLs keep the filtering and monitoring logs.

Only staff holding the DSL or deputy DSL duty read concerns (``eduplatform.access``); every read is
recorded in the audit log. Concern text is plain text, shown autoescaped, never rendered as Markdown.
"""
