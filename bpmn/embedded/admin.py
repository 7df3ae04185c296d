"""Instance administration: cancel, suspend/activate, variables, deleting deployments.

Why grouped: these change an instance from the outside (an operator or the
case runtime) rather than by the process moving on, and several of them touch
every projection row of the instance at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bpmn.embedded.context import EngineContext
from bpmn.embedded.repository import Repository
from bpmn.embedded.runner import RUNNING, Runner
from bpmn.engine_errors import BadUserRequest, NotFound
from bpmn.spiff.inspect import set_process_variables
from models.engine import (
    EngineDefinition,
    EngineDeployment,
    EngineExternalTask,
    EngineHistoryActivity,
    EngineHistoryVariable,
    EngineIdentityLink,
    EngineIncident,
    EngineInstance,
    EngineJob,
    EngineResource,
    EngineSubscription,
    EngineUserTask,
    EngineVariable,
)

_PER_INSTANCE = (EngineUserTask, EngineExternalTask, EngineJob, EngineSubscription,
                 EngineIncident, EngineVariable, EngineHistoryActivity, EngineHistoryVariable)


class Admin:
    """See module docstring."""

    def __init__(self, ctx: EngineContext, repository: Repository, runner: Runner) -> None:
        self.ctx = ctx
        self.repository = repository
        self.runner = runner

    def cancel(self, session: Session, instance_id: str, reason: str | None) -> None:
        live = self.runner.load(session, instance_id, running=False)
        self.runner.cancel(session, live, reason)

    def set_suspended(self, session: Session, instance_id: str, suspended: bool) -> None:
        row = session.get(EngineInstance, instance_id)
        if row is None:
            raise NotFound(f"Process instance with id {instance_id} does not exist")
        if row.state not in RUNNING:
            raise BadUserRequest(f"Process instance {instance_id} has ended")
        row.state = "SUSPENDED" if suspended else "ACTIVE"
        for table in (EngineUserTask, EngineExternalTask, EngineJob):
            session.execute(update(table).where(table.instance_id == instance_id)
                            .values(suspended=suspended))

    def set_variables(self, session: Session, instance_id: str, values: Mapping[str, Any],
                      deletions: Iterable[str]) -> None:
        live = self.runner.load(session, instance_id, running=False)
        set_process_variables(live.wf, dict(values), tuple(deletions))
        self.runner.save(session, live)

    def delete_deployment(self, session: Session, deployment_id: str, cascade: bool) -> None:
        if session.get(EngineDeployment, deployment_id) is None:
            raise NotFound(f"Deployment with id '{deployment_id}' does not exist")
        definitions = select(EngineDefinition.id).where(
            EngineDefinition.deployment_id == deployment_id)
        instances = list(session.scalars(select(EngineInstance.id).where(
            EngineInstance.definition_id.in_(definitions))))
        if instances and not cascade:
            raise BadUserRequest(f"Deletion of process definition without cascading failed. "
                                 f"There are {len(instances)} dependent process instances")
        for table in _PER_INSTANCE:
            session.execute(delete(table).where(table.instance_id.in_(instances)))
        session.execute(delete(EngineIdentityLink).where(
            EngineIdentityLink.task_id.not_in(select(EngineUserTask.id))))
        session.execute(delete(EngineInstance).where(EngineInstance.id.in_(instances)))
        for table in (EngineJob, EngineSubscription):
            session.execute(delete(table).where(table.definition_id.in_(definitions)))
        session.execute(delete(EngineDefinition).where(
            EngineDefinition.deployment_id == deployment_id))
        session.execute(delete(EngineResource).where(EngineResource.deployment_id == deployment_id))
        session.execute(delete(EngineDeployment).where(EngineDeployment.id == deployment_id))
