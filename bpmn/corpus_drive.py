"""`CorpusDriver`: drives one deployed process to its end through any `Engine`.

Why generic: for each executable process the driver starts an instance (plain
start, else its start message, start timer or start signal) and then, round
after round, does what users and the environment would: completes user tasks,
fetches and completes external tasks, fires jobs with a clock decades ahead
(``run_due_jobs(now=...)``), correlates the messages and throws the signals
the document declares. Call activities run inside their instance. Variables
a process expects from its starter are supplied when the engine names them
("unknown variable 'x'"): a date for names containing ``date``, the user
``demo`` for names of people, 1 otherwise. It stops at the end or at a
documented limitation: an error, an incident, a loop, or a round that
changed nothing. With ``stand_in`` the driver also plays the worker a
Camunda user would subscribe to ``casestudio.unsupported``: it resolves the
incident of an element the engine cannot run (Java code, DMN, scripts...),
completes it, and records the element in `Drive.stood_in`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from bpmn.engine import Engine
from bpmn.engine_errors import EngineError, NotFound
from bpmn.engine_types import (
    ExternalTaskQuery,
    HistoryQuery,
    IncidentQuery,
    JobQuery,
    ProcessDefinition,
    TaskQuery,
    TopicRequest,
)
from bpmn.spiff.lenient import UNSUPPORTED_TOPIC
from bpmn.xml import BPMN_NS, parse_xml

WORKER = "corpus-driver"
AHEAD = timedelta(days=366 * 30)
MAX_ROUNDS = 30
PEOPLE = ("initiator", "assignee", "reviewer", "user", "owner", "approver", "manager")
_UNKNOWN = re.compile(r"unknown variable '([A-Za-z_][A-Za-z0-9_]*)'")
Outcome = Literal["ended", "limitation"]


@dataclass(frozen=True)
class Drive:
    """What happened to one executable process."""

    key: str
    outcome: Outcome
    detail: str
    rounds: int = 0
    #: Unsupported elements the driver stood in for (ids), in the order reached ...
    stood_in: tuple[str, ...] = ()
    #: ... and the message of the incident each one raised first.
    incidents: tuple[str, ...] = ()


@dataclass
class Declared:
    """Message and signal names a document declares, and which signals were thrown."""

    messages: list[str] = field(default_factory=list)
    signals: list[str] = field(default_factory=list)
    thrown: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, xml: bytes) -> Declared:
        root = parse_xml(xml)
        names = [(e.get("name") or "", e.tag.endswith("message")) for e in root.iter(
            f"{{{BPMN_NS}}}message", f"{{{BPMN_NS}}}signal")]
        return cls([n for n, message in names if n and message],
                   [n for n, message in names if n and not message])


class Stuck(Exception):
    """The drive cannot go on (the message says why)."""


def guess(name: str, now: datetime) -> Any:
    """A plausible value for a variable a process expects (see module docstring)."""
    lowered = name.lower()
    if "date" in lowered:
        return (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return "demo" if any(p in lowered for p in PEOPLE) else 1


class CorpusDriver:
    """Drives processes of one ``tenant`` on ``engine`` (see module docstring)."""

    def __init__(self, engine: Engine, tenant: str = "default",
                 clock: Callable[[], datetime] | None = None, *, stand_in: bool = False) -> None:
        self.engine = engine
        self.tenant = tenant
        self.clock = clock or (lambda: datetime.now(UTC))
        self.variables: dict[str, Any] = {}
        self.stand_in = stand_in
        self.stood_in: list[str] = []
        self.messages: list[str] = []

    def drive(self, definition: ProcessDefinition) -> Drive:
        declared = Declared.of(self.engine.definition_xml(definition.id))
        known = {h.id for h in self.engine.history_instances(HistoryQuery(tenant=self.tenant))}
        rounds = 0
        self.stood_in, self.messages = [], []
        try:
            root = self._supplied(lambda: self._start(definition, declared, known))
            while rounds < MAX_ROUNDS:
                if self.engine.instance(root).state in ("COMPLETED", "TERMINATED"):
                    return self._result(definition.key, "ended", "ended", rounds)
                rounds += 1
                self._check_incidents(known)
                if not self._supplied(lambda: self._round(self._active(known), declared)):
                    raise Stuck(f"nothing left to do; waiting at {self._waiting(root)}")
            raise Stuck(f"still running after {MAX_ROUNDS} rounds (it loops)")
        except Stuck as exc:
            return self._result(definition.key, "limitation", str(exc), rounds)
        except EngineError as exc:
            return self._result(definition.key, "limitation",
                                f"{type(exc).__name__}: {exc.message}", rounds)

    def _result(self, key: str, outcome: Outcome, detail: str, rounds: int) -> Drive:
        if self.stood_in and outcome == "ended":
            detail = f"ended, standing in for {', '.join(self.stood_in)}"
        return Drive(key, outcome, detail, rounds, tuple(self.stood_in), tuple(self.messages))

    def _supplied(self, step: Callable[[], Any], attempts: int = 4) -> Any:
        """Run ``step``; when the engine names a missing variable, supply it and retry."""
        for _ in range(attempts):
            try:
                return step()
            except (EngineError, Stuck) as exc:
                missing = _UNKNOWN.search(str(exc))
                if missing is None or missing.group(1) in self.variables:
                    raise
                self.variables[missing.group(1)] = guess(missing.group(1), self.clock())
        return step()

    # -- starting ----------------------------------------------------------------
    def _start(self, definition: ProcessDefinition, declared: Declared, known: set[str]) -> str:
        business_key = f"corpus-{definition.key}"
        attempts: list[Callable[[], object]] = [
            lambda: self.engine.start(definition_id=definition.id, business_key=business_key,
                                      variables=self.variables, tenant=self.tenant),
            *[self._correlator(name, business_key) for name in declared.messages],
            lambda: self.engine.run_due_jobs(now=self.clock() + AHEAD, limit=50),  # any tenant
            *[self._signaller(name) for name in declared.signals]]
        failures = []
        for attempt in attempts:
            try:
                attempt()
            except EngineError as exc:
                failures.append(exc.message)
            started = [h for h in self.engine.history_instances(HistoryQuery(
                definition_key=definition.key, tenant=self.tenant)) if h.id not in known]
            if started:
                return started[0].id
        failures += [f"start job failed at {i.activity_id}: {i.message}" for i in
                     self.engine.incidents(IncidentQuery(tenant=self.tenant))
                     if i.process_definition_id == definition.id and i.type == "failedJob"]
        raise Stuck(f"could not start: {'; '.join(failures[-2:]) or 'no start event fired'}")

    def _correlator(self, name: str, business_key: str | None,
                    instance_id: str | None = None) -> Callable[[], object]:
        return lambda: self.engine.correlate(name, business_key=business_key,
                                             process_instance_id=instance_id,
                                             variables=self.variables, tenant=self.tenant)

    def _signaller(self, name: str) -> Callable[[], object]:
        return lambda: self.engine.signal(name, self.variables, tenant=self.tenant)

    # -- one round -----------------------------------------------------------------
    def _active(self, known: set[str]) -> list[str]:
        return [h.id for h in self.engine.history_instances(HistoryQuery(
            finished=False, tenant=self.tenant)) if h.id not in known]

    def _round(self, active: list[str], declared: Declared) -> bool:
        """One pass of everything a participant could do; True when something happened."""
        progressed = False
        for instance_id in active:
            progressed |= self._user_tasks(instance_id) | self._external_tasks(instance_id)
        if any(self.engine.jobs(JobQuery(process_instance_id=i)) for i in active):
            progressed |= self.engine.run_due_jobs(now=self.clock() + AHEAD, limit=20) > 0
        if not progressed:
            progressed = self._messages(active, declared.messages)
        return progressed or self._signals(active, declared)

    def _user_tasks(self, instance_id: str) -> bool:
        done = False
        for task in self.engine.tasks(TaskQuery(process_instance_id=instance_id)):
            try:
                self.engine.complete(task.id, self.variables)
                done = True
            except NotFound:  # cancelled by an earlier completion (completion condition)
                continue
        return done

    def _external_tasks(self, instance_id: str) -> bool:
        pending = self.engine.external_tasks(ExternalTaskQuery(process_instance_id=instance_id))
        topics = sorted({t.topic for t in pending if t.retries != 0})
        requests = [TopicRequest(topic, 60_000, tenant_ids=[self.tenant]) for topic in topics]
        done = False
        for task in self.engine.fetch_and_lock(WORKER, requests, max_tasks=50) if topics else []:
            if task.process_instance_id != instance_id:
                self.engine.unlock(task.id)
                continue
            try:
                self.engine.complete_external(task.id, WORKER, self.variables)
            except EngineError:
                self.engine.unlock(task.id)  # fetchable again when retried with more variables
                raise
            done = True
        return done

    def _messages(self, active: list[str], names: list[str]) -> bool:
        for instance_id in active:
            for name in names:
                try:
                    self._correlator(name, None, instance_id)()
                    return True
                except EngineError:
                    continue
        return False

    def _signals(self, active: list[str], declared: Declared) -> bool:
        """Throw each declared signal once per drive; True when the instances moved."""
        for name in declared.signals:
            if name not in declared.thrown:
                declared.thrown.add(name)
                before = [self._waiting(i) for i in active]
                self.engine.signal(name, self.variables, tenant=self.tenant)
                if [self._waiting(i) for i in active] != before:
                    return True
        return False

    def _check_incidents(self, known: set[str]) -> None:
        for incident in self.engine.incidents(IncidentQuery(tenant=self.tenant)):
            if incident.process_instance_id in known:
                continue
            if not self._stands_in(incident.configuration):
                raise Stuck(f"incident at {incident.activity_id}: {incident.message}")
            self.stood_in.append(incident.activity_id or "?")
            self.messages.append(incident.message or "")

    def _stands_in(self, task_id: str | None) -> bool:
        """Give an unsupported element's task a retry so this driver completes it."""
        if not self.stand_in or task_id is None:
            return False
        try:
            task = self.engine.external_task(task_id)
        except NotFound:
            return False
        if task.topic != UNSUPPORTED_TOPIC:
            return False
        self.engine.set_external_retries(task_id, 1)
        return True

    def _waiting(self, instance_id: str) -> list[str]:
        try:
            return [a.activity_id for a in self.engine.activity_instances(instance_id)]
        except EngineError:
            return []
