"""Deployments and process definitions on a remote Camunda/Operaton.

Why resources are read before they are sent: the answer of a deployment
with ``deploy-changed-only`` lists only the definitions that changed, while
the protocol promises every process of the deployment (its latest version),
so the adapter learns the executable process ids from the XML itself (with
the hardened parser). Files written in the Operaton (or legacy Activiti)
namespace are rewritten to ``camunda:`` first, which Camunda 7 and Operaton
both read; untouched files travel byte for byte, so duplicate filtering and
``definition_xml`` see exactly what the caller deployed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pycamunda.deployment
import pycamunda.processdef
from lxml import etree

from bpmn.camunda import convert
from bpmn.camunda.connection import Connection
from bpmn.engine_errors import BadUserRequest
from bpmn.engine_types import DefinitionQuery, Deployment, ProcessDefinition
from bpmn.errors import XmlError
from bpmn.xml import BPMN_NS, NAMESPACE_ALIASES, normalize_namespaces, parse_xml

XML_SUFFIXES = (".bpmn", ".bpmn20.xml", ".dmn", ".dmn11.xml", ".xml")


def prepare_resource(name: str, data: bytes) -> tuple[bytes, list[str]]:
    """The bytes to send (Camunda namespace) and the executable process ids inside."""
    if not name.lower().endswith(XML_SUFFIXES):
        return data, []
    try:
        root = parse_xml(data)
    except XmlError as exc:
        raise BadUserRequest(f"{name}: {exc}") from None
    if any(alias.encode() in data for alias in NAMESPACE_ALIASES):
        normalize_namespaces(root)
        data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    keys = [p.get("id") or "" for p in root.iter(f"{{{BPMN_NS}}}process")
            if (p.get("isExecutable") or "").lower() == "true"]
    return data, [k for k in keys if k]


class RepositoryMixin:
    """``deploy`` and the definition/deployment queries of `CamundaEngine`."""

    rest: Connection

    def deploy(self, name: str, resources: Mapping[str, bytes], *, tenant: str = "default",
               source: str | None = None, session: Any = None,
               mode: str = "strict") -> Deployment:
        """Camunda applies its own deploy rules, so ``mode`` (CaseStudio's lint mode) is moot."""
        create = pycamunda.deployment.Create(
            self.rest.url, name=name, source=source, enable_duplicate_filtering=True,
            deploy_changed_only=True, tenant_id=convert.tenant_id(tenant))
        if not resources:
            raise BadUserRequest("No deployment resources given")
        keys: list[str] = []
        for resource, data in resources.items():
            body, found = prepare_resource(resource, bytes(data))
            keys += found
            create.add_resource((resource, body, "application/octet-stream"))
        answer = self.rest.send(create, "POST", multipart=True)
        fresh = {d["key"]: convert.definition(d)
                 for d in (answer.get("deployedProcessDefinitions") or {}).values()}
        ordered = [fresh.get(key) or self._latest(key, tenant) for key in keys]
        extra = [d for key, d in fresh.items() if key not in keys]
        return convert.deployment(answer, [d for d in ordered if d is not None] + extra)

    def _latest(self, key: str, tenant: str) -> ProcessDefinition | None:
        found = self.definitions(DefinitionQuery(key=key, latest=True, tenant=tenant))
        return found[0] if found else None

    def deployments(self, tenant: str | None = None) -> list[Deployment]:
        params = {"sortBy": "deploymentTime", "sortOrder": "asc", **convert.tenant_params(tenant)}
        rows = self.rest.call("GET", "/deployment", params=params) or []
        by_deployment: dict[str, list[ProcessDefinition]] = {}
        for definition in self.definitions(DefinitionQuery(tenant=tenant)):
            by_deployment.setdefault(definition.deployment_id, []).append(definition)
        return [convert.deployment(row, by_deployment.get(row["id"], [])) for row in rows]

    def delete_deployment(self, deployment_id: str, cascade: bool = False, *,
                          session: Any = None) -> None:
        request = pycamunda.deployment.Delete(self.rest.url, deployment_id, cascade=cascade)
        self.rest.send(request, "DELETE")

    def definitions(self, query: DefinitionQuery | None = None) -> list[ProcessDefinition]:
        q = query or DefinitionQuery()
        params: dict[str, Any] = {"sortBy": "version", "sortOrder": "asc",
                                  **convert.listing(q.tenant, q.first, q.max_results)}
        for field, value in (("processDefinitionId", q.id), ("key", q.key),
                             ("deploymentId", q.deployment_id)):
            if value is not None:
                params[field] = value
        if q.latest:
            params["latestVersion"] = "true"
        rows = self.rest.call("GET", "/process-definition", params=params) or []
        return [convert.definition(row) for row in rows]

    def definition(self, definition_id: str) -> ProcessDefinition:
        request = pycamunda.processdef.Get(self.rest.url, id_=definition_id)
        return convert.definition(self.rest.send(request, "GET"))

    def definition_xml(self, definition_id: str) -> bytes:
        request = pycamunda.processdef.GetXML(self.rest.url, id_=definition_id)
        return str(self.rest.send(request, "GET").get("bpmn20Xml") or "").encode("utf-8")
