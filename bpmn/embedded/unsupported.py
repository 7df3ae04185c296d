"""Incidents for elements the engine cannot run (deployed through ``mode="camunda"``).

Why at the external-task row: `bpmn.spiff.lenient` turns such an element
into an external task on `UNSUPPORTED_TOPIC` carrying the reason, so the
instance waits there like Camunda would at a failing delegate. The moment the
task appears it gets no retries and an incident naming the element and the
reason; nothing fetches it. Resolving the incident (retries > 0) lets a
worker subscribed to the reserved topic stand in for the missing code.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from bpmn.embedded.incidents import Incidents
from bpmn.spiff.lenient import REASON_PROPERTY, UNSUPPORTED_TOPIC
from models.engine import EngineExternalTask

INCIDENT_TYPE = "failedExternalTask"


def incident_message(row: EngineExternalTask) -> str:
    reason = (row.properties or {}).get(REASON_PROPERTY) or f"{row.activity_id!r}: unsupported"
    return (f"CaseStudio cannot run {reason}. Model it as an external task "
            f"(camunda:type=\"external\"), or resolve this incident and complete the task "
            f"from a worker on topic '{UNSUPPORTED_TOPIC}'.")


def flag_if_unsupported(session: Session, incidents: Incidents,
                        row: EngineExternalTask) -> None:
    """A new external task on the reserved topic: no retries, and an incident."""
    if row.topic != UNSUPPORTED_TOPIC:
        return
    message = incident_message(row)
    row.retries = 0
    row.error_message = message
    incidents.open(session, INCIDENT_TYPE, row.id, row.instance_id, row.definition_id,
                   row.activity_id, message, row.tenant, row.business_key)
