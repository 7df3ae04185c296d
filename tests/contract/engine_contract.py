"""The backend-neutral `Engine` contract suite.

Why a class of test methods: a backend's test module subclasses `EngineContract`
(or collects it under its own name) and supplies two fixtures — ``engine`` (a
fresh or shared `bpmn.engine.Engine`) and ``advance(seconds)`` (moves time on and
runs due jobs) — and gets every test. Issue 4 reruns it through the
``/engine-rest`` facade with pycamunda and against a real Camunda/Operaton.
"""

from __future__ import annotations

from tests.contract.engine_contract_core import CoreContract
from tests.contract.engine_contract_events import EventsContract
from tests.contract.engine_contract_external import ExternalTaskContract
from tests.contract.engine_contract_flow import FlowContract
from tests.contract.engine_contract_tasks import TaskExtrasContract
from tests.contract.engine_contract_timers import TimersContract


class EngineContract(CoreContract, ExternalTaskContract, FlowContract, EventsContract,
                     TimersContract, TaskExtrasContract):
    """Every contract test; subclass it in a ``test_*.py`` module with the fixtures."""


__all__ = ["EngineContract"]
