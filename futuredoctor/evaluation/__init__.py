"""Research-grade evaluation exports: de-identified, consent-filtered, audited packages for
evaluators, on the web and through personal API tokens."""
