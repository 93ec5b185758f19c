"""The site's server: the static files in static/ and a JSON API for notes under /api."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, HTTPException, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

STATIC = Path(__file__).parent / "static"


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=500)


class Note(NoteIn):
    id: int


class NoteStore:
    """Notes in memory, numbered from 1."""

    def __init__(self) -> None:
        self.notes: dict[int, Note] = {}
        self.last_id = 0

    def add(self, text: str) -> Note:
        self.last_id += 1
        note = Note(id=self.last_id, text=text)
        self.notes[note.id] = note
        return note


def create_app(store: NoteStore | None = None) -> FastAPI:
    notes = store or NoteStore()
    app = FastAPI(title="Web app")

    @app.get("/api/notes")
    def list_notes() -> list[Note]:
        return list(notes.notes.values())

    @app.post("/api/notes", status_code=201)
    def add_note(body: NoteIn) -> Note:
        return notes.add(body.text.strip())

    @app.delete("/api/notes/{note_id}", status_code=204)
    def delete_note(note_id: int) -> Response:
        if notes.notes.pop(note_id, None) is None:
            raise HTTPException(404, f"no note {note_id}")
        return Response(status_code=204)

    app.mount("/", StaticFiles(directory=STATIC, html=True), name="static")
    return app
