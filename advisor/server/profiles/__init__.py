"""Provider profiles: what the big identity providers document about themselves.

Each ``*.yaml`` file in this folder is one provider's profile (package data, shipped in the
wheel): how to recognise it (issuer patterns, and metadata hints for custom domains and
self-hosted servers) and facts from its own documentation, each citing its source, some with
an effect on the samples (an extra scope, authorization-request parameters, an audience
parameter). :mod:`.models` holds the pydantic models that validate the files (data, never
code), :mod:`.catalogue` reads them once and recognises a server.

Unknown providers get the standards-only reading: no profile, no facts.
"""
