"""Incidents: failed external tasks and jobs that ran out of retries.

Why a separate service: both the external-task and the job side open them,
and resolving one means giving its task or job retries again, which is the
only way Camunda resolves these two incident types.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bpmn.embedded.context import EngineContext
from bpmn.engine_errors import NotFound
from bpmn.engine_types import Incident, IncidentQuery
from models.engine import EngineExternalTask, EngineIncident, EngineJob


def incident_value(row: EngineIncident) -> Incident:
    return Incident(id=row.id, type=row.type,  # type: ignore[arg-type]
                    process_instance_id=row.instance_id, process_definition_id=row.definition_id,
                    activity_id=row.activity_id, configuration=row.configuration,
                    message=row.message, created=row.created, tenant=row.tenant)


class Incidents:
    """See module docstring."""

    def __init__(self, ctx: EngineContext) -> None:
        self.ctx = ctx

    def open(self, session: Session, kind: str, configuration: str, instance_id: str | None,
             definition_id: str, activity_id: str | None, message: str | None, tenant: str,
             business_key: str | None) -> None:
        exists = session.scalars(select(EngineIncident.id).where(
            EngineIncident.configuration == configuration)).first()
        if exists is not None:
            return
        row = EngineIncident(type=kind, configuration=configuration, instance_id=instance_id,
                             definition_id=definition_id, activity_id=activity_id,
                             message=message, created=self.ctx.now(), tenant=tenant)
        session.add(row)
        session.flush()
        self.ctx.emit(session, "incident.created", instance_id=instance_id,
                      business_key=business_key, tenant=tenant, incident_id=row.id,
                      incident_type=kind, activity_id=activity_id, message=message)

    def resolve_for(self, session: Session, configuration: str) -> None:
        """The task/job got retries again: its incident (if any) is resolved."""
        for row in session.scalars(select(EngineIncident).where(
                EngineIncident.configuration == configuration)).all():
            self._resolved(session, row)

    def resolve(self, session: Session, incident_id: str) -> None:
        row = session.get(EngineIncident, incident_id)
        if row is None:
            raise NotFound(f"Cannot find an incident with id '{incident_id}'")
        target = EngineExternalTask if row.type == "failedExternalTask" else EngineJob
        session.execute(update(target).where(target.id == row.configuration,
                                             target.retries == 0).values(retries=1))
        self._resolved(session, row)

    def _resolved(self, session: Session, row: EngineIncident) -> None:
        session.delete(row)
        self.ctx.emit(session, "incident.resolved", instance_id=row.instance_id,
                      business_key=None, tenant=row.tenant, incident_id=row.id,
                      incident_type=row.type, activity_id=row.activity_id)

    def query(self, session: Session, query: IncidentQuery) -> list[Incident]:
        stmt = select(EngineIncident)
        for column, value in ((EngineIncident.id, query.id), (EngineIncident.type, query.type),
                              (EngineIncident.instance_id, query.process_instance_id),
                              (EngineIncident.activity_id, query.activity_id),
                              (EngineIncident.configuration, query.configuration),
                              (EngineIncident.tenant, query.tenant)):
            if value is not None:
                stmt = stmt.where(column == value)
        stmt = stmt.order_by(EngineIncident.created, EngineIncident.id).offset(query.first)
        if query.max_results is not None:
            stmt = stmt.limit(query.max_results)
        return [incident_value(r) for r in session.scalars(stmt)]
