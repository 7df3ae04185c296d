"""Case documents: multipart upload, list, download."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, jsonify, request

from models.cases import Document
from runtime.api.shapes import iso
from runtime.api.spec import operation
from runtime.api.web import caller, container
from runtime.errors import BadRequest

bp = Blueprint("documents", __name__, url_prefix="/api/v1")

DOC_SCHEMA = {"type": "object", "properties": {
    "id": {"type": "string"}, "name": {"type": "string"}, "contentType": {"type": "string"},
    "size": {"type": "integer"}, "checksum": {"type": "string"},
    "uploadedBy": {"type": "string"}, "createdAt": {"type": "string"}}}


def doc_json(doc: Document) -> dict[str, Any]:
    return {"id": doc.id, "name": doc.name, "contentType": doc.content_type, "size": doc.size,
            "checksum": doc.checksum, "uploadedBy": doc.uploaded_by,
            "createdAt": iso(doc.created_at),
            "href": f"/api/v1/cases/{doc.case_id}/documents/{doc.id}/content"}


@bp.get("/cases/<case_id>/documents")
@operation("List a case's documents", tag="documents", responses={200: {
    "type": "object", "properties": {"items": {"type": "array", "items": DOC_SCHEMA}}}})
def list_docs(case_id: str) -> Any:
    docs = container().documents.list(caller(), case_id)
    return jsonify({"items": [doc_json(d) for d in docs]})


@bp.post("/cases/<case_id>/documents")
@operation("Upload a document (multipart field `file`)", tag="documents",
           body={"type": "object", "properties": {"file": {"type": "string",
                                                            "format": "binary"}}},
           body_type="multipart/form-data", responses={201: DOC_SCHEMA, 413: "Too large"})
def upload(case_id: str) -> Any:
    upload = request.files.get("file")
    if upload is None:
        raise BadRequest("send the document as multipart/form-data in a field named 'file'")
    doc = container().documents.upload(caller(), case_id, upload.stream, upload.filename,
                                       upload.mimetype)
    return jsonify(doc_json(doc)), 201


@bp.get("/cases/<case_id>/documents/<doc_id>/content")
@operation("Download a document", tag="documents", responses={200: "The file"})
def download(case_id: str, doc_id: str) -> Any:
    doc, chunks = container().documents.open(caller(), case_id, doc_id)
    ascii_name = doc.name.encode("ascii", "replace").decode().replace('"', "_")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(doc.name)}"
    return Response(chunks, mimetype=doc.content_type, headers={
        "Content-Disposition": disposition, "Content-Length": str(doc.size),
        "X-Content-Type-Options": "nosniff", "ETag": f'"{doc.checksum}"'})
