# CaseStudio authorization (DESIGN §7): every API call asks for one decision,
# and list endpoints ask for a scope that the runtime turns into a SQL filter.
#
# input  {"subject": {"id", "roles", "tenant"}, "action": "...",
#         "resource": {"kind", "tenant", "caseType", "assignee",
#                      "candidateUsers", "candidateGroups", ...}}
# data   data.caseTypes[tenant][caseTypeKey].permissions[verb] = [role, ...]
#        (replaced by the runtime whenever a case type is deployed)
# output allow  - true only when a rule below grants it (default deny)
#        scope  - {"all", "caseTypes", "tenant"} for list endpoints (no resource needed)
#
# Customers may replace this file (POLICY_URL=embedded:///their/dir or OPA) but
# must keep the package name and both outputs: the runtime queries exactly those.
#
# The logic lives in pure functions of the request and the case-type data so
# that casestudio_test.rego can call them directly: regopy 1.5.2 crashes on
# `with` around rules whose bodies use other rules. Tables are function clauses
# and arrays, not object or set literals, which rego-cpp rebuilds on every query.
# `import rego.v1` keeps the file loadable by OPA 0.x servers as well as 1.x.
package casestudio.authz

import rego.v1

default allow := false

allow if decide(input, resource_case_type)

default scope := {"all": false, "caseTypes": [], "tenant": ""}

scope := scope_of(input, tenant_case_types)

# The case type the resource belongs to, looked up once here: a function that
# used its argument as a key into data would make rego-cpp scan every key.
default resource_case_type := {}

resource_case_type := data.caseTypes[input.subject.tenant][input.resource.caseType]

default tenant_case_types := {}

tenant_case_types := data.caseTypes[input.subject.tenant]

# Each known action and the resource kind it applies to. An action missing here
# is unknown and denied even to admins, so a typo in the runtime fails closed.
action_kind("case.create") := "case"

action_kind("case.read") := "case"

action_kind("case.update") := "case"

action_kind("case.manage") := "case"

action_kind("case_type.read") := "case_type"

action_kind("case_type.deploy") := "case_type"

action_kind("task.read") := "task"

action_kind("task.claim") := "task"

action_kind("task.complete") := "task"

action_kind("task.assign") := "task"

action_kind("engine.access") := "engine"

action_kind("user.manage") := "user"

action_kind("studio.access") := "system"

action_kind("studio.manage") := "system"

action_kind("admin.access") := "system"

# Case actions map to the permission verbs of a case type. A verb is granted by
# the roles listed for it or for any stronger verb: manage implies every case
# action, update implies read.
case_verb("case.create") := "create"

case_verb("case.read") := "read"

case_verb("case.update") := "update"

case_verb("case.manage") := "manage"

granting_verbs("create") := ["create", "manage"]

granting_verbs("read") := ["read", "update", "manage"]

granting_verbs("update") := ["update", "manage"]

granting_verbs("manage") := ["manage"]

# --- decisions ---

# decide(request, definition of the resource's case type or {})
decide(req, case_type) if {
	in_tenant(req)
	admin_or_permitted(req, case_type)
}

admin_or_permitted(req, _) if has_role(req, "admin")

admin_or_permitted(req, case_type) if permitted(req, case_type)

authenticated(subject) if {
	is_array(subject.roles)
	is_string(subject.id)
	subject.id != ""
	is_string(subject.tenant)
	subject.tenant != ""
}

# A decision is only ever about a known action on a resource of the right kind
# that lives in the subject's own tenant.
in_tenant(req) if {
	authenticated(req.subject)
	req.resource.tenant == req.subject.tenant
	req.resource.kind == action_kind(req.action)
}

# Roles may also hold group names (OIDC groups, BPMN candidate groups).
has_role(req, role) if role in req.subject.roles

# True when one of the subject's roles is listed under one of the verbs.
listed(roles, permissions, verbs) if {
	some verb in verbs
	some role in permissions[verb]
	role in roles
}

grants(req, case_type, verb) if listed(req.subject.roles, case_type.permissions, granting_verbs(verb))

permitted(req, case_type) if grants(req, case_type, case_verb(req.action))

permitted(req, _) if req.action == "case_type.read"

permitted(req, _) if {
	req.action in ["case_type.deploy", "studio.access", "studio.manage"]
	has_role(req, "analyst")
}

permitted(req, _) if {
	req.action == "engine.access"
	has_role(req, "engine")
}

permitted(req, case_type) if {
	req.action == "task.read"
	grants(req, case_type, "read")
}

permitted(req, case_type) if {
	req.action == "task.claim"
	may_claim(req, case_type)
}

permitted(req, _) if {
	req.action == "task.complete"
	may_complete(req)
}

permitted(req, case_type) if {
	req.action == "task.assign"
	grants(req, case_type, "manage")
}

is_assignee(req) if req.resource.assignee == req.subject.id

assigned(req) if {
	is_string(req.resource.assignee)
	req.resource.assignee != ""
}

is_candidate(req) if req.subject.id in req.resource.candidateUsers

is_candidate(req) if {
	some group in req.resource.candidateGroups
	has_role(req, group)
}

may_claim(req, _) if is_candidate(req)

may_claim(req, _) if is_assignee(req)

may_claim(req, case_type) if grants(req, case_type, "manage")

may_complete(req) if is_assignee(req)

may_complete(req) if {
	not assigned(req)
	is_candidate(req)
}

# --- scope: what a list endpoint may show, as a filter rather than per row ---

# scope_of(request without resource, the subject tenant's case types)
scope_of(req, case_types) := {
	"all": sees_all(req),
	"caseTypes": scope_case_types(req, case_types),
	"tenant": req.subject.tenant,
} if {
	authenticated(req.subject)
}

sees_all(req) := true if all_case_types(req)

sees_all(req) := false if not all_case_types(req)

all_case_types(req) if {
	has_role(req, "admin")
	action_kind(req.action)
}

all_case_types(req) if req.action == "case_type.read"

# The verb whose case types a list of this action may show; actions decided per
# row (task.claim, task.complete) list nothing unless the subject sees all.
scope_verb(action) := case_verb(action)

scope_verb("task.read") := "read"

scope_verb("task.assign") := "manage"

# An array comprehension: rego-cpp evaluates it linearly, whereas a partial set
# rule over the case types grew quadratically with their number.
scope_case_types(req, case_types) := [case_type |
	verbs := granting_verbs(scope_verb(req.action))
	roles := req.subject.roles
	definition := case_types[case_type]
	listed(roles, definition.permissions, verbs)
]
