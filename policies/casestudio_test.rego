# Unit tests of casestudio.rego, in Rego so that customers who fork the policy
# keep a runnable specification (`opa test policies/` runs them as well).
# tests/unit/test_policies_rego.py runs every test_ rule through regopy.
#
# They call the policy's functions with explicit requests instead of using
# `with input as`: regopy 1.5.2 crashes (SIGSEGV) on `with` around rules whose
# bodies use other rules. The wiring of input/data to these functions (allow,
# scope) is covered by tests/unit/test_policies_decisions.py.
package casestudio.authz_test

import data.casestudio.authz
import rego.v1

case_types := {
	"default": {
		"grant": {"permissions": {
			"create": ["worker"],
			"read": ["worker", "manager"],
			"update": ["worker"],
			"manage": ["analyst"],
		}},
		"complaint": {"permissions": {"read": ["clerk"], "update": ["editor"]}},
	},
	"acme": {"grant": {"permissions": {"read": ["worker"]}}},
}

user(id, roles) := {"id": id, "roles": roles, "tenant": "default"}

case_of(case_type) := {"kind": "case", "tenant": "default", "caseType": case_type}

task(fields) := object.union({"kind": "task", "tenant": "default", "caseType": "grant"}, fields)

system := {"kind": "system", "tenant": "default"}

request(subject, action, resource) := {"subject": subject, "action": action, "resource": resource}

allowed(subject, action, resource) if {
	definition := object.get(case_types, [subject.tenant, object.get(resource, "caseType", "")], {})
	authz.decide(request(subject, action, resource), definition)
}

scope(subject, action) := authz.scope_of({"subject": subject, "action": action}, case_types[subject.tenant])

# --- default deny and tenancy ---

test_empty_request_is_denied if {
	not authz.decide({}, case_types.default.grant)
}

test_subject_without_id_is_denied if {
	not allowed({"roles": ["admin"], "tenant": "default"}, "admin.access", system)
	not allowed({"id": "", "roles": ["admin"], "tenant": "default"}, "admin.access", system)
}

test_subject_with_roles_not_a_list_is_denied if {
	not allowed({"id": "root", "roles": "admin", "tenant": "default"}, "admin.access", system)
}

test_other_tenant_is_denied_even_to_admin if {
	not allowed(user("root", ["admin"]), "case.read", {"kind": "case", "tenant": "acme", "caseType": "grant"})
}

test_resource_without_tenant_is_denied if {
	not allowed(user("root", ["admin"]), "admin.access", {"kind": "system"})
}

test_admin_may_do_anything_in_own_tenant if {
	allowed(user("root", ["admin"]), "case.manage", case_of("grant"))
	allowed(user("root", ["admin"]), "user.manage", {"kind": "user", "tenant": "default"})
	allowed(user("root", ["admin"]), "admin.access", system)
}

test_unknown_action_is_denied_even_to_admin if {
	not allowed(user("root", ["admin"]), "case.delete", case_of("grant"))
}

test_resource_kind_must_match_action if {
	not allowed(user("root", ["admin"]), "case.read", {"kind": "task", "tenant": "default", "caseType": "grant"})
}

# --- case permissions from the case type ---

test_listed_role_may_read if {
	allowed(user("alice", ["worker"]), "case.read", case_of("grant"))
	allowed(user("mia", ["manager"]), "case.read", case_of("grant"))
}

test_read_does_not_imply_update if {
	not allowed(user("mia", ["manager"]), "case.update", case_of("grant"))
}

test_update_implies_read if {
	allowed(user("ed", ["editor"]), "case.read", case_of("complaint"))
	not allowed(user("ed", ["editor"]), "case.create", case_of("complaint"))
}

test_manage_implies_every_case_action if {
	every action in ["case.create", "case.read", "case.update", "case.manage"] {
		allowed(user("ann", ["analyst"]), action, case_of("grant"))
	}
}

test_unlisted_role_is_denied if {
	not allowed(user("bob", ["clerk"]), "case.read", case_of("grant"))
}

test_missing_case_type_is_denied if {
	not allowed(user("alice", ["worker"]), "case.read", case_of("nonexistent"))
}

# --- case types, studio, engine, users ---

test_any_subject_of_the_tenant_may_read_case_types if {
	allowed(user("bob", []), "case_type.read", {"kind": "case_type", "tenant": "default"})
}

test_deploy_and_studio_need_analyst if {
	allowed(user("ann", ["analyst"]), "case_type.deploy", {"kind": "case_type", "tenant": "default"})
	allowed(user("ann", ["analyst"]), "studio.access", system)
	not allowed(user("alice", ["worker"]), "case_type.deploy", {"kind": "case_type", "tenant": "default"})
	not allowed(user("alice", ["worker"]), "studio.access", system)
}

test_studio_manage_needs_analyst_or_admin if {
	allowed(user("ann", ["analyst"]), "studio.manage", system)
	allowed(user("root", ["admin"]), "studio.manage", system)
	not allowed(user("alice", ["worker"]), "studio.manage", system)
	not allowed(user("mia", ["manager"]), "studio.manage", system)
	not allowed(user("ann", ["analyst"]), "studio.manage", {"kind": "case", "tenant": "default"})
}

test_engine_access_needs_engine_role if {
	allowed(user("svc", ["engine"]), "engine.access", {"kind": "engine", "tenant": "default"})
	not allowed(user("ann", ["analyst"]), "engine.access", {"kind": "engine", "tenant": "default"})
}

test_user_management_and_admin_ui_need_admin if {
	not allowed(user("ann", ["analyst"]), "user.manage", {"kind": "user", "tenant": "default"})
	not allowed(user("ann", ["analyst"]), "admin.access", system)
}

# --- tasks ---

test_task_read_follows_case_read if {
	allowed(user("mia", ["manager"]), "task.read", task({}))
	not allowed(user("bob", ["clerk"]), "task.read", task({}))
}

test_candidate_group_member_may_claim if {
	allowed(user("rita", ["reviewers"]), "task.claim", task({"candidateGroups": ["reviewers"]}))
}

test_candidate_user_may_claim if {
	allowed(user("rita", []), "task.claim", task({"candidateUsers": ["rita"]}))
}

test_non_candidate_may_not_claim if {
	not allowed(user("alice", ["worker"]), "task.claim", task({"candidateGroups": ["reviewers"]}))
}

test_manager_of_the_case_type_may_claim if {
	allowed(user("ann", ["analyst"]), "task.claim", task({"candidateGroups": ["reviewers"]}))
}

test_assignee_may_complete if {
	allowed(user("rita", []), "task.complete", task({"assignee": "rita"}))
}

test_candidate_may_complete_unassigned_task if {
	allowed(user("rita", ["reviewers"]), "task.complete", task({"candidateGroups": ["reviewers"]}))
	allowed(user("rita", ["reviewers"]), "task.complete", task({"assignee": null, "candidateGroups": ["reviewers"]}))
}

test_candidate_may_not_complete_task_assigned_to_another if {
	not allowed(user("rita", ["reviewers"]), "task.complete", task({"assignee": "sam", "candidateGroups": ["reviewers"]}))
}

test_assign_needs_manage if {
	allowed(user("ann", ["analyst"]), "task.assign", task({}))
	not allowed(user("alice", ["worker"]), "task.assign", task({"assignee": "alice"}))
}

# --- scope ---

test_scope_is_all_for_admin if {
	scope(user("root", ["admin"]), "case.read") == {"all": true, "caseTypes": [], "tenant": "default"}
}

test_scope_is_all_for_case_type_read if {
	scope(user("bob", []), "case_type.read").all
}

test_scope_lists_readable_case_types if {
	result := scope(user("ed", ["editor", "manager"]), "case.read")
	not result.all
	sort(result.caseTypes) == ["complaint", "grant"]
	result.tenant == "default"
}

test_scope_uses_the_verb_of_the_action if {
	scope(user("alice", ["worker"]), "case.update").caseTypes == ["grant"]
	scope(user("mia", ["manager"]), "case.update").caseTypes == []
	scope(user("ann", ["analyst"]), "task.assign").caseTypes == ["grant"]
}

test_scope_is_empty_for_unknown_action if {
	scope(user("root", ["admin"]), "case.delete") == {"all": false, "caseTypes": [], "tenant": "default"}
	scope(user("alice", ["worker"]), "case.delete").caseTypes == []
}

test_scope_is_undefined_without_subject_id if {
	not authz.scope_of({"subject": {"roles": ["admin"], "tenant": "default"}, "action": "case.read"}, {})
}
