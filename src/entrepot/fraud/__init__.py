"""The fraud AutoML engine: generate, analyse, train, match, score and evaluate.

Import what you need from the modules: ``training.train``, ``analysis.analyze``,
``generator.generate``; ``references.build_references`` for the reference library,
``matching.ReferenceIndex`` for schema matching, ``assemble.from_library`` /
``assemble.from_folder`` and ``scoring.score`` for ensemble scoring. The engine reaches
stored models only through the two protocols of ``library`` (``ReferenceSource``,
``ReferenceSink``). This package imports nothing heavy by itself.
"""
