"""Security and compliance: PHI encryption, identity, RBAC, audit, retention."""
