"""The living-lab loop: triage feedback, record co-design sessions, publish new module
versions that say which feedback they acted on, and show whether the change worked."""
