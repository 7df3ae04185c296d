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
package casestudio.authz

default allow := false

# Each known action and the resource kind it applies to. An action missing here
# is unknown and denied even to admins, so a typo in the runtime fails closed.
action_kinds := {
	"case.create": "case",
	"case.read": "case",
	"case.update": "case",
	"case.manage": "case",
	"case_type.read": "case_type",
	"case_type.deploy": "case_type",
	"task.read": "task",
	"task.claim": "task",
	"task.complete": "task",
	"task.assign": "task",
	"engine.access": "engine",
	"user.manage": "user",
	"studio.access": "system",
	"admin.access": "system",
}

# Case actions map to the permission verbs of a case type. A verb is granted by
# the roles listed for it or for any stronger verb: manage implies every case
# action, update implies read.
case_verbs := {
	"case.create": "create",
	"case.read": "read",
	"case.update": "update",
	"case.manage": "manage",
}

granting_verbs := {
	"create": {"create", "manage"},
	"read": {"read", "update", "manage"},
	"update": {"update", "manage"},
	"manage": {"manage"},
}

# Roles may also hold group names (OIDC groups, BPMN candidate groups).
roles contains role if some role in input.subject.roles

authenticated if {
	is_string(input.subject.id)
	input.subject.id != ""
	is_string(input.subject.tenant)
	input.subject.tenant != ""
}

# A decision is only ever about a known action on a resource of the right kind
# that lives in the subject's own tenant.
in_tenant if {
	authenticated
	input.resource.tenant == input.subject.tenant
	input.resource.kind == action_kinds[input.action]
}

is_admin if "admin" in roles

allow if {
	in_tenant
	is_admin
}

allow if {
	in_tenant
	permitted
}

# Functions take the permissions object, never a key to look up: rego-cpp
# enumerates every case type when a function argument is used as a data key.
grants(permissions, verb) if {
	some granting in granting_verbs[verb]
	some role in permissions[granting]
	role in roles
}

case_type_grants(verb) if {
	grants(data.caseTypes[input.subject.tenant][input.resource.caseType].permissions, verb)
}

permitted if case_type_grants(case_verbs[input.action])

permitted if input.action == "case_type.read"

permitted if {
	input.action in {"case_type.deploy", "studio.access"}
	"analyst" in roles
}

permitted if {
	input.action == "engine.access"
	"engine" in roles
}

permitted if {
	input.action == "task.read"
	case_type_grants("read")
}

permitted if {
	input.action == "task.claim"
	may_claim
}

permitted if {
	input.action == "task.complete"
	may_complete
}

permitted if {
	input.action == "task.assign"
	case_type_grants("manage")
}

is_assignee if input.resource.assignee == input.subject.id

assigned if {
	is_string(input.resource.assignee)
	input.resource.assignee != ""
}

is_candidate if input.subject.id in input.resource.candidateUsers

is_candidate if {
	some group in input.resource.candidateGroups
	group in roles
}

may_claim if is_candidate

may_claim if is_assignee

may_claim if case_type_grants("manage")

may_complete if is_assignee

may_complete if {
	not assigned
	is_candidate
}

# --- scope: what a list endpoint may show, as a filter rather than per row ---

# The verb whose case types a list of this action may show; actions that are
# decided per row (task.claim, task.complete) list nothing unless scope_all.
scope_verbs := {
	"case.create": "create",
	"case.read": "read",
	"case.update": "update",
	"case.manage": "manage",
	"task.read": "read",
	"task.assign": "manage",
}

default scope := {"all": false, "caseTypes": [], "tenant": ""}

scope := {"all": scope_all, "caseTypes": scope_case_types, "tenant": input.subject.tenant} if {
	authenticated
}

default scope_all := false

scope_all if {
	is_admin
	action_kinds[input.action]
}

scope_all if input.action == "case_type.read"

scope_case_types contains case_type if {
	some case_type, definition in data.caseTypes[input.subject.tenant]
	grants(definition.permissions, scope_verbs[input.action])
}
