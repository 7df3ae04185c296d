"""Deploying bundles as immutable case-type versions, and reading them back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectors.identity import Principal
from models.base import utcnow
from models.casetypes import CaseType, CaseTypeVersion
from models.db import Database
from runtime import journal
from runtime.authz import Authorizer
from runtime.bundles.archive import write_zip
from runtime.bundles.model import Bundle
from runtime.errors import NotFound

#: Called inside the deploy transaction to deploy the bundle's BPMN to the engine.
ProcessDeployer = Callable[[Session, Bundle, str], dict[str, Any]]


class CaseTypeService:
    """Owns case types: deploy (idempotent by content hash), list, get, export."""

    def __init__(self, db: Database, authz: Authorizer,
                 deploy_processes: ProcessDeployer | None = None,
                 on_change: Callable[[], None] | None = None) -> None:
        self.db = db
        self.authz = authz
        self.deploy_processes = deploy_processes
        self.on_change = on_change

    def deploy(self, principal: Principal, bundle: Bundle) -> tuple[CaseTypeVersion, bool]:
        """Store a new version, or return the identical one deployed before."""
        self.authz.require(principal, "case_type.deploy", {"kind": "case_type",
                                                           "caseType": bundle.key})
        with self.db.session() as s:
            existing = s.scalar(select(CaseTypeVersion).where(
                CaseTypeVersion.tenant == principal.tenant, CaseTypeVersion.key == bundle.key,
                CaseTypeVersion.content_hash == bundle.content_hash))
            if existing is not None:
                return existing, False
            version = self._store(s, principal, bundle)
        if self.on_change:
            self.on_change()
        return version, True

    def _store(self, s: Session, principal: Principal, bundle: Bundle) -> CaseTypeVersion:
        case_type = self._case_type(s, principal.tenant, bundle)
        case_type.latest_version += 1
        case_type.name = bundle.definition["name"]
        case_type.updated_at = utcnow()
        version = CaseTypeVersion(
            tenant=principal.tenant, case_type_id=case_type.id, key=bundle.key,
            version=case_type.latest_version, content_hash=bundle.content_hash,
            definition=bundle.definition, bundle_zip=write_zip(bundle.files),
            warnings=bundle.warnings, created_by=principal.id)
        if self.deploy_processes and bundle.definition.get("processId"):
            version.engine_refs = self.deploy_processes(s, bundle, principal.tenant)
        s.add(version)
        s.flush()
        journal.record(s, tenant=principal.tenant, case_id=None, actor=principal.id,
                       action="deployed", event="deployment.created",
                       data={"caseType": bundle.key, "version": version.version})
        return version

    @staticmethod
    def _case_type(s: Session, tenant: str, bundle: Bundle) -> CaseType:
        row = s.scalar(select(CaseType).where(CaseType.tenant == tenant,
                                              CaseType.key == bundle.key).with_for_update())
        if row is None:
            row = CaseType(tenant=tenant, key=bundle.key, name=bundle.definition["name"])
            s.add(row)
            s.flush()
        return row

    def list_types(self, principal: Principal) -> list[CaseTypeVersion]:
        """Latest version of every case type the caller may read."""
        self.authz.require(principal, "case_type.read", {"kind": "case_type"})
        with self.db.session() as s:
            rows = s.scalars(select(CaseTypeVersion).join(
                CaseType, (CaseType.id == CaseTypeVersion.case_type_id)
                & (CaseType.latest_version == CaseTypeVersion.version))
                .where(CaseType.tenant == principal.tenant).order_by(CaseType.key))
            return list(rows)

    def get(self, principal: Principal, key: str, version: int | None = None
            ) -> CaseTypeVersion:
        """One version (latest by default); 404 when unknown."""
        self.authz.require(principal, "case_type.read", {"kind": "case_type", "caseType": key})
        with self.db.session() as s:
            row = latest_version(s, principal.tenant, key, version)
        if row is None:
            raise NotFound(f"case type {key!r}" + (f" version {version}" if version else "")
                           + " does not exist")
        return row

    def versions(self, principal: Principal, key: str) -> list[CaseTypeVersion]:
        self.get(principal, key)
        with self.db.session() as s:
            return list(s.scalars(select(CaseTypeVersion).where(
                CaseTypeVersion.tenant == principal.tenant, CaseTypeVersion.key == key)
                .order_by(CaseTypeVersion.version)))

    def policy_data(self) -> dict[str, Any]:
        """``{caseTypes: {tenant: {key: {permissions}}}}`` from the latest versions."""
        with self.db.session() as s:
            rows = s.execute(select(CaseTypeVersion.tenant, CaseTypeVersion.key,
                                    CaseTypeVersion.definition)
                             .join(CaseType, (CaseType.id == CaseTypeVersion.case_type_id)
                                   & (CaseType.latest_version == CaseTypeVersion.version)))
            out: dict[str, dict[str, Any]] = {}
            for tenant, key, definition in rows:
                out.setdefault(tenant, {})[key] = {
                    "permissions": definition.get("permissions", {})}
        return {"caseTypes": out}

    def count(self) -> int:
        with self.db.session() as s:
            return int(s.scalar(select(func.count()).select_from(CaseType)) or 0)


def latest_version(s: Session, tenant: str, key: str, version: int | None = None
                   ) -> CaseTypeVersion | None:
    """The requested version of a case type, or its latest one."""
    query = select(CaseTypeVersion).where(CaseTypeVersion.tenant == tenant,
                                          CaseTypeVersion.key == key)
    if version is not None:
        return s.scalar(query.where(CaseTypeVersion.version == version))
    return s.scalar(query.order_by(CaseTypeVersion.version.desc()).limit(1))
