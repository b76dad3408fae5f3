"""Every stored object: its row (key, sha256, size, owner, kind, state) and repository."""
