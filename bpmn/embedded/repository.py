"""Deployments and process definitions of the embedded engine.

Why duplicate filtering per process key: redeploying a bundle whose BPMN did
not change must not mint a new version (running cases and timers would churn);
a changed process gets the next version and takes over start timers and
message/signal start subscriptions, like Camunda.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bpmn.embedded.compiler import (
    CompiledProcess,
    SpecCache,
    check_deployable,
    check_runnable,
    compile_bpmn,
    content_hash,
)
from bpmn.embedded.context import EngineContext
from bpmn.engine_errors import BadUserRequest, NotFound
from bpmn.engine_types import DefinitionQuery, Deployment, ProcessDefinition
from bpmn.expressions import parse_timer
from bpmn.lint import LintMode
from models.base import new_id
from models.engine import (
    EngineDefinition,
    EngineDeployment,
    EngineJob,
    EngineResource,
    EngineSubscription,
)

BPMN_SUFFIXES = (".bpmn", ".bpmn20.xml", ".xml")


def definition_value(row: EngineDefinition) -> ProcessDefinition:
    return ProcessDefinition(id=row.id, key=row.key, version=row.version, name=row.name,
                             deployment_id=row.deployment_id, resource_name=row.resource_name,
                             tenant=row.tenant, suspended=row.suspended)


class Repository:
    """Deploys BPMN and hands out compiled specs (cached) for definitions."""

    def __init__(self, ctx: EngineContext) -> None:
        self.ctx = ctx
        self.cache = SpecCache()

    # -- deploy ----------------------------------------------------------------
    def deploy(self, session: Session, name: str, resources: Mapping[str, bytes], tenant: str,
               source: str | None, mode: LintMode = "strict") -> Deployment:
        """``mode="camunda"``: accept what cannot run as incidents-to-be (`bpmn.spiff.lenient`)."""
        compiled = self._compile_all(resources, mode)
        if not compiled:
            raise BadUserRequest(f"deployment {name!r} contains no executable BPMN process")
        changed = {key: item for key, item in compiled.items()
                   if self._latest_hash(session, tenant, key) != item[2]}
        if not changed:
            return self._existing(session, tenant, list(compiled))
        deployment = EngineDeployment(id=new_id(), name=name, source=source, tenant=tenant,
                                      deployed_at=self.ctx.now())
        session.add(deployment)
        resource_ids = self._store_resources(session, deployment, resources)
        for resource, process, digest in changed.values():
            row = self._new_definition(session, deployment, resource_ids[resource], resource,
                                       process, digest)
            self.cache.put(row.id, process)
            self._replace_start_triggers(session, row, process)
        session.flush()
        return self._existing(session, tenant, list(compiled))

    def _compile_all(self, resources: Mapping[str, bytes], mode: LintMode
                     ) -> dict[str, tuple[str, CompiledProcess, str]]:
        out: dict[str, tuple[str, CompiledProcess, str]] = {}
        for resource, data in resources.items():
            if not resource.lower().endswith(BPMN_SUFFIXES):
                continue
            check_deployable(resource, data, allow_scripts=self.ctx.allow_scripts, mode=mode)
            processes = compile_bpmn(resource, data, allow_scripts=self.ctx.allow_scripts)
            if mode == "strict":
                check_runnable(resource, processes)
            for key, process in processes.items():
                if key in out:
                    raise BadUserRequest(f"process {key!r} is defined twice in the deployment")
                out[key] = (resource, process, content_hash(key.encode() + b"\0" + data))
        return out

    def _latest_hash(self, session: Session, tenant: str, key: str) -> str | None:
        latest = self.latest(session, key, tenant, required=False)
        return latest.content_hash if latest is not None else None

    def _store_resources(self, session: Session, deployment: EngineDeployment,
                         resources: Mapping[str, bytes]) -> dict[str, str]:
        ids = {}
        for resource, data in resources.items():
            row = EngineResource(id=new_id(), deployment_id=deployment.id, name=resource,
                                 content=bytes(data), tenant=deployment.tenant)
            session.add(row)
            ids[resource] = row.id
        return ids

    def _new_definition(self, session: Session, deployment: EngineDeployment, resource_id: str,
                        resource: str, process: CompiledProcess,
                        digest: str) -> EngineDefinition:
        latest = self.latest(session, process.key, deployment.tenant, required=False)
        version = 1 if latest is None else latest.version + 1
        row = EngineDefinition(
            id=f"{process.key}:{version}:{new_id()}", key=process.key, version=version,
            name=process.name, deployment_id=deployment.id, resource_id=resource_id,
            resource_name=resource, content_hash=digest, called_keys=list(process.called),
            start_kinds=[[s.activity_id, s.kind, s.name] for s in process.starts],
            tenant=deployment.tenant)
        session.add(row)
        session.flush()
        return row

    def _replace_start_triggers(self, session: Session, row: EngineDefinition,
                                process: CompiledProcess) -> None:
        """Start timers and message/signal start events move to the newest version."""
        older = select(EngineDefinition.id).where(EngineDefinition.tenant == row.tenant,
                                                  EngineDefinition.key == row.key,
                                                  EngineDefinition.id != row.id)
        session.execute(delete(EngineJob).where(EngineJob.type == "timer-start",
                                                EngineJob.definition_id.in_(older)))
        session.execute(delete(EngineSubscription).where(
            EngineSubscription.instance_id.is_(None), EngineSubscription.definition_id.in_(older)))
        now = self.ctx.now()
        for start in process.starts:
            if start.kind == "timer":
                timer = parse_timer(start.name or "", {})
                session.add(EngineJob(type="timer-start", definition_id=row.id,
                                      definition_key=row.key, activity_id=start.activity_id,
                                      timer=start.name, due=timer.next_due(now),
                                      remaining=timer.repetitions, created=now,
                                      tenant=row.tenant))
            elif start.kind in ("message", "signal"):
                session.add(EngineSubscription(event_type=start.kind, event_name=start.name or "",
                                               definition_id=row.id, activity_id=start.activity_id,
                                               tenant=row.tenant))

    def _existing(self, session: Session, tenant: str, keys: list[str]) -> Deployment:
        rows = [self.latest(session, key, tenant) for key in keys]
        newest = max(rows, key=lambda r: r.version if r else 0)
        deployment = session.get(EngineDeployment, newest.deployment_id)
        assert deployment is not None
        return Deployment(id=deployment.id, name=deployment.name,
                          deployed_at=deployment.deployed_at, tenant=deployment.tenant,
                          source=deployment.source,
                          process_definitions=[definition_value(r) for r in rows])

    # -- lookups -----------------------------------------------------------------
    def latest(self, session: Session, key: str, tenant: str,
               required: bool = True) -> Any:
        with session.no_autoflush:  # see ``get``
            row = session.scalars(select(EngineDefinition).where(
                EngineDefinition.tenant == tenant, EngineDefinition.key == key)
                .order_by(EngineDefinition.version.desc()).limit(1)).first()
        if row is None and required:
            raise NotFound(f"No matching process definition with key: {key} and tenant-id: "
                           f"{tenant}", type="RestException")
        return row

    def get(self, session: Session, definition_id: str) -> EngineDefinition:
        """Without autoflush: deploys flush their definitions, and a caller's unrelated
        pending rows (a new case whose INSERT waits for its instance id) stay pending."""
        with session.no_autoflush:
            row = session.get(EngineDefinition, definition_id)
        if row is None:
            raise NotFound(f"No matching definition with id {definition_id}")
        return row

    def compiled(self, session: Session, row: EngineDefinition) -> CompiledProcess:
        item = self.cache.get(row.id)
        if item is None:
            resource = session.get(EngineResource, row.resource_id)
            if resource is None:
                raise NotFound(f"resource of definition {row.id} is missing")
            item = compile_bpmn(row.resource_name, resource.content,
                                allow_scripts=self.ctx.allow_scripts)[row.key]
            self.cache.put(row.id, item)
        return item

    def specs(self, session: Session, row: EngineDefinition,
              called: dict[str, str]) -> tuple[Any, dict[str, Any]]:
        """Spec + subprocess specs; ``called`` maps call targets to definition ids (filled)."""
        main = self.compiled(session, row)
        subs = dict(main.embedded)
        pending = list(main.called)
        while pending:
            key = pending.pop()
            if key in subs:
                continue
            target = (self.get(session, called[key]) if key in called
                      else self.latest(session, key, row.tenant, required=False))
            if target is None:
                continue  # reaching the call activity fails with a clear error
            called[key] = target.id
            item = self.compiled(session, target)
            subs[key] = item.spec
            subs.update(item.embedded)
            pending.extend(item.called)
        return main.spec, subs

    # -- queries ---------------------------------------------------------------
    def definitions(self, session: Session, query: DefinitionQuery) -> list[ProcessDefinition]:
        stmt = select(EngineDefinition)
        for column, value in ((EngineDefinition.id, query.id), (EngineDefinition.key, query.key),
                              (EngineDefinition.deployment_id, query.deployment_id),
                              (EngineDefinition.tenant, query.tenant)):
            if value is not None:
                stmt = stmt.where(column == value)
        if query.latest:
            newest = (select(EngineDefinition.tenant, EngineDefinition.key,
                             func.max(EngineDefinition.version).label("v"))
                      .group_by(EngineDefinition.tenant, EngineDefinition.key).subquery())
            stmt = stmt.join(newest, (newest.c.key == EngineDefinition.key)
                             & (newest.c.tenant == EngineDefinition.tenant)
                             & (newest.c.v == EngineDefinition.version))
        stmt = stmt.order_by(EngineDefinition.key, EngineDefinition.version).offset(query.first)
        if query.max_results is not None:
            stmt = stmt.limit(query.max_results)
        return [definition_value(r) for r in session.scalars(stmt)]

    def deployments(self, session: Session, tenant: str | None) -> list[Deployment]:
        stmt = select(EngineDeployment).order_by(EngineDeployment.deployed_at)
        if tenant is not None:
            stmt = stmt.where(EngineDeployment.tenant == tenant)
        out = []
        for dep in session.scalars(stmt):
            defs = session.scalars(select(EngineDefinition).where(
                EngineDefinition.deployment_id == dep.id)).all()
            out.append(Deployment(id=dep.id, name=dep.name, deployed_at=dep.deployed_at,
                                  tenant=dep.tenant, source=dep.source,
                                  process_definitions=[definition_value(d) for d in defs]))
        return out

    def xml(self, session: Session, definition_id: str) -> bytes:
        row = self.get(session, definition_id)
        resource = session.get(EngineResource, row.resource_id)
        if resource is None:
            raise NotFound(f"resource of definition {definition_id} is missing")
        return bytes(resource.content)
