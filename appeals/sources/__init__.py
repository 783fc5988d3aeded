"""Source adapters (issue 5): ПОС, «Инцидент Менеджмент», file import, REST create, the staff form.

Each adapter turns the source's records into `appeals.intake.IntakeItem`s (or `Rejected` with a
reason) and hands them to the one write path, `appeals.intake.appeals_upsert`. The contracts are
in docs/integrations.md; `emulator.py` serves them locally (`manage.py emulate_pos`, `emulate_im`).
"""
