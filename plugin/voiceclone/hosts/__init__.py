"""DAW hosts. Each captures what the user selected as a :class:`voiceclone.capture.CapturePlan`,
runs the clone or speech job in a background process (:mod:`voiceclone.worker`), and inserts the
resulting audio on a new track. See :mod:`voiceclone.hosts.base` for the shared contract."""
