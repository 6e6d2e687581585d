"""The knowledge base: versioned articles with compliance sign-off, verified contact points and
full-text search in English and Spanish."""
