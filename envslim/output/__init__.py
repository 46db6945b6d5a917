"""Output: what the user reads. Findings and statuses, diffs, summaries in text, markdown and JSON.

Takes a plan (findings with their outcomes) or a report model and gives text for a stream; it prints
nothing itself. Every URL it shows goes through the one redactor first.
"""
