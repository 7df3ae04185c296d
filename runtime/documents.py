"""Case documents: streamed into object storage, metadata and audit in the database.

Why the object first and the row second: a failed upload leaves no row
pointing at nothing; a row that fails to commit leaves an orphan object that
is deleted right away (best effort) — never a half-visible document.
"""

from __future__ import annotations

import mimetypes
import re
import unicodedata
from collections.abc import Iterator
from typing import IO

from sqlalchemy import select

from connectors.identity import Principal
from connectors.storage import Storage, TooLarge
from models.base import new_id
from models.cases import Document
from models.db import Database
from runtime import journal
from runtime.cases import CaseService
from runtime.errors import NotFound, PayloadTooLarge, ValidationFailed

_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]+")


def clean_filename(name: str | None) -> str:
    """A display name without paths or control characters (kept as Unicode)."""
    base = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    base = _UNSAFE.sub("_", base).strip(" .")
    return base[:255] or "document"


class DocumentService:
    """Upload, list and download the documents of a case."""

    def __init__(self, db: Database, storage: Storage, cases: CaseService,
                 max_bytes: int) -> None:
        self.db = db
        self.storage = storage
        self.cases = cases
        self.max_bytes = max_bytes

    def upload(self, principal: Principal, case_id: str, stream: IO[bytes],
               filename: str | None, content_type: str | None) -> Document:
        case = self.cases.get(principal, case_id, "case.update")
        name = clean_filename(filename)
        if not filename:
            raise ValidationFailed("a document needs a file", errors=[
                {"path": "/file", "message": "is required"}])
        doc_id = new_id()
        key = f"{case.tenant}/cases/{case.id}/{doc_id}"
        ctype = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
        try:
            stored = self.storage.put(key, stream, ctype, self.max_bytes)
        except TooLarge as exc:
            raise PayloadTooLarge(str(exc)) from None
        try:
            return self._record(principal, case.id, case.tenant, doc_id, name, ctype, stored)
        except Exception:
            self.storage.delete(key)
            raise

    def _record(self, principal: Principal, case_id: str, tenant: str, doc_id: str,
                name: str, ctype: str, stored: object) -> Document:
        with self.db.session() as s:
            doc = Document(id=doc_id, tenant=tenant, case_id=case_id, name=name,
                           content_type=ctype, size=stored.size,  # type: ignore[attr-defined]
                           checksum=stored.checksum,  # type: ignore[attr-defined]
                           storage_key=stored.key, uploaded_by=principal.id)  # type: ignore[attr-defined]
            s.add(doc)
            journal.record(s, tenant=tenant, case_id=case_id, actor=principal.id,
                           action="document_added", event="document.added",
                           changes={"documentId": doc_id, "name": name, "size": doc.size})
        return doc

    def list(self, principal: Principal, case_id: str) -> list[Document]:
        self.cases.get(principal, case_id)
        with self.db.session() as s:
            return list(s.scalars(select(Document).where(Document.case_id == case_id)
                                  .order_by(Document.created_at, Document.id)))

    def open(self, principal: Principal, case_id: str, doc_id: str
             ) -> tuple[Document, Iterator[bytes]]:
        self.cases.get(principal, case_id)
        with self.db.session() as s:
            doc = s.get(Document, doc_id)
        if doc is None or doc.case_id != case_id:
            raise NotFound(f"document {doc_id!r} does not exist")
        return doc, self.storage.open(doc.storage_key)
