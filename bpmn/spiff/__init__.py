"""SpiffWorkflow adapted to Camunda 7 semantics: parser, specs, sandbox, state codec."""
