"""The fraud use cases' one pipeline: what scores a file (:mod:`.scorers`), scoring and its
figures (:mod:`.scoring`), evaluation against a label (:mod:`.evaluation`) and training
(:mod:`.training`). Every door runs these: the command line inline on local files, the job
handlers on a user's datasets; nothing here reads or writes a file or a catalog row."""
