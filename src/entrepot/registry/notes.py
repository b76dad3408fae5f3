"""Notes: the owner's words on one version (what it is for, why it was promoted).

A note lives beside the version in the catalog, never in its manifest (signed, write-once);
writing one replaces the last, an empty one removes it.
"""

from __future__ import annotations

from entrepot.catalog.models.records import NoteRecord
from entrepot.catalog.text import refuse_bad_text
from entrepot.messages import N_, Message
from entrepot.registry.errors import InvalidNote
from entrepot.registry.names import NOTE_MAX, check_name, check_segment
from entrepot.registry.parts import Context
from entrepot.registry.resolve import find_version


def set_note(ctx: Context, name: str, version: str, note: str) -> NoteRecord:
    """Write ``note`` on the ready ``version`` of ``name`` (trimmed; empty removes it)."""
    check_name(name)
    check_segment(version, "version")
    text = note.strip()
    refuse_bad_text(text, what="the note")
    if len(text) > NOTE_MAX:
        raise InvalidNote(
            f"a note has at most {NOTE_MAX} characters, this one {len(text)}",
            said=Message(N_("error.note_too_long"), {"most": NOTE_MAX, "length": len(text)}),
        )
    with ctx.uow_factory() as uow:
        target = find_version(ctx, uow, name, version)
        now = ctx.clock()
        uow.models.set_note(target.id, text, updated_at=now, updated_by=ctx.actor)
        uow.commit()
    return NoteRecord(target.id, text, now, ctx.actor)
